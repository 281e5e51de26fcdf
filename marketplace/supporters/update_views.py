"""The operator's "Updates to supporters" page (write, preview, send; the updates sent and how many supporters each
reached) and the supporter's unsubscribe link (signed; works signed out)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from catalog.richtext import render_markdown
from marketplace.storefronts.models import Storefront
from marketplace.supporters import updates as service
from marketplace.supporters.models import SupporterUpdate
from marketplace.supporters.update_forms import UpdateForm

NO_STOREFRONT = "supporters/updates/no_storefront.html"


def _own_storefront(request):
    return Storefront.objects.filter(operator_id=request.user.pk).first()


@login_required
@require_http_methods(["GET", "POST"])
def updates(request):
    storefront = _own_storefront(request)
    if storefront is None:
        return render(request, NO_STOREFRONT, status=404)
    form = UpdateForm(request.POST or None)
    preview, status = None, 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif "preview" in request.POST:
            preview = render_markdown(form.cleaned_data["body"], images=False)  # as the e-mail shows it
        else:
            try:
                update = service.send_update(storefront=storefront, author=request.user, **form.cleaned_data)
            except service.UpdateRefused as refusal:
                messages.error(request, " ".join(refusal.messages))
                status = 400
            else:
                count = service.recipient_count(storefront)
                messages.success(request, ngettext(
                    "Your update “%(subject)s” is on its way to %(count)d supporter.",
                    "Your update “%(subject)s” is on its way to %(count)d supporters.", count,
                ) % {"subject": update.subject, "count": count})  # fmt: skip
                return redirect("supporters:updates")
    context = {
        "storefront": storefront, "form": form, "preview": preview,
        "recipients": service.recipient_count(storefront), "sent": service.updates_of(storefront)[:50],
        "sending_since": timezone.now() - datetime.timedelta(minutes=10),  # a worker sends within minutes
    }  # fmt: skip
    return render(request, "supporters/updates/list.html", context, status=status)


@login_required
@require_GET
def update_detail(request, pk):
    storefront = _own_storefront(request)
    if storefront is None:
        return render(request, NO_STOREFRONT, status=404)
    try:
        update = service.update_of(storefront, pk)  # another storefront's update is not found, like a missing one
    except SupporterUpdate.DoesNotExist:
        raise Http404(_("No such update of yours.")) from None
    return render(request, "supporters/updates/detail.html",
                  {"storefront": storefront, "update": update, "body": service.body_html(update)})  # fmt: skip


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks to confirm (a mail scanner following the link changes nothing); POST turns the updates off."""
    try:
        payload = service.read_token(token)
    except service.BadToken:
        return render(request, "supporters/updates/unsubscribe_bad.html", status=400)
    supports = list(service.supports_for_token(payload))
    done = False
    if request.method == "POST":
        service.unsubscribe(payload)
        done = True
    context = {"storefronts": sorted({support.storefront.name for support in supports}), "done": done,
               "everything": "s" not in payload, "any": bool(supports)}  # fmt: skip
    return render(request, "supporters/updates/unsubscribe.html", context)
