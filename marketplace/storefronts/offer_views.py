"""An operator's offers page, in the dashboard: its storefront's offers (live or withdrawn), each changed in place;
a new offer of a product the shop already has, or of a new product of an existing design; price and stock for
many offers at once from a CSV file, previewed row by row before anything is written."""

import csv
import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oscar.templatetags.currency_filters import currency

from marketplace.storefronts import offers, selectors
from marketplace.storefronts.models import Storefront
from marketplace.storefronts.offer_forms import (
    CsvConfirmForm,
    CsvUploadForm,
    FindProductForm,
    NewOfferForm,
    NewProductForm,
    OfferForm,
    RestockForm,
)

NO_STOREFRONT = _(
    "The offers page is an operator's: it lists a storefront's own offers. Open a storefront (Stores → Open a "
    "storefront) to sell; staff change the shop's own products under Catalogue → Products."
)


def operator_required(view):
    """The signed-in operator's storefront is the view's ``storefront`` argument; anyone else gets the shop's
    refusal page saying what to do instead."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        storefront = Storefront.objects.select_related("tier", "partner").filter(operator_id=request.user.pk).first()
        if storefront is None or storefront.partner_id is None:
            raise PermissionDenied(NO_STOREFRONT)
        return view(request, storefront, *args, **kwargs)

    return wrapped


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _page(request, storefront, **context):
    rows = [
        {"offer": offer, "form": OfferForm(initial={"price": offer.price, "num_in_stock": offer.num_in_stock,
                                                    "sku": offer.partner_sku}, prefix=f"offer-{offer.pk}")}
        for offer in selectors.operator_offers(storefront)
    ]  # fmt: skip
    return render(
        request,
        "storefronts/dashboard/offers.html",
        {"storefront": storefront, "rows": rows, "restock_form": RestockForm(), "csv_form": CsvUploadForm(),
         **context},
    )  # fmt: skip


@operator_required
def offer_list(request, storefront):
    return _page(request, storefront)


@operator_required
@require_POST
def offer_update(request, storefront, pk):
    offer = selectors.operator_offer(storefront, pk)
    form = OfferForm(request.POST, prefix=f"offer-{offer.pk}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{offer.product.get_title()}: {label} — {' '.join(errors)}")
        return redirect("storefronts:offers")
    try:
        offers.update_offer(offer=offer, **form.cleaned_data)
    except ValidationError as error:
        _errors(request, error)
    else:
        price = currency(form.cleaned_data["price"])
        title = offer.product.get_title()
        messages.success(request, _("Saved: %(title)s at %(price)s.") % {"title": title, "price": price})
    return redirect("storefronts:offers")


@operator_required
@require_POST
def offer_restock(request, storefront, pk):
    offer = selectors.operator_offer(storefront, pk)
    form = RestockForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{offer.product.get_title()}: {' '.join(form.errors['quantity'])}")
        return redirect("storefronts:offers")
    try:
        offer = offers.restock(offer=offer, quantity=form.cleaned_data["quantity"])
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("%(title)s: %(stock)d in stock.") % {"title": offer.product.get_title(),
                                                                          "stock": offer.num_in_stock})
    return redirect("storefronts:offers")


@operator_required
@require_POST
def offer_withdraw(request, storefront, pk):
    offer = offers.withdraw(offer=selectors.operator_offer(storefront, pk))
    messages.success(request, _("Withdrawn: %(title)s is no longer on sale. Orders already placed are kept.")
                     % {"title": offer.product.get_title()})  # fmt: skip
    return redirect("storefronts:offers")


@operator_required
@require_POST
def offer_relist(request, storefront, pk):
    offer = selectors.operator_offer(storefront, pk)
    try:
        offers.relist(offer=offer)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("On sale again: %(title)s.") % {"title": offer.product.get_title()})
    return redirect("storefronts:offers")


@operator_required
def offer_create(request, storefront):
    """Find a product the shop has and offer it; or make a new product of an existing design."""
    find = FindProductForm(request.GET or None)
    query = find.cleaned_data["q"].strip() if find.is_valid() else ""
    offer_form = NewOfferForm(request.POST if request.POST.get("kind") == "existing" else None, prefix="existing")
    product_form = NewProductForm(request.POST if request.POST.get("kind") == "new" else None, prefix="new")
    if request.method == "POST":
        form = product_form if request.POST.get("kind") == "new" else offer_form
        if form.is_valid():
            try:
                offer = _create(storefront, form)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("On sale: %(title)s at %(price)s.") % {"title": offer.product.get_title(),
                                                                                    "price": currency(offer.price)})
                return redirect("storefronts:offers")
        messages.error(request, _("Nothing was saved: see the reason in the form below."))
    context = {
        "storefront": storefront, "find": find, "query": query, "offer_form": offer_form, "product_form": product_form,
        "found": selectors.offerable_products(storefront=storefront, query=query) if query else [],
        "chosen": request.POST.get("existing-product", ""),
    }  # fmt: skip
    return render(request, "storefronts/dashboard/offer_new.html", context)


def _create(storefront, form):
    data = dict(form.cleaned_data)
    if isinstance(form, NewProductForm):
        return offers.create_product_offer(storefront=storefront, **data)
    product = selectors.offerable_product(pk=data.pop("product"))
    if product is None:
        raise ValidationError(_("That product is not in the catalogue any more: find it again."))
    return offers.create_offer(storefront=storefront, product=product, **data)


# --- many offers at once, by CSV ---------------------------------------------------------------------------------


def _cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@operator_required
def offers_csv(request, storefront):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*offers.CSV_COLUMNS, "title", "level", "withdrawn"])
    for offer in selectors.operator_offers(storefront):
        stock = "" if offer.num_in_stock is None else offer.num_in_stock
        writer.writerow([_cell(offer.partner_sku), offer.price, stock, _cell(offer.product.get_title()),
                         offer.product.level or "", "yes" if offer.withdrawn_at else ""])  # fmt: skip
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="offers-{storefront.slug}-{timezone.localdate()}.csv"'
    return response


@operator_required
@require_POST
def offers_csv_upload(request, storefront):
    """Preview: every row with what it would change or why it cannot. Nothing is written here."""
    upload = CsvUploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _page(request, storefront, csv_form=upload)
    text = upload.cleaned_data["file"]
    rows, problems = offers.parse_csv(storefront=storefront, text=text)
    context = {
        "storefront": storefront, "rows": rows, "problems": problems,
        "bad": [row for row in rows if row.errors], "changing": [row for row in rows if row.changes and not row.errors],
        "confirm_form": CsvConfirmForm(initial={"text": text}),
    }  # fmt: skip
    return render(request, "storefronts/dashboard/offers_csv_preview.html", context)


@operator_required
@require_POST
def offers_csv_apply(request, storefront):
    form = CsvConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The file was lost on the way: upload it again."))
        return redirect("storefronts:offers")
    try:
        changed = offers.apply_csv(storefront=storefront, text=form.cleaned_data["text"])
    except ValidationError as error:
        messages.error(request, _("Nothing was written: ") + "; ".join(error.messages))
    else:
        messages.success(request, _("%(count)d offers changed from the file.") % {"count": changed})
    return redirect("storefronts:offers")
