"""The operator's Webhooks pages (its own storefront only): its endpoints, each with its secret, settings and
delivery log; a delivery's payload, headers and attempts; "Send a test event" and "Send again"."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.storefronts.selectors import storefront_for_operator
from marketplace.webhooks import selectors, services, signing
from marketplace.webhooks.forms import EndpointForm, EndpointSettingsForm
from marketplace.webhooks.models import Endpoint

LOG_PAGE_SIZE = 20


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def endpoint_list(request):
    storefront = storefront_for_operator(request.user)
    endpoints = selectors.endpoints(storefront)
    return render(request, "webhooks/dashboard/list.html", {
        "storefront": storefront, "endpoints": endpoints, "limit": settings.WEBHOOKS_MAX_ENDPOINTS,
        "internal_allowed": settings.WEBHOOKS_ALLOW_PRIVATE,
    })  # fmt: skip


@login_required
def endpoint_create(request):
    storefront = storefront_for_operator(request.user)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.register_endpoint(storefront=storefront, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Endpoint registered. Copy its signing secret below into your system, then "
                                      "send a test event.")  # fmt: skip
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    return render(request, "webhooks/dashboard/create.html", {
        "storefront": storefront, "form": form, "internal_allowed": settings.WEBHOOKS_ALLOW_PRIVATE,
    })  # fmt: skip


@login_required
def endpoint_detail(request, pk):
    storefront = storefront_for_operator(request.user)
    endpoint = selectors.endpoint(storefront, pk)
    initial = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description,
               "active": endpoint.active}  # fmt: skip
    form = EndpointSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    endpoint.refresh_from_db()
    log = Paginator(selectors.delivery_log(endpoint), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.status_counts(endpoint)
    most = max((count for _code, _label, count in counts), default=0) or 1
    context = {
        "storefront": storefront, "endpoint": endpoint, "form": form, "log": log,
        "counts": [(code, label, count, round(100 * count / most)) for code, label, count in counts],
    }  # fmt: skip
    return render(request, "webhooks/dashboard/endpoint.html", context)


@login_required
@require_POST
def endpoint_roll_secret(request, pk):
    endpoint = selectors.endpoint(storefront_for_operator(request.user), pk)
    services.roll_secret(endpoint=endpoint)
    messages.success(request, "A new signing secret is in use from the next attempt on: put it in your system now, "
                              "the old one no longer verifies.")  # fmt: skip
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_test(request, pk):
    endpoint = selectors.endpoint(storefront_for_operator(request.user), pk)
    try:
        services.send_test_event(endpoint=endpoint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Test event sent: its delivery is at the top of the log below.")
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_remove(request, pk):
    endpoint = selectors.endpoint(storefront_for_operator(request.user), pk)
    services.remove_endpoint(endpoint=endpoint)
    messages.success(request, f"Endpoint {endpoint.url} removed, with its delivery log.")
    return redirect("webhooks:list")


@login_required
def delivery_detail(request, pk):
    delivery = selectors.delivery(storefront_for_operator(request.user), pk)
    attempts = list(delivery.attempt_log.all()[:50])
    context = {
        "delivery": delivery, "endpoint": delivery.endpoint, "attempts": attempts,
        "payload": json.dumps(json.loads(services.body(delivery.event)), indent=2, sort_keys=True),
        "headers_sent": attempts[0].request_headers if attempts else services.headers(delivery, b""),
    }  # fmt: skip
    return render(request, "webhooks/dashboard/delivery.html", context)


@login_required
@require_POST
def delivery_replay(request, pk):
    delivery = selectors.delivery(storefront_for_operator(request.user), pk)
    try:
        services.replay(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Sent again: a new attempt of event {delivery.event.public_id}.")
    return redirect("webhooks:delivery", pk=delivery.pk)


@csrf_exempt
@require_POST
def demo_receiver(request, pk):
    """DEBUG only (a 404 otherwise): the demo shop's stand-in for an operator's system. It checks the signature with
    the endpoint's secret, as an operator's receiver would, and answers 200 or 400."""
    endpoint = Endpoint.objects.filter(pk=pk).first() if settings.DEBUG else None
    if endpoint is None:
        raise Http404
    if not signing.verify(request.body, request.headers.get(signing.HEADER, ""), endpoint.secret):
        return JsonResponse({"error": "bad signature"}, status=400)
    return JsonResponse({"received": request.headers.get("OSS-Event", "")})
