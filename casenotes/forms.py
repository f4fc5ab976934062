"""Forms for adding and amending casenotes; casenotes.services does the writing."""

import datetime

from django import forms
from django.utils import timezone

from casenotes.models import CasenoteType
from ioms.forms import DateField, TimeField
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
    # When: the day in three boxes and the time in one (ioms.forms), read together as `contact_on`.
    # A browser's date-and-time box follows the computer's locale, which cannot be relied on.
    contact_day = DateField(
        label="Date of the contact or action",
        help_text="It cannot be in the future.",
        error_messages={"required": "Enter the date of the contact or action"},
    )
    contact_time = TimeField(label="Time of the contact or action")
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

    def __init__(self, data=None, *args, offender, may_write_sensitive: bool, **kwargs):
        now = timezone.localtime().replace(second=0, microsecond=0)
        kwargs.setdefault("initial", {}).update(contact_day=now.date(), contact_time=now.time())
        if data is not None and data.get("contact_on") and "contact_day_day" not in data:
            # A scripted post may give the moment whole, as an ISO date and time (the API's form).
            data = data.copy()
            try:
                moment = forms.DateTimeField().clean(data["contact_on"])
            except forms.ValidationError:
                moment = None  # then the date and time are missing, and the form says so
            if moment is not None:
                moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
                data["contact_day"] = moment.date().isoformat()
                data["contact_time"] = moment.strftime("%H:%M")
        super().__init__(data, *args, **kwargs)
        self.fields["sentence"].queryset = Sentence.objects.filter(offender=offender).order_by("-start_date")
        if not may_write_sensitive:
            del self.fields["sensitive"]

    def clean(self):
        data = super().clean()
        day, time = data.pop("contact_day", None), data.pop("contact_time", None)
        if day is not None and time is not None:
            data["contact_on"] = timezone.make_aware(datetime.datetime.combine(day, time))
        return data


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
