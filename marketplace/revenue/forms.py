from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.revenue.models import AllocationPolicy

POLICY_FIELDS = [
    "campus_fund_minimum_percent", "marketing_percent", "royalty_percent", "card_fee_percent", "card_fee_fixed",
    "payout_threshold",
]  # fmt: skip


class PolicyForm(forms.ModelForm):
    """A new allocation policy; the model's own validation (ranges, shares under 100% together) runs on submit."""

    class Meta:
        model = AllocationPolicy
        fields = POLICY_FIELDS

    @classmethod
    def from_policy(cls, policy: AllocationPolicy) -> "PolicyForm":
        return cls(initial={name: getattr(policy, name) for name in POLICY_FIELDS})


class SettlePayoutForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment reference"), max_length=128, help_text=_("The bank transfer's reference, for the records.")
    )
