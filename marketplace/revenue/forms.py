import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from localflavor.generic.validators import IBANValidator

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


LOOKS_LIKE_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+")


class PayoutDetailsForm(forms.Form):
    """Where the shop pays an operator by hand: the account holder, and an IBAN (checked, digit by digit) or, where
    banks have none, the account and routing number as the bank writes them."""

    holder = forms.CharField(label=_("Account holder"), max_length=150)
    details = forms.CharField(label=_("IBAN, or account and routing number"), max_length=140,
                              help_text=_("An IBAN such as DE89 3704 0044 0532 0130 00, or e.g. "
                                          "“ABA 021000021, account 123456789”."))  # fmt: skip

    def clean_details(self):
        details = " ".join(self.cleaned_data["details"].split())
        compact = details.replace(" ", "").upper()
        if LOOKS_LIKE_IBAN.fullmatch(compact):
            try:
                IBANValidator()(compact)
            except ValidationError:
                raise ValidationError(_("That IBAN is not valid: check its letters and digits.")) from None
            return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
        if not re.search(r"[0-9]{4}", details):
            raise ValidationError(_("Give an IBAN, or the account number and the bank's routing number."))
        return details
