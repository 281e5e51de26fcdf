"""The forms of an operator's offers page: every number bounded, every refusal a message on the same page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Design, ProductClass
from marketplace.storefronts.offers import CSV_COLUMNS, MAX_PRICE, MAX_RESTOCK, MAX_STOCK, MIN_PRICE


def price_field(**kwargs):
    return forms.DecimalField(
        label=_("Price (USD)"), min_value=MIN_PRICE, max_value=MAX_PRICE, max_digits=9, decimal_places=2, **kwargs
    )


def stock_field(**kwargs):
    return forms.IntegerField(
        label=_("In stock"), min_value=0, max_value=MAX_STOCK, required=False,
        help_text=_("Leave empty for goods without stock (seats are stock too)."), **kwargs,
    )  # fmt: skip


class OfferForm(forms.Form):
    price = price_field()
    num_in_stock = stock_field()
    sku = forms.CharField(label=_("SKU"), max_length=128, required=False,
                          help_text=_("Your own reference; one is made up when left empty."))  # fmt: skip


class RestockForm(forms.Form):
    quantity = forms.IntegerField(label=_("Add units"), min_value=1, max_value=MAX_RESTOCK)


class FindProductForm(forms.Form):
    q = forms.CharField(label=_("Find a product"), max_length=100, required=False)


class NewOfferForm(OfferForm):
    product = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class NewProductForm(OfferForm):
    """A new product of an existing design: levels 1 and 2 made from the shop's product classes that need no file
    or licence terms (a digital download or a distribution licence is set up on the full product form)."""

    design = forms.ModelChoiceField(queryset=Design.objects.order_by("name"), label=_("Design"))
    product_class = forms.ModelChoiceField(
        queryset=ProductClass.objects.filter(level__in=(1, 2), track_stock=True).order_by("level", "name"),
        label=_("Level and kind"),
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  max_length=10_000)  # fmt: skip

    field_order = ["design", "product_class", "title", "description", "price", "num_in_stock", "sku"]


class CsvUploadForm(forms.Form):
    MAX_BYTES = 1024 * 1024

    file = forms.FileField(label=_("Price and stock file (CSV)"),
                           help_text=_("Columns: %(columns)s. Download yours below, change it, upload it.")
                           % {"columns": ", ".join(CSV_COLUMNS)})  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is over 1 MB: split it."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text: save it as CSV (UTF-8).")) from None
        if "\x00" in text:
            raise forms.ValidationError(_("The file is not a CSV text file."))
        return text


class CsvConfirmForm(forms.Form):
    text = forms.CharField(widget=forms.HiddenInput, max_length=CsvUploadForm.MAX_BYTES, strip=False)
