from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from marketplace.accounts.access import check_staff
from marketplace.forms import errors_as_message
from marketplace.fulfilment import delivery, refunds, selectors, services
from marketplace.fulfilment.forms import LicenceLookupForm, PartStatusForm, RefundForm

Line = get_model("order", "Line")


def download(request, token):
    """A digital good, through the signed, expiring link the shopper was sent (never a public media URL)."""
    line = delivery.line_for_download_token(token)
    if line is None:
        return render(request, "fulfilment/download_expired.html", status=410)
    product = line.product
    if line.order.status not in ("Paid", "Complete") or product is None or not product.digital_file:
        raise Http404("This download is not available.")
    from marketplace.payments.refunds import refunded_in_full

    if refunded_in_full(line):
        return render(request, "fulfilment/download_expired.html", {"refunded": True}, status=410)
    return FileResponse(product.digital_file.open("rb"), as_attachment=True,
                        filename=product.digital_file.name.rsplit("/", 1)[-1])  # fmt: skip


def _may_see_order(request, order) -> bool:
    """The order's own shopper: signed in as its customer, or the guest this browser showed it to."""
    if order.user_id:
        return request.user.is_authenticated and request.user.pk == order.user_id
    session = request.session
    return session.get("anon_order_email") == order.email or session.get("checkout_order_id") == order.pk


@require_POST
def resend_download(request, pk):
    """E-mail the shopper a fresh download link (at most one an hour per line)."""
    from marketplace.notifications.services import order_path

    line = get_object_or_404(Line.objects.select_related("order", "fulfilment"), pk=pk)
    if not _may_see_order(request, line.order):
        raise Http404
    outcome = services.resend_download(line=line)
    if outcome == services.SENT:
        messages.success(request, f"A fresh download link is on its way to {line.order.email}.")
    elif outcome == services.SENT_WITHIN_THE_HOUR:
        messages.info(request, "We sent the link within the last hour: look in your inbox, and your spam folder.")
    else:
        messages.error(request, "This line has no download to send.")
    return redirect(order_path(line.order))


def licence_lookup(request):
    """The public form to check a licence: a number of a licence's shape goes to its page, anything else is
    explained on the form."""
    form = LicenceLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("fulfilment:licence", number=form.cleaned_data["number"])
    return render(request, "fulfilment/licence_lookup.html", {"form": form})


def licence(request, number):
    """Anyone can check a distribution licence: valid (200), unknown (404) or tampered (400)."""
    verdict, found = delivery.verify_licence(number)
    status = {delivery.VALID: 200, delivery.UNKNOWN: 404, delivery.TAMPERED: 400}[verdict]
    return render(request, "fulfilment/licence.html", {"verdict": verdict, "licence": found, "number": number},
                  status=status)  # fmt: skip


@login_required
def licence_pdf(request, number):
    verdict, found = delivery.verify_licence(number)
    if verdict != delivery.VALID:
        raise Http404
    if found.line.order.user_id != request.user.pk:
        check_staff(request.user, "read_licence")
    from marketplace.fulfilment import pdf  # fpdf2 and its fonts: about 17 MiB, loaded only by the workers that draw

    certificate = pdf.licence_certificate(found, verify_url=request.build_absolute_uri(found.get_absolute_url()))
    response = HttpResponse(certificate, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.number}.pdf"'
    return response


def _part_to_manage(request, pk, *, staff_action: str):
    """An order part the user may manage: the operator's own (another operator's is a 404), or any for staff who
    hold the permission ``staff_action`` needs."""
    part = get_object_or_404(selectors.parts_for_user(request.user), pk=pk)
    if request.user.is_staff:
        check_staff(request.user, staff_action)
    return part


@login_required
@require_POST
def part_status(request, pk):
    """The operator ships or completes its own part of an order (another operator's part is a 404)."""
    part = _part_to_manage(request, pk, staff_action="change_part")
    form = PartStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
        return redirect("dashboard:order-detail", number=part.order.number)
    try:
        services.change_status(part_id=part.pk, actor=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        part.refresh_from_db()
        told = " The shopper is told by e-mail." if part.status in ("shipped", "complete") else ""
        messages.success(request, f"Your part of order {part.order.number} is now “{part.get_status_display()}”.{told}")
    return redirect("dashboard:order-detail", number=part.order.number)


@login_required
def part_labels(request, pk):
    """The labels of the units of the operator's own part (another operator's part is a 404): one per unit, with its
    serial, design and version, maker and a QR code to the unit's page."""
    from marketplace.lifecycle import labels  # fpdf2 and its fonts: loaded only when labels are drawn
    from marketplace.lifecycle import selectors as lifecycle

    part = _part_to_manage(request, pk, staff_action="change_part")
    units = lifecycle.part_units(part)
    if not units:
        messages.info(request, "This part has no units to label: they are prepared when it is paid, one per good.")
        return redirect("dashboard:order-detail", number=part.order.number)
    response = HttpResponse(labels.labels_pdf(units), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{part.order.number}-{part.pk}.pdf"'
    return response


@login_required
@require_POST
def confirm_delivery(request, pk):
    """The shopper says a shipped part of its order arrived (another shopper's part is a 404)."""
    part = get_object_or_404(selectors.parts_of_shopper(request.user), pk=pk)
    try:
        services.confirm_delivery(part_id=part.pk, shopper=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Thank you: {part.partner.name}'s parcel is marked delivered.")
    return redirect("customer:order", order_number=part.order.number)


@login_required
@require_POST
def refund_part(request, pk):
    """Refund lines (or part of their amounts) and shipping of one operator's part: staff, or that operator."""
    part = _part_to_manage(request, pk, staff_action="refund")
    form = RefundForm(request.POST, line_ids=part.lines.values_list("pk", flat=True))
    if not form.is_valid():
        messages.error(request, errors_as_message(form))
        return redirect("dashboard:order-detail", number=part.order.number)
    try:
        refund = refunds.request_refund(
            part_id=part.pk, actor=request.user, amounts=form.amounts(), shipping_amount=form.shipping(),
            reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        amount = currency(refund.amount, refund.currency)
        if refund.status == refund.SUCCEEDED:
            messages.success(request, f"Refunded {amount}; the shopper is told by e-mail, with your reason.")
        else:
            messages.success(request, f"Refund of {amount} sent to Stripe: it is final once Stripe confirms.")
    return redirect("dashboard:order-detail", number=part.order.number)
