"""The guest's one-page checkout (who to tell, how to pay), and Oscar's shipping address form with a quicker
country list."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import forms as oscar_forms


class GuestCheckoutForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254,
                             help_text=_("Where we send the order confirmation and, for a bank transfer, the bank "
                                         "details."))  # fmt: skip
    payment_method = forms.ChoiceField(label=_("How would you like to pay?"), widget=forms.RadioSelect)

    def __init__(self, *args, methods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = methods
        self.fields["payment_method"].initial = methods[0][0]


class CountrySelect(forms.Select):
    """A select that writes its options itself: Django renders each option through a template, which for the
    two hundred or so shipping countries costs every address page about 13 ms."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((key, mark_safe(" selected") if str(key) == chosen else "", label) for key, label in self.choices),
        )  # fmt: skip
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           options)  # fmt: skip


class ShippingAddressForm(oscar_forms.ShippingAddressForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "country" in self.fields:
            field = self.fields["country"]
            # the countries Oscar has just read (not Django's iterator, which counts and reads them again at each
            # rendering); what is posted is still checked against the shipping countries
            choices = [(country.pk, field.label_from_instance(country)) for country in field.queryset]
            field.widget = CountrySelect(attrs=field.widget.attrs, choices=choices)
