"""Forms for documents; bodies are cleaned by documents.sanitise."""

from django import forms

from documents.models import DocumentTemplate, IssueMethod, RecipientKind, ReportKind
from documents.sanitise import sanitise_html
from ioms.forms import DateField
from sentences.models import Sentence
from staff.models import Office, OfficeKind


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
        # Reports have their own pages (assembled from the record, approved and issued).
        self.fields["template"].queryset = DocumentTemplate.objects.filter(
            active=True, report_kind=""
        ).order_by("name")
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


# --- reports -------------------------------------------------------------------------------------


class ReportAssembleForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of report",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        help_text="Who the report is for decides what it is assembled from.",
    )
    sentence = SentenceChoiceField(
        queryset=Sentence.objects.none(),
        required=False,
        empty_label="Not about one sentence",
        help_text="A Parole Board report needs the sentence of imprisonment; a breach report the sentence "
        "breached.",
    )
    due_on = DateField(
        label="Due (hearing date)",
        help_text="The date of the court hearing or Parole Board hearing the report is for.",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave blank for the kind of report and the offender's name.",
    )
    # The chosen casenotes are read by the view: ticked on the page shown, carried from the others.

    def __init__(self, *args, offender, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sentence"].queryset = Sentence.objects.filter(offender=offender).order_by("-start_date")


class ReportAddendumForm(forms.Form):
    due_on = DateField(
        label="Due (hearing date)",
        help_text="The hearing the addendum is for.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave blank for “Addendum to” and the report's title."
    )


class ReportNoteForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in the report's history.",
    )


class ReportDecisionForm(forms.Form):
    APPROVE, RETURN = "approve", "return"
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve this version for issue"), (RETURN, "Return it to the author")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason or note",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when returning: say what the author needs to change.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say what the author needs to change.")
        return cleaned


class ReportReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the report is no longer needed; shown in the report's history.",
    )


class CourtChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Office) -> str:
        return obj.name


class ReportIssueForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label="Issued to", choices=RecipientKind.choices, widget=forms.RadioSelect
    )
    recipient_court = CourtChoiceField(
        label="Court",
        queryset=Office.objects.none(),
        required=False,
        empty_label="Choose a court",
        help_text="When issuing to a court.",
    )
    recipient_name = forms.CharField(
        label="Other recipient",
        max_length=200,
        required=False,
        help_text="When issuing to someone else: the person or organisation.",
    )
    method = forms.ChoiceField(label="How it is sent", choices=IssueMethod.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        max_length=300, required=False, help_text="For example the court's reference or the e-mail address."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_court"].queryset = Office.objects.filter(kind=OfficeKind.COURT).order_by(
            "name"
        )
