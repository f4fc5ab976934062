import datetime

from django import forms
from django.core.exceptions import ValidationError

from appointments.models import DIARY_OUTCOMES, AppointmentKind, AppointmentStatus, Frequency, ReminderChannel
from appointments.services import ZONE
from ioms.forms import DateField, TimeField
from staff.models import Office, StaffMember

REPEAT_CHOICES = [("", "Does not repeat"), *Frequency.choices]


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member: StaffMember) -> str:
        return member.user.get_full_name() or str(member)


class TimesForm(forms.Form):
    on = DateField(label="Date")
    starts = TimeField(label="Starts at")
    ends = TimeField(label="Ends at")

    def clean(self):
        data = super().clean()
        if data.get("on") and data.get("starts") and data.get("ends"):
            data["starts_at"] = datetime.datetime.combine(data["on"], data["starts"], tzinfo=ZONE)
            data["ends_at"] = datetime.datetime.combine(data["on"], data["ends"], tzinfo=ZONE)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("ends", "The appointment must end after it starts.")
        return data


class AppointmentForm(TimesForm):
    kind = forms.ChoiceField(label="Kind of appointment", choices=AppointmentKind.choices)
    officer = OfficerChoiceField(label="Officer", queryset=StaffMember.objects.none())
    office = forms.ModelChoiceField(label="Office", queryset=Office.objects.none())
    location = forms.CharField(
        label="Where", max_length=200, required=False, help_text="Room, address or phone number."
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    frequency = forms.ChoiceField(label="Repeats", choices=REPEAT_CHOICES, required=False)
    every_days = forms.IntegerField(
        label="Days apart (every so many days)", min_value=1, max_value=90, required=False
    )
    until = DateField(label="Repeat until", required=False)
    occurrences = forms.IntegerField(
        label="Or number of appointments", min_value=1, max_value=104, required=False
    )
    field_order = ["kind", "officer", "office", "on", "starts", "ends", "location", "notes"]

    def __init__(self, *args, officers, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["office"].queryset = offices

    def clean(self):
        data = super().clean()
        if data.get("frequency") and not data.get("until") and not data.get("occurrences"):
            self.add_error("until", "Say when the series ends: a date or a number of appointments.")
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(value, AppointmentStatus(value).label) for value in DIARY_OUTCOMES],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for an acceptable failure to attend (the evidence) "
        "and for a cancellation (the reason).",
    )


class RescheduleForm(TimesForm):
    reason = forms.CharField(
        label="Reason for rescheduling", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChangeForm(TimesForm):
    officer = OfficerChoiceField(label="Officer", queryset=StaffMember.objects.none())
    location = forms.CharField(label="Where", max_length=200, required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    apply_to_following = forms.BooleanField(
        label="Also change the later appointments of this series", required=False
    )

    def __init__(self, *args, officers, in_series: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        if not in_series:
            del self.fields["apply_to_following"]


class ContactLevelForm(forms.Form):
    every_days = forms.IntegerField(
        label="Days between contacts",
        min_value=1,
        max_value=90,
        help_text="How often the person must be seen: 7 is every week, 14 every fortnight (1 to 90).",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this person is seen more or less often than their sentence sets.",
    )
    starts_on = DateField(label="From")
    ends_on = DateField(label="Until", required=False, help_text="Leave blank to keep it until changed.")


class ReminderPreferenceForm(forms.Form):
    channel = forms.ChoiceField(
        label="How should reminders be sent?",
        choices=ReminderChannel.choices,
        widget=forms.RadioSelect,
        help_text="A reminder goes the day before each appointment. It gives only the day, the time, "
        "the office's address for an office visit, and the office's phone number.",
    )

    def __init__(self, *args, offender, **kwargs):
        super().__init__(*args, **kwargs)
        phone, email = offender.phone.strip(), offender.email.strip()
        self.fields["channel"].choices = [
            (
                ReminderChannel.TEXT,
                f"Text message to {phone}" if phone else "Text message (no phone number on the record)",
            ),
            (
                ReminderChannel.EMAIL,
                f"E-mail to {email}" if email else "E-mail (no e-mail address on the record)",
            ),
            (ReminderChannel.NONE, "No reminders"),
        ]


def parse_day(value, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        raise ValidationError("Give the day as YYYY-MM-DD.") from None
