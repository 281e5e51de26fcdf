import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from marketplace.forms import AmountField
from marketplace.fulfilment.models import OperatorOrder, OperatorOrderEvent

LICENCE_NUMBER = re.compile(r"OSE-L-[0-9]{7,20}-[0-9A-F]{8}")  # as delivery.licence_number writes them, ASCII only


class PartStatusForm(forms.Form):
    """An operator's update of its part of an order; carrier and tracking number as the parcel's label shows them.
    Text with a NUL (which PostgreSQL cannot store) is refused."""

    status = forms.ChoiceField(
        label="Status", choices=OperatorOrder.STATUS_CHOICES,
        error_messages={"invalid_choice": "Unknown status.", "required": "Choose a status."},
    )  # fmt: skip
    carrier = forms.CharField(label="Carrier", required=False, max_length=64)
    tracking_number = forms.CharField(label="Tracking number", required=False, max_length=64)
    note = forms.CharField(label="Note", required=False,
                           max_length=OperatorOrderEvent._meta.get_field("note").max_length)  # fmt: skip


SHAPE = "A licence number looks like OSE-L-0001234-1A2B3C4D."


class LicenceLookupForm(forms.Form):
    number = forms.CharField(label="Licence number", error_messages={"required": SHAPE,
                             "null_characters_not_allowed": SHAPE})  # fmt: skip

    def clean_number(self):
        number = self.cleaned_data["number"].upper()
        if not LICENCE_NUMBER.fullmatch(number):
            raise ValidationError(SHAPE)
        return number


class RefundForm(forms.Form):
    """What a refund of one operator's part asks for: an amount of each of the part's lines (``amount_<line id>``)
    and of its shipping charge. Only the part's own lines are fields, so any other ``amount_...`` is never read."""

    shipping_amount = AmountField(label="Shipping", min_value=0)

    def __init__(self, *args, line_ids, **kwargs):
        super().__init__(*args, **kwargs)
        for line_id in line_ids:
            self.fields[f"amount_{line_id}"] = AmountField(label=f"Line #{line_id}", min_value=0)

    def amounts(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix("amount_")): amount
            for name, amount in self.cleaned_data.items()
            if name.startswith("amount_") and amount is not None
        }

    def shipping(self) -> Decimal:
        return self.cleaned_data["shipping_amount"] or Decimal("0")
