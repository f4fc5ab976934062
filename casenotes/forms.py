"""Forms for adding and amending casenotes; casenotes.services does the writing."""

from django import forms
from django.utils import timezone

from casenotes.models import CasenoteType
from sentences.models import Sentence

# The system and the allocation service write these types themselves.
STAFF_NOTE_TYPES = [
    (value, label)
    for value, label in CasenoteType.choices
    if value not in {CasenoteType.SYSTEM, CasenoteType.ALLOCATION}
]


class SentenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Sentence) -> str:
        return f"{obj} ({obj.get_status_display().lower()})"


class CasenoteForm(forms.Form):
    note_type = forms.ChoiceField(label="Type", choices=STAFF_NOTE_TYPES, initial=CasenoteType.CONTACT)
    contact_on = forms.DateTimeField(
        label="When did the contact or action happen?",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Date and time. It cannot be in the future.",
        error_messages={
            "required": "Enter when the contact or action happened.",
            "invalid": "Enter the date and time the contact or action happened.",
        },
    )
    summary = forms.CharField(
        label="Summary",
        max_length=200,
        help_text="One line, shown in lists.",
        error_messages={"required": "Enter a one-line summary of the note."},
    )
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter the note."},
    )
    sentence = SentenceChoiceField(
        label="Sentence",
        queryset=Sentence.objects.none(),
        required=False,
        empty_label="Not about one sentence",
        help_text="Link the note to one of this offender's sentences.",
    )
    sensitive = forms.BooleanField(
        label="Sensitive note",
        required=False,
        help_text="Only staff with the sensitive-casenote permission will see it.",
    )

    def __init__(self, *args, offender, may_write_sensitive: bool, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "contact_on", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.fields["sentence"].queryset = Sentence.objects.filter(offender=offender).order_by("-start_date")
        if not may_write_sensitive:
            del self.fields["sensitive"]


class CasenoteAmendForm(forms.Form):
    text = forms.CharField(
        label="Corrected note",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The original stays on the record as written; this correction is shown beneath it.",
        error_messages={"required": "Enter the corrected note."},
    )
    reason = forms.CharField(
        label="Why is the note being corrected?",
        max_length=300,
        error_messages={"required": "Say why the note is being corrected."},
    )
    summary = forms.CharField(
        label="Summary of the correction",
        max_length=200,
        required=False,
        help_text="Leave blank for “Correction: ” and the original summary.",
    )
