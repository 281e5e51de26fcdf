from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.images import ReencodedImageField
from catalog.models import Category
from marketplace.storefronts import geo
from marketplace.storefronts.models import Storefront
from tiers.models import Tier

EDITABLE = [
    "name", "tagline", "about", "logo", "banner", "primary_colour", "accent_colour", "contact_email",
    "contact_phone", "city", "country", "latitude", "longitude", "campus_fund_percent", "shipping_charge",
]  # fmt: skip


class _LocatedForm(forms.ModelForm):
    """Latitude and longitude may be left empty: they are then looked up from the city."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["latitude"].required = self.fields["longitude"].required = False
        self.fields["latitude"].help_text = _("Leave empty to use the city's coordinates.")
        self.fields["shipping_charge"].required = False
        for name in ("primary_colour", "accent_colour"):
            self.fields[name].widget = forms.TextInput(attrs={"type": "color"})

    def clean_shipping_charge(self):
        charge = self.cleaned_data.get("shipping_charge")
        return Decimal("0.00") if charge is None else charge

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("latitude") is None or cleaned.get("longitude") is None:
            place = geo.locate(f"{cleaned.get('city', '')}, {cleaned.get('country', '')}")
            if place is None:
                raise forms.ValidationError(_("We could not find that city: give its latitude and longitude."))
            cleaned["latitude"] = Decimal(f"{place.latitude:.6f}")
            cleaned["longitude"] = Decimal(f"{place.longitude:.6f}")
            self.instance.latitude, self.instance.longitude = cleaned["latitude"], cleaned["longitude"]
        return cleaned


class StorefrontApplicationForm(_LocatedForm):
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.filter(requirements=[]),
        label=_("Starting tier"),
        help_text=_("New storefronts start in a tier without entry requirements; apply to move up once approved."),
    )

    class Meta:
        model = Storefront
        fields = ["slug", *EDITABLE, "tier"]
        field_classes = {"logo": ReencodedImageField, "banner": ReencodedImageField}


class StorefrontSettingsForm(_LocatedForm):
    class Meta:
        model = Storefront
        fields = [*EDITABLE, "custom_host"]
        field_classes = {"logo": ReencodedImageField, "banner": ReencodedImageField}

    def clean_custom_host(self):
        host = (self.cleaned_data.get("custom_host") or "").strip().lower()
        return host or None


class LocationForm(forms.Form):
    near = forms.CharField(
        label=_("Near"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("City, or latitude, longitude")}),
    )  # fmt: skip

    def location(self) -> geo.Location | None:
        if not self.is_valid() or not self.cleaned_data["near"]:
            return None
        return geo.locate(self.cleaned_data["near"])

    def clean_near(self):
        near = self.cleaned_data["near"].strip()
        if near and geo.locate(near) is None:
            raise forms.ValidationError(_("We could not find “%(near)s”: try a larger town nearby.") % {"near": near})
        return near


class DirectoryForm(LocationForm):
    tier = forms.ModelChoiceField(queryset=Tier.objects.all(), required=False, empty_label=_("Any tier"))
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(depth=1).order_by("path"), required=False, empty_label=_("Any category")
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class TierApplicationForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.all())
    motivation = forms.CharField(required=False, max_length=2000)
