from django import forms


class ConfirmPaymentForm(forms.Form):
    """The bank transfer's reference, as the bank shows it (a NUL, which PostgreSQL cannot store, is refused)."""

    reference = forms.CharField(label="Reference", required=False, max_length=128)
