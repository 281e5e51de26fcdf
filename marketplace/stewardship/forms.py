import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.stewardship.models import MAX_KG, MAX_QUOTE, RecoveredMaterial, ServiceRequest


class LookupForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"), max_length=40, help_text=_("As printed on the label, e.g. OSE-7K3Q-9XPM-V")
    )


class AskForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What you need"),
        choices=ServiceRequest.KIND_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "custom-control-input"}),
    )
    description = forms.CharField(
        label=_("What is wrong, or what you would like"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.CharField(
        label=_("Where the unit is"), max_length=100,
        help_text=_("A city and its country code, e.g. Berlin, DE: the nearest operator is asked."),
    )  # fmt: skip


class TransferForm(forms.Form):
    email = forms.EmailField(label=_("The new owner's e-mail address"), max_length=254)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why you decline"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class QuoteForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_value=MAX_QUOTE, max_digits=10, decimal_places=2,
        help_text=_("What the owner pays through the shop's checkout; the ledger splits it like any sale."),
    )  # fmt: skip
    covers = forms.CharField(label=_("What it covers"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


# What a public text must not hold: an e-mail address, or a phone number (nine digits or more, with spaces, dots,
# dashes or brackets between them; a serial's eight characters are not one).
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DIGIT_RUN = re.compile(r"\d[\d\s().-]{7,}\d")


def holds_contact_details(text: str) -> bool:
    return bool(EMAIL.search(text)) or any(sum(c.isdigit() for c in run) >= 9 for run in DIGIT_RUN.findall(text))


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the unit's public page: no names, please."),
    )  # fmt: skip

    def __init__(self, *args, take_back=False, price_paid=None, **kwargs):
        super().__init__(*args, **kwargs)
        if take_back:
            for stream, label in RecoveredMaterial.STREAM_CHOICES:
                self.fields[stream] = forms.DecimalField(
                    label=_("%(stream)s recovered (kg)") % {"stream": label}, min_value=Decimal("0"),
                    max_value=MAX_KG, max_digits=9, decimal_places=3, required=False,
                )  # fmt: skip
            self.fields["credit"] = forms.DecimalField(
                label=_("Credit to the owner"), min_value=Decimal("0"), max_value=price_paid, max_digits=10,
                decimal_places=2, required=False,
                help_text=_("A voucher for the owner's next order, up to the unit's price paid (%(paid)s); 0 for none.")
                % {"paid": price_paid},
            )  # fmt: skip

    def clean_outcome(self):
        outcome = self.cleaned_data["outcome"]
        if holds_contact_details(outcome):
            raise forms.ValidationError(_("This text is public on the unit's page: leave out e-mail addresses and "
                                          "phone numbers (and names); say what was done to the unit."))
        return outcome

    def materials(self) -> dict:
        return {stream: self.cleaned_data.get(stream) for stream, _label in RecoveredMaterial.STREAM_CHOICES
                if stream in self.cleaned_data}  # fmt: skip
