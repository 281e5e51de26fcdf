from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.supporters.models import SupporterUpdate


class UpdateForm(forms.Form):
    """An update to supporters: a subject and a Markdown body (HTML in it is sanitised where it is shown)."""

    subject = forms.CharField(label=_("Subject"), max_length=SupporterUpdate._meta.get_field("subject").max_length)
    body = forms.CharField(
        label=_("Your update"),
        max_length=SupporterUpdate._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **bold**, *italic*, [a link](https://…), lists with - . Supporters get it by e-mail."),
    )

    def clean_subject(self):
        subject = " ".join(self.cleaned_data["subject"].split())  # one line: no header injection, no stray spaces
        if not subject:
            raise forms.ValidationError(_("Write a subject."))
        return subject

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\x00", "").strip()
        if not body:
            raise forms.ValidationError(_("Write a few words."))
        return body
