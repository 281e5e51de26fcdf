import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.generic.validators import IBANValidator

from marketplace.revenue.models import AllocationPolicy, FundProject

MAX_DISBURSEMENT = Decimal("1000000.00")  # more than the fund will hold for years; a slip of the keyboard is caught

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


class DisbursementForm(forms.Form):
    """A payment out of the campus fund, as staff record it once it is paid. Its receipt is checked by the service
    (``revenue.receipts``), which also refuses more than the fund holds."""

    project = forms.ModelChoiceField(
        label=_("Project"), queryset=FundProject.objects.order_by("name"),
        error_messages={"invalid_choice": _("That project no longer exists: pick one from the list.")},
    )  # fmt: skip
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_DISBURSEMENT,
        help_text=_("What left the fund, in the shop's currency, e.g. 1250.00."),
        error_messages={"invalid": _("Give the amount as a number, e.g. 1250.00."),
                        "max_decimal_places": _("Give the amount in cents at most, e.g. 1250.00.")},
    )  # fmt: skip
    value_date = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("The day the money was paid; the month it counts in."))  # fmt: skip
    description = forms.CharField(label=_("What it paid for"), max_length=255)
    receipt = forms.FileField(label=_("Receipt"), help_text=_("A PDF, JPEG or PNG, at most 5 MB."))
    receipt_public = forms.BooleanField(
        label=_("Show the receipt publicly"), required=False,
        help_text=_("Tick once you have checked that the receipt shows no private person's address or account."),
    )  # fmt: skip

    def clean_value_date(self):
        day = self.cleaned_data["value_date"]
        if day > timezone.localdate():
            raise ValidationError(_("Record a disbursement once it is paid: the date cannot be in the future."))
        if day.year < 2000:
            raise ValidationError(_("Give the day the money was paid, e.g. %(today)s.")
                                  % {"today": timezone.localdate().isoformat()})  # fmt: skip
        return day
