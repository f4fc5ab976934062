"""Forms of the court message pages and the data-correction requests."""

from django import forms

from courts.models import CorrectionStatus, MessageStatus
from courts.schemas import MessageType
from reconciliation.models import OFFENDER_CORRECTION_FIELDS, SENTENCE_CORRECTION_FIELDS
from staff.models import Office, OfficeKind


class CourtMessageFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *MessageStatus.choices], required=False)
    message_type = forms.ChoiceField(
        label="Message type", choices=[("", "Any type"), *MessageType.choices], required=False
    )
    q = forms.CharField(
        label="Message ID, IOMS number or PRN",
        required=False,
        max_length=100,
        help_text="The start of a CMS message ID, or an exact number.",
    )


class MatchRejectForm(forms.Form):
    reason = forms.CharField(
        label="Why none of them is this person",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E.g. a different middle name and address; checked with the court registry.",
    )


class ConfirmForm(forms.Form):
    """A page whose only input is its button (confirming a match, retrying a message)."""


class CorrectionRequestForm(forms.Form):
    fields = forms.MultipleChoiceField(
        label="Fields in question",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the field or fields that are wrong."},
    )
    what_is_wrong = forms.CharField(
        label="What is wrong",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="As the courts' system sent it, e.g. “The expiry date is 3 May 2027”.",
    )
    should_be = forms.CharField(
        label="What it should be",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="And how you know: the court order, the release licence, the file.",
    )

    def __init__(self, *args, with_sentence: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("Offender", OFFENDER_CORRECTION_FIELDS)]
        if with_sentence:
            choices.append(("Sentence", SENTENCE_CORRECTION_FIELDS))
        self.fields["fields"].choices = choices


OUTSTANDING = "outstanding"


class CorrectionFilterForm(forms.Form):
    office = forms.ModelChoiceField(
        queryset=Office.objects.exclude(kind=OfficeKind.COURT).order_by("name"),
        required=False,
        empty_label="All offices",
    )
    status = forms.ChoiceField(
        choices=[(OUTSTANDING, "Outstanding (open or sent)"), ("", "Any status"), *CorrectionStatus.choices],
        required=False,
    )


class CorrectionSendForm(forms.Form):
    comment = forms.CharField(
        label="How it was sent",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="E.g. emailed to the Wellington District Court registry, their reference.",
    )


class CorrectionWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why it is withdrawn", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
