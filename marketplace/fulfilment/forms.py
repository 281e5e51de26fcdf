import re

from django import forms
from django.core.exceptions import ValidationError

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
