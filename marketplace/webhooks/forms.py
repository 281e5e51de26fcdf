from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.webhooks.models import EVENT_TYPES


class EndpointForm(forms.Form):
    # a plain text field: the service says why a URL is refused (internal address, http, no host), in words
    url = forms.CharField(
        label=_("URL"), max_length=500,
        help_text=_("An https address of your own system that answers 2xx to a POST, e.g. https://erp.example.com/hooks/oss."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
        error_messages={"max_length": _("Keep the URL under 500 characters.")},
    )  # fmt: skip
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENT_TYPES, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event to receive."),
                        "invalid_choice": _("Choose among the events listed.")},
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False,
        help_text=_("For you: which system this is (shown only in your dashboard)."),
        error_messages={"max_length": _("Keep the description under 200 characters.")},
    )  # fmt: skip


class EndpointSettingsForm(EndpointForm):
    active = forms.BooleanField(label=_("Active (events are sent to it)"), required=False)
