"""Forms for allocating staff to an offender's case and ending an allocation."""

from django import forms
from django.db.models import Count, Q
from django.utils import timezone

from allocation.models import CaseRole
from ioms.forms import DateField
from offenders.access import offender_office_ids
from sentences.models import Sentence, SentenceType
from staff.models import Office, OfficeKind, StaffMember


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StaffMember) -> str:
        position = f", {obj.position}" if obj.position else ""
        cases = "1 current case" if obj.caseload == 1 else f"{obj.caseload} current cases"
        return f"{obj} ({obj.office.name}{position}) — {cases}"


class SentenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Sentence) -> str:
        return f"{obj} (ordered {obj.order_date:%-d %b %Y})"


def _team_candidates(office_ids, *, exclude=None):
    """Active staff of these offices with the number of cases each holds now (one query)."""
    rows = (
        StaffMember.objects.filter(active=True, office_id__in=office_ids)
        .select_related("user", "office")
        .annotate(caseload=Count("allocations", filter=Q(allocations__ended_on__isnull=True)))
        .order_by("office__name", "user__last_name", "user__first_name")
    )
    return rows.exclude(pk=exclude.pk) if exclude is not None else rows


class AllocateForm(forms.Form):
    """Add a member to the offender's team (seed 004)."""

    staff = StaffChoiceField(
        queryset=StaffMember.objects.none(),
        label="Staff member",
        help_text="Active staff of the offender's offices, with the number of cases each holds now.",
    )
    role = forms.ChoiceField(
        choices=CaseRole.choices,
        initial=CaseRole.SUPERVISING_OFFICER,
        label="Role on the team",
        help_text="The offender manager works in the community; the offender supervisor at the prison.",
    )
    started_on = DateField(label="Starts on")
    sentence = SentenceChoiceField(
        queryset=Sentence.objects.none(),
        required=False,
        empty_label="The whole case",
        help_text="Choose a sentence if the allocation is for one sentence only.",
    )
    reason = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, offender, roles=None, office_ids=None, **kwargs):
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [(role, CaseRole(role).label) for role in roles]
            if roles and CaseRole.SUPERVISING_OFFICER not in roles:
                self.fields["role"].initial = roles[0]
        self.fields["staff"].queryset = _team_candidates(
            offender_office_ids(offender) if office_ids is None else office_ids
        )
        self.fields["sentence"].queryset = Sentence.objects.current().filter(offender=offender)


class TeamReplaceForm(forms.Form):
    """Replace one member of the team: the outgoing member's last day is the new member's first."""

    staff = StaffChoiceField(
        queryset=StaffMember.objects.none(),
        label="New member",
        help_text="Active staff who may hold this role, with the number of cases each holds now.",
    )
    on = DateField(
        label="Changes on",
        help_text="The outgoing member's last day and the new member's first.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: officer leaving, workload, moved to another unit.",
    )

    def __init__(self, *args, allocation, office_ids, **kwargs):
        from allocation.models import COMMUNITY_ONLY_ROLES, PRISON_ONLY_ROLES

        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        candidates = _team_candidates(office_ids, exclude=allocation.staff)
        if allocation.role in PRISON_ONLY_ROLES:
            candidates = candidates.filter(office__kind=OfficeKind.PRISON)
        elif allocation.role in COMMUNITY_ONLY_ROLES:
            candidates = candidates.filter(office__kind__in=(OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE))
        self.fields["staff"].queryset = candidates

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("A member can only be replaced today or earlier.")
        return on


class AllocationEndForm(forms.Form):
    ended_on = DateField(label="Ends on")
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


# --- Allocate requests -----------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    URGENCY_CHOICES = [
        ("", "All open requests"),
        ("overdue", "Overdue only"),
        ("pre_allocation", "Pre-allocations only"),
        ("week", "Due within 7 days"),
    ]
    kind = forms.ChoiceField(label="Request type", required=False)
    sentence_type = forms.ChoiceField(label="Sentence type", required=False)
    urgency = forms.ChoiceField(label="Urgency", choices=URGENCY_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        from allocation.models import AllocateRequestKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All types"), *AllocateRequestKind.choices]
        self.fields["sentence_type"].choices = [("", "All sentence types"), *SentenceType.choices]


class OfficeChoiceForm(forms.Form):
    office = forms.ModelChoiceField(queryset=None, label="Office", empty_label=None)

    def __init__(self, *args, prisons: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE] + ([OfficeKind.PRISON] if prisons else [])
        self.fields["office"].queryset = Office.objects.active().of_kind(*kinds)


class StepConfirmForm(forms.Form):
    """A checklist step that is either done or still to do: one box to confirm it is done."""

    confirm = forms.BooleanField(
        error_messages={"required": "Confirm that this step is done, or return to the task list."}
    )

    def __init__(self, *args, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label


class OwsReviewForm(forms.Form):
    """Seed 002 step 6: review the offender against the offender warning system criteria "if this
    has not already been done". Done now needs its outcome; already done needs when and by whom."""

    ACTIONS = [
        ("done", "Yes, I have reviewed them now"),
        ("not_applicable", "No, they were already reviewed"),
    ]
    action = forms.ChoiceField(
        choices=ACTIONS,
        widget=forms.RadioSelect,
        label="Have you reviewed the offender's details against the offender warning system criteria?",
        error_messages={"required": "Say whether you have reviewed the offender warning system criteria."},
    )
    outcome = forms.CharField(
        label="Outcome of the review",
        max_length=300,
        required=False,
        help_text="For example: no criteria met, or the criteria met and the warning raised.",
    )
    not_applicable_reason = forms.CharField(
        label="When and by whom they were reviewed",
        max_length=300,
        required=False,
        help_text="For example: reviewed by the prison on 3 March 2026.",
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "done" and not data.get("outcome", "").strip():
            self.add_error("outcome", "Enter the outcome of the review.")
        if data.get("action") == "not_applicable" and not data.get("not_applicable_reason", "").strip():
            self.add_error("not_applicable_reason", "Say when and by whom the criteria were reviewed.")
        return data


class OfficerRadioSelect(forms.RadioSelect):
    """One radio per officer; each option carries the officer's ranking (an OfficerLoad) so its
    label and hint can show the caseload, capacity and reasons (aria-describedby links the hint)."""

    option_template_name = "allocation/widgets/officer_option.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loads: dict[str, object] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["load"] = self.loads.get(str(value))
        option["suggested"] = index == 0
        if option["load"] is not None and option["attrs"].get("id"):
            option["hint_id"] = f"{option['attrs']['id']}-hint"
            option["attrs"]["aria-describedby"] = option["hint_id"]
        return option


class RequestAllocateForm(forms.Form):
    staff = forms.ChoiceField(
        label="Officer",
        widget=OfficerRadioSelect,
        help_text="Ranked, best first: the first is the suggestion. Choosing another officer needs a reason.",
        error_messages={"required": "Choose an officer."},
    )
    override_reason = forms.CharField(
        label="Why not the suggested officer",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label="Why this allocation",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, options, prison: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].label = "Offender supervisor" if prison else "Probation officer"
        self.options = {str(option.staff.pk): option for option in options}
        for option in options:
            # The figures are shown on their own line; the ranking's caseload sentence would repeat them.
            option.other_reasons = [reason for reason in option.reasons if not reason.startswith("Caseload ")]
        self.fields["staff"].choices = [(str(option.staff.pk), str(option.staff)) for option in options]
        self.fields["staff"].widget.loads = self.options
        self.suggested = options[0].staff if options else None
        if self.suggested is not None:
            self.fields["staff"].initial = str(self.suggested.pk)
            self.fields[
                "override_reason"
            ].help_text = f"Needed only if you choose someone other than {self.suggested}."

    def clean_staff(self):
        return self.options[self.cleaned_data["staff"]].staff


class ReallocateForm(forms.Form):
    allocations = forms.MultipleChoiceField(label="Cases to reallocate", widget=forms.CheckboxSelectMultiple)
    to_staff = forms.ModelChoiceField(queryset=StaffMember.objects.none(), label="Reallocate to")
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: officer leaving, relocating, workload.",
    )

    def __init__(self, *args, allocations, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.allocation_rows = {str(item.pk): item for item in allocations}
        self.fields["allocations"].choices = [
            (str(item.pk), f"{item.offender} — {item.sentence or 'whole case'}") for item in allocations
        ]
        self.fields["to_staff"].queryset = officers

    def clean_allocations(self):
        return [self.allocation_rows[pk] for pk in self.cleaned_data["allocations"]]


class TransferForm(forms.Form):
    sentence = SentenceChoiceField(
        queryset=Sentence.objects.none(), label="Sentence to transfer", empty_label=None
    )
    to_office = forms.ModelChoiceField(queryset=None, label="Receiving office")
    reason = forms.CharField(label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, offender, user, **kwargs):
        from allocation.access import transferable_sentences

        super().__init__(*args, **kwargs)
        self.fields["sentence"].queryset = transferable_sentences(user, offender)
        self.fields["to_office"].queryset = Office.objects.active().of_kind(
            OfficeKind.PROBATION, OfficeKind.SERVICE_CENTRE
        )


class RequestCancelForm(forms.Form):
    cancel_reason = forms.CharField(
        label="Why the request is cancelled",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: sentence quashed on appeal, raised in error.",
    )


# --- Staff leave -----------------------------------------------------------------------------------


class UnavailabilityForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=StaffMember.objects.none(), label="Officer")
    kind = forms.ChoiceField(label="Kind", choices=())
    starts_on = DateField(label="First day away")
    ends_on = DateField(label="Last day away")
    reason = forms.CharField(
        label="Note",
        max_length=200,
        required=False,
        help_text="Shown to the office's managers. Do not record medical or other private details.",
    )

    def __init__(self, *args, office, **kwargs):
        from allocation.models import UnavailabilityKind

        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            StaffMember.objects.filter(office=office, active=True)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "pk")
        )
        self.fields["kind"].choices = UnavailabilityKind.choices
        self.fields["kind"].initial = UnavailabilityKind.LEAVE

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day cannot be before the first day.")
        return data


class UnavailabilityCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why it ends",
        max_length=300,
        help_text="For example: returned early, leave withdrawn.",
    )


class RecallForm(forms.Form):
    """A released offender recalled to prison (Parole Board recall order)."""

    prison = forms.ModelChoiceField(label="Prison the offender is recalled to", queryset=None)
    recalled_on = DateField(label="Date of recall")
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The recall order: who made it and why.",
    )

    def __init__(self, *args, prisons, **kwargs):
        kwargs.setdefault("initial", {"recalled_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["prison"].queryset = prisons
