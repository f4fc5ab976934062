"""Forms for allocating staff to an offender's case and ending an allocation."""

from django import forms
from django.db.models import Count, Q
from django.utils import timezone

from allocation.models import CaseRole
from offenders.access import offender_office_ids
from sentences.models import Sentence
from staff.forms import DateInput
from staff.models import StaffMember


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StaffMember) -> str:
        position = f", {obj.position}" if obj.position else ""
        cases = "1 current case" if obj.caseload == 1 else f"{obj.caseload} current cases"
        return f"{obj} ({obj.office.name}{position}) — {cases}"


class SentenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Sentence) -> str:
        return f"{obj} (ordered {obj.order_date:%d %b %Y})"


class AllocateForm(forms.Form):
    staff = StaffChoiceField(
        queryset=StaffMember.objects.none(),
        label="Staff member",
        help_text="Active staff of the offender's offices, with the number of cases each holds now.",
    )
    role = forms.ChoiceField(choices=CaseRole.choices, initial=CaseRole.SUPERVISING_OFFICER, label="Role")
    started_on = forms.DateField(label="Starts on", widget=DateInput)
    sentence = SentenceChoiceField(
        queryset=Sentence.objects.none(),
        required=False,
        empty_label="The whole case",
        help_text="Choose a sentence if the allocation is for one sentence only.",
    )
    reason = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, offender, **kwargs):
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            StaffMember.objects.filter(active=True, office_id__in=offender_office_ids(offender))
            .select_related("user", "office")
            .annotate(caseload=Count("allocations", filter=Q(allocations__ended_on__isnull=True)))
            .order_by("office__name", "user__last_name", "user__first_name")
        )
        self.fields["sentence"].queryset = Sentence.objects.current().filter(offender=offender)


class AllocationEndForm(forms.Form):
    ended_on = forms.DateField(label="Ends on", widget=DateInput)
    end_reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: transferred, on leave, workload.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"ended_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on > timezone.localdate():
            raise forms.ValidationError("An allocation can only be ended today or earlier.")
        return ended_on
