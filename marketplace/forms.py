"""Form pieces the shop's own small forms share: an amount of money in cents, and a form's errors said in one message
(for the pages that answer a post with a message and a redirect)."""

from django import forms


class AmountField(forms.DecimalField):
    """An amount in cents that fits a money column (12 digits, 2 after the point). Django's field reads it with
    ``Decimal`` and checks it digit by digit, so ``NaN``, ``1e999999999`` or five thousand nines are refused with a
    message, never rounded (which overflows the decimal context)."""

    default_error_messages = {
        "invalid": "That is not an amount: write a number such as 12.50.",
        "max_digits": "That is too large an amount.",
        "max_whole_digits": "That is too large an amount.",
        "max_decimal_places": "That is not an amount in cents: at most two digits after the point.",
        "min_value": "Amounts cannot be negative.",
        "required": "Give the amount.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


def errors_as_message(form: forms.BaseForm) -> str:
    """Every error of ``form`` in one line, each field's named by its label (``Shipping: That is too large ...``)."""
    said = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        said += [f"{label}: {error}" if label else str(error) for error in errors]
    return " ".join(said)
