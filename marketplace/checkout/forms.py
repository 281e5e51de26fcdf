"""The guest's one-page checkout: who to tell and how to pay (the shipping address is Oscar's own form)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class GuestCheckoutForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254,
                             help_text=_("Where we send the order confirmation and, for a bank transfer, the bank "
                                         "details."))  # fmt: skip
    payment_method = forms.ChoiceField(label=_("How would you like to pay?"), widget=forms.RadioSelect)

    def __init__(self, *args, methods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = methods
        self.fields["payment_method"].initial = methods[0][0]
