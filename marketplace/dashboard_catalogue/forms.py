from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.catalogue import forms as oscar_forms
from oscar.apps.dashboard.catalogue import formsets as oscar_formsets

from catalog import licences
from catalog.images import ReencodedImageField
from catalog.models import BillOfMaterialsLine, Design, DesignDocument, DesignImage, LicenceTerms, Product


def _attribute_image_field(attribute):
    return ReencodedImageField(label=attribute.name, required=attribute.required)


class ProductForm(oscar_forms.ProductForm):
    """Oscar's product form, plus the design a product belongs to (its level comes from its product class); an
    image attribute is checked and re-encoded like every other uploaded image."""

    FIELD_FACTORIES = {**oscar_forms.ProductForm.FIELD_FACTORIES, "image": _attribute_image_field}

    class Meta(oscar_forms.ProductForm.Meta):
        fields = ["design", *oscar_forms.ProductForm.Meta.fields]

    def __init__(self, product_class, *args, **kwargs):
        super().__init__(product_class, *args, **kwargs)
        if "design" in self.fields:
            self.fields["design"].required = bool(product_class and product_class.level)
            self.fields["design"].help_text = _("The open design this product is a level %(l)s offer of.") % {
                "l": product_class.level if product_class and product_class.level else "1-3"
            }


OWN_OFFER_MISSING = (
    "Add your offer: a price and stock for your storefront. A product an operator creates is sold through its own "
    "offer."
)


class StockRecordFormSet(oscar_formsets.StockRecordFormSet):
    """Oscar's offers (stock records) of the product form. Their tier rules read the product's categories, which the
    same form saves: the view checks them once the product, its categories and its offers are saved. A post with no
    offer form at all is answered too (Oscar pre-selects the operator's partner in the first form, and failed with
    an IndexError when there was none), and an operator missing its own offer is told in its words."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.instance.tier_rules_checked_after_save = True

    def set_initial_data(self):
        if self.forms:
            super().set_initial_data()

    def clean(self):
        try:
            super().clean()
        except ValidationError:
            raise ValidationError(OWN_OFFER_MISSING) from None


class LicenceDatalistInput(forms.TextInput):
    """A free-text SPDX field with the admissible identifiers offered as suggestions; the model validates."""

    def __init__(self, kind, attrs=None):
        super().__init__(attrs={**(attrs or {}), "list": f"spdx-{kind}"})
        self.kind = kind


class DesignForm(forms.ModelForm):
    class Meta:
        model = Design
        fields = [
            "name", "slug", "summary", "description", "category", "version", "repository_url",
            "hardware_licence", "software_licence", "documentation_licence", "is_production_machine",
            "cost_materials", "cost_labour", "cost_energy", "cost_shipping", "co2e_kg",
        ]  # fmt: skip
        widgets = {
            "hardware_licence": LicenceDatalistInput("hardware"),
            "software_licence": LicenceDatalistInput("software"),
            "documentation_licence": LicenceDatalistInput("documentation"),
            "description": forms.Textarea(attrs={"rows": 8, "class": "no-widget-init"}),
        }

    @staticmethod
    def licence_choices():
        return {kind: licences.choices(kind) for kind in licences.KINDS}

    def clean(self):
        cleaned = super().clean()
        for name in ("hardware_licence", "software_licence", "documentation_licence"):
            if cleaned.get(name):
                cleaned[name] = cleaned[name].strip()
        return cleaned


class DesignDocumentForm(forms.ModelForm):
    class Meta:
        model = DesignDocument
        fields = ["url", "status"]


DesignDocumentFormSet = inlineformset_factory(
    Design, DesignDocument, form=DesignDocumentForm, extra=0, can_delete=False, max_num=6
)
BillOfMaterialsFormSet = inlineformset_factory(
    Design,
    BillOfMaterialsLine,
    fk_name="design",
    fields=["component", "feedstock", "quantity", "unit", "supply"],
    extra=3,
    can_delete=True,
)
DesignImageFormSet = inlineformset_factory(
    Design,
    DesignImage,
    fields=["image", "caption", "display_order"],
    extra=1,
    can_delete=True,
    field_classes={"image": ReencodedImageField},
)
LicenceTermsFormSet = inlineformset_factory(
    Product,
    LicenceTerms,
    fields=["term_months", "territory", "unit_cap", "royalty_percent"],
    extra=1,
    max_num=1,
    can_delete=False,
)


class BaseLicenceTermsFormSet(LicenceTermsFormSet):
    """Terms of a level 3 licence, in Oscar's product form (Oscar's formsets take the product class and user)."""

    def __init__(self, product_class, user, *args, **kwargs):
        self.product_class = product_class
        super().__init__(*args, **kwargs)

    @property
    def is_licence(self) -> bool:
        return bool(self.product_class and self.product_class.level == 3)

    def clean(self):
        super().clean()
        filled = [form for form in self.forms if form.has_changed() or form.instance.pk]
        if self.is_licence and not filled:
            raise forms.ValidationError(
                _("A distribution licence needs its terms: term, territory, and a unit cap or a royalty.")
            )
        if not self.is_licence and any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(_("Only level 3 distribution licences have licence terms."))
