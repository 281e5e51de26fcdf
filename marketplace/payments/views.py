import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from marketplace.accounts.access import check_staff
from marketplace.forms import errors_as_message
from marketplace.payments import services
from marketplace.payments.forms import ConfirmPaymentForm

Order = get_model("order", "Order")


@login_required
@require_POST
def confirm_offline_payment(request, number):
    order = get_object_or_404(Order, number=number)
    if not services.may_confirm_offline_payment(user=request.user, order=order):
        if not order.lines.filter(partner__users=request.user).exists():
            raise Http404  # not one of its lines: answer as for an order that does not exist
        raise PermissionDenied
    if request.user.is_staff:
        check_staff(request.user, "confirm_payment")
    form = ConfirmPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
        return redirect("dashboard:order-detail", number=order.number)
    try:
        services.confirm_offline_payment(order_id=order.pk, actor=request.user,
                                         reference=form.cleaned_data["reference"])  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Payment for order {order.number} confirmed: the order is paid.")
    return redirect("dashboard:order-detail", number=order.number)


WEBHOOK_TOLERANCE = 300  # seconds a signature stays good, either side of our clock (Stripe's default)


def _signed_at(header: str) -> int:
    """The signature's timestamp, read as Stripe's library reads it (the first ``t=``); already verified."""
    return int(next(item.split("=", 1)[1] for item in header.split(",") if item.split("=", 1)[0] == "t"))


def _verify(stripe, body: bytes, header: str, secrets: list[str]) -> None:
    """Stripe's library checks the signature against each secret; one must match."""
    for secret in secrets[:-1]:
        try:
            stripe.WebhookSignature.verify_header(body, header, secret, tolerance=WEBHOOK_TOLERANCE)
        except stripe.SignatureVerificationError:
            continue
        return
    stripe.WebhookSignature.verify_header(body, header, secrets[-1], tolerance=WEBHOOK_TOLERANCE)


@csrf_exempt  # the only CSRF-exempt view: Stripe signs its requests instead
@require_POST
def stripe_webhook(request):
    """Verify the signature with Stripe's library (which refuses old timestamps; we also refuse future ones) and the
    event's shape, store the event once, answer; the work happens in a Celery task."""
    # The account's own events and its connected accounts' (Connect) come to separate Stripe endpoints, each
    # signed with its own secret; both may point here.
    secrets = [secret for secret in (settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_CONNECT_WEBHOOK_SECRET) if secret]
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise Http404("Stripe is not configured.")
    import stripe  # about 13 MiB with aiohttp: loaded by the processes that talk to Stripe, not every web process

    header = request.headers.get("Stripe-Signature", "")
    try:
        _verify(stripe, request.body, header, secrets)
        if _signed_at(header) > time.time() + WEBHOOK_TOLERANCE:
            raise ValueError("signed in the future")  # Stripe's library refuses only old timestamps
        payload = services.read_webhook_event(request.body)
    except ValidationError as error:
        return HttpResponseBadRequest(f"Invalid event: {' '.join(error.messages)}")
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Invalid payload or signature.")
    with transaction.atomic():
        _, created = services.record_webhook_event(payload=payload)
    return JsonResponse({"received": True, "duplicate": not created})


def stripe_return(request, number, verification):
    """Where Stripe.js sends the shopper after confirming the card: ask Stripe, server side, and show the outcome."""
    order = get_object_or_404(Order, number=number)
    if not constant_time_compare(verification, order.verification_hash()):
        raise Http404
    import stripe

    try:
        outcome = services.settle_from_stripe(order=order)
    except stripe.StripeError:
        outcome = "Stripe could not be reached; your payment will be confirmed as soon as Stripe tells us."
    if outcome in ("order paid", "already paid"):
        messages.success(request, f"Thank you: your card payment for order {order.number} is confirmed.")
    else:
        messages.warning(request, f"Your payment is not confirmed yet ({outcome}).")
    if order.user_id and request.user.pk == order.user_id:
        return redirect("customer:order", order_number=order.number)
    return redirect("customer:anon-order", order_number=order.number, hash=order.verification_hash())
