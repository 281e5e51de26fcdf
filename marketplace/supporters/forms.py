from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.supporters import services
from marketplace.supporters.models import PLAN_AMOUNTS, TERM_MONTHS, Support


class PlanForm(forms.Form):
    """A supporter's choice: the monthly amount (one of the plans), the term and how to pay."""

    amount = forms.CharField(label=_("Monthly amount"), max_length=20)
    term = forms.ChoiceField(
        label=_("For how long"),
        choices=[("24", _("24 months (the original True Fans term)")), ("none", _("Until I cancel"))],
        initial="24",
        widget=forms.RadioSelect(attrs={"class": "custom-control-input"}),
    )
    method = forms.ChoiceField(label=_("How to pay"), widget=forms.RadioSelect(attrs={"class": "custom-control-input"}))

    def __init__(self, *args, card: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(Support.BANK, _("Bank standing order (the shop gives you its details and a reference)"))]
        if card:
            choices.insert(0, (Support.CARD, _("Card, charged monthly by Stripe")))
        self.fields["method"].choices = choices
        self.fields["method"].initial = choices[0][0]
        self.plans = [(f"{amount:.2f}", amount) for amount in PLAN_AMOUNTS]

    def clean_amount(self):
        try:
            return services.parse_amount(self.cleaned_data["amount"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_term(self):
        return TERM_MONTHS if self.cleaned_data["term"] == "24" else None


class OfferForm(forms.Form):
    enabled = forms.BooleanField(label=_("Offer True Fans supporter plans on my storefront"), required=False)
    pitch = forms.CharField(
        label=_("Pitch"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Plain text, up to 500 characters: what a supporter's month pays for."),
    )


class ReceivedForm(forms.Form):
    """Staff record a standing order's month: the amount that arrived (it must be the plan's)."""

    amount = forms.CharField(label=_("Amount received"), max_length=20)
