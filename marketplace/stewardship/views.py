"""The public unit page (the label's QR code leads there) and its lookup, the owner's requests and passing a unit on,
the operator's requests in its dashboard, and the staff's figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from catalog.models import Design
from marketplace.accounts.access import staff_permission_required
from marketplace.lifecycle import selectors as lifecycle_selectors
from marketplace.lifecycle import serials
from marketplace.lifecycle.models import Unit
from marketplace.stewardship import figures, selectors, services
from marketplace.stewardship.forms import AskForm, CloseForm, DeclineForm, LookupForm, QuoteForm, TransferForm
from marketplace.stewardship.models import ServiceRequest
from marketplace.storefronts.selectors import storefront_for_operator


def _errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --- public -------------------------------------------------------------------------------------------------------


def lookup(request):
    form = LookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        typed = form.cleaned_data["serial"]
        serial = serials.normalise(typed)
        if not serial:
            form.add_error("serial", _("That is not a serial number: it reads like OSE-7K3Q-9XPM-V on the label."))
        elif not serials.is_valid(serial):
            form.add_error("serial", _("One character does not fit: check the serial on the label and type it again."))
        else:
            return redirect("stewardship:unit", serial=serial)
    own_units = lifecycle_selectors.units_for_owner(request.user).exclude(state=Unit.IN_PRODUCTION)[:100]
    context = {"form": form, "own_units": own_units}
    return render(request, "stewardship/lookup.html", context, status=400 if form.errors else 200)


def unit_page(request, serial):
    """Design and version, who made it and when, its quality control, its repairs and upgrades, its state: no owner,
    no address, no person's name. Its owner (signed in) also sees what they may do."""
    shown = serials.normalise(serial) or serial
    unit = Unit.objects.select_related("design", "maker", "line__order").exclude(state=Unit.IN_PRODUCTION)
    unit = unit.filter(serial=shown).first()
    if unit is None:
        return render(request, "stewardship/unit_unknown.html", {"serial": serial[:40]}, status=404)
    if shown != serial:
        return redirect("stewardship:unit", serial=shown)
    is_owner = request.user.is_authenticated and unit.owner_id == request.user.pk
    ask_form = transfer_form = None
    status = 200
    if is_owner:
        ask_form = AskForm(initial={"location": services.default_location(unit)})
        transfer_form = TransferForm()
        if request.method == "POST":
            if request.POST.get("action") == "transfer":
                transfer_form = TransferForm(request.POST)
                if transfer_form.is_valid():
                    try:
                        services.start_transfer(unit=unit, user=request.user, email=transfer_form.cleaned_data["email"])
                    except ValidationError as error:
                        _errors(transfer_form, error)
                    else:
                        messages.success(request, _("If that address is right, its owner will get a link to claim the "
                                                    "unit, signed in to their account; it works once, for %(days)d "
                                                    "days.") % {"days": services.TRANSFER_DAYS})  # fmt: skip
                        return redirect("stewardship:unit", serial=unit.serial)
            else:
                ask_form = AskForm(request.POST)
                if ask_form.is_valid():
                    try:
                        made = services.ask(unit=unit, user=request.user, **ask_form.cleaned_data)
                    except ValidationError as error:
                        _errors(ask_form, error)
                    else:
                        messages.success(request, _("Your request is sent."))
                        return redirect("stewardship:request", serial=unit.serial, pk=made.pk)
            status = 400
    elif request.method == "POST":
        messages.error(request, _("Only the unit's owner, signed in, may ask for a service or pass the unit on."))
        return redirect("stewardship:unit", serial=unit.serial)
    context = {
        "unit": unit, "history": selectors.service_history(unit), "is_owner": is_owner,
        "ask_form": ask_form, "transfer_form": transfer_form, "qc": lifecycle_selectors.unit_qc(unit),
        "own_requests": selectors.requests_of_owner(unit, request.user) if is_owner else [],
        "live_request": unit.service_requests.filter(status__in=ServiceRequest.LIVE).exists() if is_owner else False,
    }  # fmt: skip
    return render(request, "stewardship/unit.html", context, status=status)


@login_required
def request_detail(request, serial, pk):
    """The owner's own request: where it went and why, the quote to pay, the credit earned; cancel it."""
    service = selectors.owners_request(serial=serial, pk=pk, user=request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "pay":
            if not services.may_buy_quote(request=service, user=request.user):
                messages.error(request, _("This quote cannot be paid now: see the request's state below."))
            else:
                offer = service.quote_offer
                request.basket.choose_offer(offer)
                request.basket.add_product(offer.product, 1)
                messages.success(request, _("The quote is in your basket: check out as for any order."))
                return redirect("basket:summary")
        elif action == "cancel":
            try:
                services.cancel(request=service, user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Request cancelled."))
        return redirect("stewardship:request", serial=serial, pk=pk)
    in_basket = bool(service.quote_offer_id and request.basket.id
                     and request.basket.lines.filter(stockrecord_id=service.quote_offer_id).exists())  # fmt: skip
    context = {"service": service, "unit": service.unit, "in_basket": in_basket,
               "may_pay": services.may_buy_quote(request=service, user=request.user),
               "streams": figures.stream_labels()}  # fmt: skip
    return render(request, "stewardship/request.html", context)


@login_required
def claim(request, token):
    transfer = services.transfer_for_token(token)
    if transfer is None:
        return render(request, "stewardship/claim.html", {"transfer": None}, status=404)
    if request.method == "POST":
        try:
            unit = services.claim(token=token, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("stewardship:lookup")
        messages.success(request, _("The unit is yours now: ask for a repair, an upgrade or a take-back here."))
        return redirect("stewardship:unit", serial=unit.serial)
    return render(request, "stewardship/claim.html", {"transfer": transfer})


# --- the operator -------------------------------------------------------------------------------------------------


@login_required
def operator_requests(request):
    storefront = storefront_for_operator(request.user)
    requests = selectors.operator_requests(storefront)
    context = {"storefront": storefront, "live": [r for r in requests if r.is_live],
               "done": [r for r in requests if not r.is_live][:50]}  # fmt: skip
    return render(request, "stewardship/dashboard/requests.html", context)


@login_required
def operator_request(request, pk):
    """One request that came to the operator's storefront (another's is a 404): accept, decline, quote, close."""
    storefront = storefront_for_operator(request.user)
    service = get_object_or_404(selectors.operator_requests(storefront), pk=pk)
    take_back = service.kind == ServiceRequest.TAKE_BACK
    price_paid = services.unit_price_paid(service.unit)
    forms = {
        "decline": DeclineForm(prefix="decline"),
        "quote": QuoteForm(prefix="quote", initial={"amount": service.quote_amount, "covers": service.quote_covers}),
        "close": CloseForm(prefix="close", take_back=take_back, price_paid=price_paid),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.accept(request=service, storefront=storefront)
                messages.success(request, _("Accepted: the owner sees it. Quote a price, or close it when done."))
                return redirect("stewardship:operator-request", pk=pk)
            if action in forms:
                form = {"decline": DeclineForm, "quote": QuoteForm}.get(action)
                form = (
                    form(request.POST, prefix=action)
                    if form
                    else CloseForm(request.POST, prefix="close", take_back=take_back, price_paid=price_paid)
                )
                forms[action] = form
                if form.is_valid():
                    if action == "decline":
                        services.decline(request=service, storefront=storefront, reason=form.cleaned_data["reason"])
                        messages.success(request, _("Declined: the request went to the next nearest storefront."))
                        return redirect("stewardship:operator-requests")
                    if action == "quote":
                        services.quote(request=service, storefront=storefront, **form.cleaned_data)
                        messages.success(request, _("Quoted: the owner can pay it through the checkout."))
                        return redirect("stewardship:operator-request", pk=pk)
                    services.close(request=service, storefront=storefront, outcome=form.cleaned_data["outcome"],
                                   materials=form.materials(), credit=form.cleaned_data.get("credit"))  # fmt: skip
                    messages.success(request, _("Closed: the unit's page lists it."))
                    return redirect("stewardship:operator-request", pk=pk)
        except ValidationError as error:
            if action in forms:
                _errors(forms[action], error)
            else:
                messages.error(request, " ".join(error.messages))
        service.refresh_from_db()
    context = {"storefront": storefront, "service": service, "forms": forms, "take_back": take_back,
               "price_paid": price_paid, "streams": figures.stream_labels()}  # fmt: skip
    bad = any(form.errors for form in forms.values())
    return render(request, "stewardship/dashboard/request.html", context, status=400 if bad else 200)


# --- staff --------------------------------------------------------------------------------------------------------


@staff_permission_required("view_stewardship")
def staff(request):
    by_design = figures.by_design()
    designs = Design.objects.filter(pk__in=list(by_design)).order_by("name")
    rows = [{"design": design, "figures": by_design[design.pk]} for design in designs]
    context = {"rows": rows, "unrouted": selectors.unrouted_requests(), "streams": figures.stream_labels()}
    return render(request, "stewardship/dashboard/staff.html", context)
