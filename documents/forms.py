"""Forms for documents; bodies are cleaned by documents.sanitise."""

from django import forms

from documents.models import DocumentTemplate
from documents.sanitise import sanitise_html
from sentences.models import Sentence


class SentenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Sentence) -> str:
        return f"{obj} ({obj.get_status_display().lower()})"


class DocumentCreateForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=DocumentTemplate.objects.none(),
        label="Kind of document",
        help_text="The document is generated from the record; you can edit it before finalising it.",
    )
    sentence = SentenceChoiceField(
        queryset=Sentence.objects.none(),
        required=False,
        empty_label="Not about one sentence",
        help_text="The sentence the document is about, if any.",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave blank for the kind of document and the offender's name.",
    )

    def __init__(self, *args, offender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = DocumentTemplate.objects.filter(active=True).order_by("name")
        self.fields["sentence"].queryset = Sentence.objects.filter(offender=offender).order_by("-start_date")


class DocumentReviseForm(forms.Form):
    body_html = forms.CharField(
        label="Document (HTML)",
        widget=forms.Textarea(attrs={"rows": 24, "class": "input--code", "spellcheck": "true"}),
        help_text="Plain formatting only: headings, paragraphs, lists, tables, bold and italic. Scripts, "
        "styles, images and links are removed when you save.",
    )
    note = forms.CharField(
        label="What you changed", max_length=300, required=False, help_text="Shown in the list of versions."
    )

    def clean_body_html(self):
        body = sanitise_html(self.cleaned_data["body_html"]).strip()
        if not body:
            raise forms.ValidationError("The document cannot be empty.")
        return body
