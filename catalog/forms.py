from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import licences
from catalog.models import Category, Level


class DesignFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=[("", _("Any level")), *Level.choices], coerce=int, required=False, empty_value=None
    )
    licence = forms.ChoiceField(label=_("Licence"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.order_by("path"), required=False, empty_label=_("Any category")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        known = {**licences.HARDWARE, **licences.SOFTWARE, **licences.DOCUMENTATION}
        self.fields["licence"].choices = [("", _("Any licence"))] + [(spdx, spdx) for spdx in sorted(known)]

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())
