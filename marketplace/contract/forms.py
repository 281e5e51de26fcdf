from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.contract.models import ContractVersion


class AcceptanceForm(forms.Form):
    """Name and e-mail (from the account, changeable) and the tick that accepts one version."""

    name = forms.CharField(label=_("Your full name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    accept = forms.BooleanField(required=True)

    def __init__(self, *args, version: ContractVersion, user, **kwargs):
        kwargs["initial"] = kwargs.get("initial") or {"name": user.get_full_name(), "email": user.email}
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["accept"].label = _("I accept version %(number)s of the OSE Social Contract") % {
            "number": version.number
        }
        self.fields["accept"].error_messages["required"] = _(
            "Tick “I accept version %(number)s” to go on: every storefront in the OSE network accepts the Social "
            "Contract. Nothing you typed is lost."
        ) % {"number": version.number}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give your full name: it is the name the acceptance is recorded under."))
        return name


class PublishForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the new version"), max_length=50000, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown. Once published it is never edited: a change is another version."),
    )  # fmt: skip
    grace_days = forms.IntegerField(
        label=_("Grace period (days)"), min_value=0, max_value=3650, initial=60,
        help_text=_("Operators who accepted the version before keep the OSE brand this many days."),
    )  # fmt: skip
    accept_by = forms.DateField(
        label=_("Or accept by"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("An explicit last day instead of the grace period (optional)."),
    )  # fmt: skip

    def clean_accept_by(self):
        day = self.cleaned_data.get("accept_by")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("That day is past: give a day from today on."))
        if day is not None and day > date(timezone.localdate().year + 10, 12, 31):
            raise forms.ValidationError(_("Give a day within the next ten years."))
        return day
