"""The designs directory's filters: the catalogue's (search, level, licence, category) plus the Specifications
Metric's score."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.forms import DesignFilterForm

SCORE_FLOORS = [("", _("Any score")), ("50", _("50 % and over (high relevance)")), ("75", _("75 % and over")),
                ("90", _("90 % and over"))]  # fmt: skip
SORTS = [("", _("Name")), ("score", _("Specifications score, highest first"))]


class DirectoryFilterForm(DesignFilterForm):
    score = forms.TypedChoiceField(
        label=_("Specifications score"), choices=SCORE_FLOORS, coerce=int, required=False, empty_value=None
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # Bootstrap's sizes: six filters fit a row, and a phone's width
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
