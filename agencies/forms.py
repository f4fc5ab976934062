"""Forms for agencies, programmes, referrals and attendance (seed 001: agency accepted, changed,
discontinued; programme adopted, changed, discontinued)."""

from django import forms
from django.utils import timezone

from agencies.models import (
    REFERRAL_TRANSITIONS,
    Agency,
    AgencyStatus,
    Programme,
    ProgrammeStatus,
    Referral,
    ReferralStatus,
)
from agencies.services import AGENCY_FIELDS
from ioms.forms import DateField, date_formfield
from sentences.models import Sentence
from staff.models import Office, OfficeKind


class AgencyFilterForm(forms.Form):
    name = forms.CharField(required=False, max_length=150, label="Name contains")
    status = forms.ChoiceField(choices=[("", "All"), *AgencyStatus.choices], required=False)


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = AGENCY_FIELDS
        formfield_callback = date_formfield
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
        labels = {"accepted_on": "Accepted on", "kind": "Kind of agency"}
        help_texts = {"accepted_on": "The date the agency was accepted to provide programmes or services."}


class DiscontinueForm(forms.Form):
    """For an agency or a programme; field names match the services' errors."""

    discontinued_on = DateField(label="Discontinued on")
    discontinued_reason = forms.CharField(
        label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"discontinued_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ("name", "kind", "description", "office", "capacity", "adopted_on")
        formfield_callback = date_formfield
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        labels = {"adopted_on": "Adopted on", "office": "Delivered at office"}
        help_texts = {
            "office": "Leave blank if the programme is available to every office.",
            "capacity": "Places available at one time: a referral takes one when accepted. Leave blank "
            "if there is no limit.",
        }

    def __init__(self, *args, agency: Agency, **kwargs):
        self.agency = agency
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.active().exclude(kind=OfficeKind.COURT)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Programme.objects.filter(agency=self.agency, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"{self.agency} already has a programme called {name}.")
        return name

    def clean_adopted_on(self):
        adopted_on = self.cleaned_data["adopted_on"]
        if adopted_on and adopted_on < self.agency.accepted_on:
            accepted = f"{self.agency.accepted_on:%-d %b %Y}"
            raise forms.ValidationError(
                f"A programme cannot be adopted before its agency was accepted ({accepted})."
            )
        return adopted_on


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Programme) -> str:
        where = f", {obj.office.name}" if obj.office_id else ""
        return f"{obj.name} — {obj.agency.name}{where}"


class SentenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Sentence) -> str:
        return f"{obj} (ordered {obj.order_date:%-d %b %Y})"


class ReferForm(forms.Form):
    programme = ProgrammeChoiceField(queryset=Programme.objects.none(), label="Programme or service")
    referred_on = DateField(label="Referred on")
    sentence = SentenceChoiceField(
        queryset=Sentence.objects.none(),
        required=False,
        empty_label="Not for a particular sentence",
        help_text="The sentence the referral is part of, if any.",
    )

    def __init__(self, *args, offender, **kwargs):
        kwargs.setdefault("initial", {"referred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = (
            Programme.objects.filter(status=ProgrammeStatus.ADOPTED, agency__status=AgencyStatus.ACCEPTED)
            .select_related("agency", "office")
            .order_by("name", "agency__name")
        )
        self.fields["sentence"].queryset = Sentence.objects.current().filter(offender=offender)


class ReferralStatusForm(forms.Form):
    to_status = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    on = DateField(label="Date")
    starts_on = DateField(
        label="Starts on",
        required=False,
        help_text="When accepting: the date the offender starts the programme, if known.",
    )
    note = forms.CharField(
        label="Outcome note",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the programme was not completed: say why.",
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        allowed = REFERRAL_TRANSITIONS[referral.status]
        self.fields["to_status"].choices = [
            (value, label) for value, label in ReferralStatus.choices if value in allowed
        ]


class AttendanceForm(forms.Form):
    session_on = DateField(label="Session date")
    attended = forms.ChoiceField(
        label="Did the offender attend?",
        choices=[("yes", "Attended"), ("no", "Absent"), ("excused", "Absent, and the absence is excused")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for an absence: say why the offender was absent.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"session_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        answer = cleaned.pop("attended", None)
        if answer is not None:
            cleaned["attended"] = answer == "yes"
            cleaned["excused"] = answer == "excused"
        return cleaned
