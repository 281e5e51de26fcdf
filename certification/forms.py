from django import forms

from certification.models import Contribution, Review


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["kind", "description", "evidence_links"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "evidence_links": forms.Textarea(attrs={"rows": 3}),
        }


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(choices=Review.VERDICTS)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)


class CertificateFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Design")
    state = forms.ChoiceField(
        required=False, choices=[("valid", "Valid"), ("all", "All (valid, expired, revoked)")], label="Show"
    )


class ResultForm(forms.Form):
    measured_value = forms.DecimalField(max_digits=14, decimal_places=4)
    evidence_url = forms.URLField(assume_scheme="https", max_length=200)


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(choices=[("1", "Accept"), ("0", "Reject")], coerce=lambda value: value == "1")
    reason = forms.CharField(required=False, max_length=2000)
