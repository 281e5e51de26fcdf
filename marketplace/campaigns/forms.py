from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.campaigns.models import Campaign, referral_code

MOST = Decimal("1000000.00")  # no campaign of a shop this size spends a million from the pool in one go
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01"), "max_value": MOST}
MONEY_ERRORS = {
    "min_value": _("Enter an amount of at least 0.01."),
    "max_value": _("Enter an amount up to 1,000,000.00."),
    "max_decimal_places": _("Enter the amount in cents at most (two decimals)."),
    "invalid": _("Enter an amount as a number, e.g. 250.00."),
}


class ProposalForm(forms.ModelForm):
    budget = forms.DecimalField(label=_("Budget"), help_text=_("The most the campaign may spend from the pool."),
                                error_messages=MONEY_ERRORS, **MONEY)  # fmt: skip

    class Meta:
        model = Campaign
        fields = ["title", "description", "budget", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A campaign ends on or after the day it starts."))
        return cleaned


class SpendingForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), error_messages=MONEY_ERRORS, **MONEY)
    paid_for = forms.CharField(label=_("What it paid for"), max_length=200,
                               help_text=_("Shown on the public campus-fund page with the amount."))  # fmt: skip


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             max_length=2000)  # fmt: skip


class ReferralCodeForm(forms.Form):
    referral_code = forms.CharField(label=_("Referral code"), max_length=16)

    def clean_referral_code(self):
        code = self.cleaned_data["referral_code"].strip().upper()
        referral_code(code)
        return code
