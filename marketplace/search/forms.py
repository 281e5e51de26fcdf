"""The shop's search and browse form: a plain Django form, validated, with no search engine behind it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Level


class SearchForm(forms.Form):
    RELEVANCY = "relevancy"
    NEWEST = "newest"
    PRICE_LOW_TO_HIGH = "price-asc"
    PRICE_HIGH_TO_LOW = "price-desc"
    TITLE_A_TO_Z = "title-asc"
    TITLE_Z_TO_A = "title-desc"
    SORT_BY_CHOICES = [
        (RELEVANCY, _("Relevancy")),
        (NEWEST, _("Newest")),
        (PRICE_LOW_TO_HIGH, _("Price low to high")),
        (PRICE_HIGH_TO_LOW, _("Price high to low")),
        (TITLE_A_TO_Z, _("Title A to Z")),
        (TITLE_Z_TO_A, _("Title Z to A")),
    ]

    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Search"),
        widget=forms.TextInput(attrs={"placeholder": _("Search"), "class": "form-control", "type": "search"}),
    )
    sort_by = forms.ChoiceField(label=_("Sort by"), choices=SORT_BY_CHOICES, required=False)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=[("", _("Any level")), *Level.choices], coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        kwargs.pop("categories", None)
        super().__init__(*args, **kwargs)

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())


BrowseCategoryForm = SearchForm
CategoryForm = SearchForm
