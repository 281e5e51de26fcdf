"""The questionnaire: each question of the version answered yes / partly / no (or not yet), with a note."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.specs.models import GROUPS, Answer

NOT_YET = ""


class AnswersForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, question_set, questions, existing, **kwargs):
        initial = {"version": question_set.version}
        for question in questions:
            answer = existing.get(question.pk)
            if answer is not None:
                initial[f"q{question.pk}"], initial[f"note{question.pk}"] = answer.value, answer.note
        super().__init__(*args, initial=initial, **kwargs)
        self.question_set, self.questions = question_set, questions
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=question.text, required=False, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                choices=[*Answer.VALUES, (NOT_YET, _("Not answered yet"))],
            )  # fmt: skip
            self.fields[f"note{question.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=1000, strip=True,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm",
                                             "placeholder": _("Why, or what is missing (optional)")}),
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            if cleaned.get(f"note{question.pk}") and not cleaned.get(f"q{question.pk}"):
                self.add_error(f"q{question.pk}", _("Answer yes, partly or no to keep the note, or clear the note."))
        return cleaned

    def answers(self) -> dict[int, tuple[str, str]]:
        return {q.pk: (self.cleaned_data.get(f"q{q.pk}") or NOT_YET, self.cleaned_data.get(f"note{q.pk}") or "")
                for q in self.questions}  # fmt: skip

    def groups(self) -> list[tuple[str, list]]:
        """(group label, [(question, its answer field, its note field)]) in the metric's group order."""
        labels = dict(GROUPS)
        grouped: dict[str, list] = {}
        for question in self.questions:
            grouped.setdefault(question.group, []).append(
                (question, self[f"q{question.pk}"], self[f"note{question.pk}"])
            )
        order = [code for code, _label in GROUPS if code in grouped] + [g for g in grouped if g not in labels]
        return [(str(labels.get(group, group)), grouped[group]) for group in order]
