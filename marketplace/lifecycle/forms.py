from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.lifecycle import rules
from marketplace.lifecycle.models import QCStep

PASS, FAIL = "pass", "fail"
NUMBER_ERRORS = {
    "invalid": _("Enter the measured value as a number, e.g. 1.5 (a point for decimals, no unit)."),
    "max_digits": _("Enter a value below 10,000,000,000 with at most 4 decimals."),
    "max_decimal_places": _("Give at most 4 decimals."),
    "max_whole_digits": _("Enter a value below 10,000,000,000."),
    "required": _("Enter the value you measured."),
}


class QCRecordForm(forms.Form):
    """One field per step of the design's checklist: a measured value, or pass/fail."""

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps = list(steps)
        for step in self.steps:
            limits = rules.limits_text(min_value=step.min_value, max_value=step.max_value, unit=step.unit)
            if step.kind == QCStep.MEASURE:
                field = forms.DecimalField(
                    label=step.name, max_digits=14, decimal_places=4, error_messages=NUMBER_ERRORS,
                    help_text=_("Limits: %(limits)s") % {"limits": limits} if limits else step.unit,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )  # fmt: skip
            else:
                field = forms.ChoiceField(
                    label=step.name, choices=[(PASS, _("Pass")), (FAIL, _("Fail"))], widget=forms.RadioSelect,
                    error_messages={"required": _("Say whether this check passed.")},
                )  # fmt: skip
            self.fields[f"step_{step.pk}"] = field

    def answers(self) -> dict:
        answers = {}
        for step in self.steps:
            value = self.cleaned_data[f"step_{step.pk}"]
            answers[step.pk] = value if step.kind == QCStep.MEASURE else value == PASS
        return answers


LIMIT_ERRORS = {
    "invalid": _("Enter a limit as a number, e.g. 1.5, or leave it empty."),
    "max_digits": _("Enter a limit below 10,000,000,000 with at most 4 decimals."),
    "max_decimal_places": _("Give at most 4 decimals."),
    "max_whole_digits": _("Enter a limit below 10,000,000,000."),
}


class QCStepForm(forms.ModelForm):
    class Meta:
        model = QCStep
        fields = ["position", "name", "kind", "unit", "min_value", "max_value"]
        error_messages = {"min_value": LIMIT_ERRORS, "max_value": LIMIT_ERRORS,
                          "position": {"invalid": _("Enter a whole number from 0, e.g. 1.")}}  # fmt: skip
        widgets = {"position": forms.NumberInput(attrs={"min": 0, "max": 999, "style": "width: 5em"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean_position(self):
        position = self.cleaned_data.get("position")
        if position is not None and position > 999:
            raise forms.ValidationError(_("Give a position from 0 to 999."))
        return position

    def clean(self):
        cleaned = super().clean()
        kind, low, high = cleaned.get("kind"), cleaned.get("min_value"), cleaned.get("max_value")
        if kind == QCStep.CHECK and (low is not None or high is not None):
            self.add_error("kind", _("A pass/fail check has no limits: clear them, or choose “Measured value”."))
        if kind == QCStep.MEASURE and low is None and high is None and not self.errors.get("min_value"):
            self.add_error("min_value", _("Give at least one limit (at least, at most, or both) for a measured value."))
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("“At most” must not be below “at least”."))
        return cleaned


def checklist_formset(design, data=None):
    Formset = forms.modelformset_factory(QCStep, form=QCStepForm, extra=2, can_delete=True)
    return Formset(data, queryset=QCStep.objects.filter(design=design), prefix="steps")
