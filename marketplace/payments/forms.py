from decimal import Decimal

from django import forms

from marketplace.forms import AmountField


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


class ConfirmPaymentForm(forms.Form):
    """The bank transfer's reference, as the bank shows it (a NUL, which PostgreSQL cannot store, is refused)."""

    reference = forms.CharField(label="Reference", required=False, max_length=128)
