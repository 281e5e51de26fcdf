"""The guest's one-page checkout (who to tell, how to pay), and Oscar's shipping address form with a quicker
country list."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import forms as oscar_forms
from oscar.apps.customer.utils import normalise_email
from oscar.core.loading import get_model

Country = get_model("address", "Country")
User = get_user_model()


class PaymentChoiceForm(forms.Form):
    """How the shopper pays, on the one-page checkout."""

    payment_method = forms.ChoiceField(label=_("How would you like to pay?"), widget=forms.RadioSelect)

    def __init__(self, *args, methods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = methods
        self.fields["payment_method"].initial = methods[0][0]


class GuestCheckoutForm(PaymentChoiceForm):
    email = forms.EmailField(label=_("Your email address"), max_length=254,
                             help_text=_("Where we send the order confirmation and, for a bank transfer, the bank "
                                         "details."))  # fmt: skip

    def clean_email(self):
        """As Oscar's checkout gateway: the address with its domain lower-cased, and a guest whose e-mail (in any
        letter case) belongs to an account is asked to sign in, unless ``OSCAR_ALLOW_GUEST_CHECKOUT_WITH_ACCOUNT``."""
        email = normalise_email(self.cleaned_data["email"])
        accounts = User._default_manager.filter(email__iexact=email)
        if not settings.OSCAR_ALLOW_GUEST_CHECKOUT_WITH_ACCOUNT and accounts.exists():
            raise forms.ValidationError(_("An account uses this email address: sign in to check out with it, or use "
                                          "another address."))  # fmt: skip
        return email


class ShipToForm(forms.Form):
    """Where a signed-in shopper's order ships: one of their saved addresses (the first of ``addresses`` is chosen
    for them), or a new one typed in the address form beside it."""

    NEW = "new"
    ship_to = forms.ChoiceField(widget=forms.RadioSelect, error_messages={
        "required": _("Choose where to ship."),
        # a saved address removed, or in a country the shop no longer ships to, since the page was opened
        "invalid_choice": _("That address can no longer be used: it was removed, or we no longer ship to its "
                            "country. Choose another address below, or ship to a new one."),
    })  # fmt: skip

    def __init__(self, *args, addresses: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(address.pk): address for address in addresses}
        self.fields["ship_to"].choices = [*((key, address.summary) for key, address in self.addresses.items()),
                                          (self.NEW, _("A new address"))]  # fmt: skip
        self.fields["ship_to"].initial = next(iter(self.addresses), self.NEW)

    def chosen_value(self) -> str:
        return str(self["ship_to"].value() or "")

    def wants_new_address(self) -> bool:
        return self.chosen_value() == self.NEW

    def chosen_address(self):
        """The saved address chosen (a valid form), or None for a new one."""
        return self.addresses.get(self.cleaned_data["ship_to"])


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


SHIPPING_COUNTRIES_KEY = "checkout:shipping-countries:v2"
COUNTRY_FIELDS = ("iso_3166_1_a2", "iso_3166_1_a3", "iso_3166_1_numeric", "printable_name", "name", "display_order",
                  "is_shipping_country")  # fmt: skip


def _shipping_country_rows() -> list[dict]:
    rows = cache.get(SHIPPING_COUNTRIES_KEY)
    if rows is None:
        rows = list(Country._default_manager.filter(is_shipping_country=True).values(*COUNTRY_FIELDS))
        cache.set(SHIPPING_COUNTRIES_KEY, rows, 3600)
    return rows


def shipping_countries() -> list[tuple[str, str]]:
    """The countries the shop ships to, as (code, name), from the cache: about 250 rows that change when staff edit
    a country (``forget_shipping_countries``), not for every address form."""
    return [(row["iso_3166_1_a2"], row["printable_name"] or row["name"]) for row in _shipping_country_rows()]


def shipping_country(code) -> "Country | None":
    """The shipping country with this code, as its row (from the cached list, no query), or None if the shop does
    not ship there."""
    for row in _shipping_country_rows():
        if row["iso_3166_1_a2"] == code:
            country = Country(**row)
            country._state.adding = False  # a stored row, read earlier
            return country
    return None


def forget_shipping_countries(**kwargs) -> None:
    cache.delete(SHIPPING_COUNTRIES_KEY)


class ShippingCountryField(forms.ModelChoiceField):
    """A country the shop ships to, checked against the cached list: the posted code is not looked up again."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        country = shipping_country(value)
        if country is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return country


class ShippingAddressForm(oscar_forms.ShippingAddressForm):
    """Oscar's, the country checked against the cached shipping countries. It is a field of the form, not of the
    model form's own: Django would otherwise look the country up again to validate the address it builds."""

    country = ShippingCountryField(queryset=Country._default_manager.filter(is_shipping_country=True),
                                   label=_("Country"), empty_label=None)  # fmt: skip
    field_order = [*oscar_forms.ShippingAddressForm.Meta.fields]

    class Meta(oscar_forms.ShippingAddressForm.Meta):
        fields = [name for name in oscar_forms.ShippingAddressForm.Meta.fields if name != "country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "country" in self.fields and self.instance.country_id and "country" not in self.initial:
            self.initial["country"] = self.instance.country_id

    def adjust_country_field(self):
        """Oscar's, from the cached list: one country needs no question; several are offered in a list written
        without a template per option (what is posted is still checked against the shipping countries)."""
        countries = shipping_countries()
        if len(countries) == 1:
            self.fields.pop("country", None)
            self.instance.country = shipping_country(countries[0][0])
            return
        field = self.fields["country"]
        # no country is chosen for the shopper (the first in the list was Afghanistan): a missing one is asked for
        field.error_messages["required"] = "Choose the country to ship to."
        field.widget = CountrySelect(attrs=field.widget.attrs, choices=[("", "Choose your country…"), *countries])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("country") is not None:
            self.instance.country = cleaned["country"]
        return cleaned


class GatewayForm(oscar_forms.GatewayForm):
    """Oscar's checkout gateway, its wrong-password answer in the shop's words: there are no usernames here, and the
    e-mail address's letter case does not matter (Django's message says both may be case-sensitive)."""

    error_messages = {
        **oscar_forms.GatewayForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account. Check the password (its letter "
                           "case matters), or check out as a guest."),
    }  # fmt: skip
