"""Browser forms for the staff directory and relocation, and the helper every browser view uses
to show a service's ValidationError next to the fields it names."""

from django import forms
from django.utils import timezone

from ioms import forms as ioms_forms
from ioms.forms import DateField, add_service_errors  # noqa: F401  (re-exported for views)
from staff.models import Office, StaffMember, Team
from staff.roles import Role

# The day/month/year date now lives in ioms.forms (core, below every app); kept importable here for
# forms written before it moved.
DateInput = ioms_forms.DateInput


class StaffFilterForm(forms.Form):
    office = forms.ModelChoiceField(queryset=Office.objects.none(), required=False, empty_label="All offices")
    role = forms.ChoiceField(choices=[("", "All roles"), *Role.choices], required=False)
    name = forms.CharField(required=False, max_length=80, label="Name or staff number")
    include_inactive = forms.BooleanField(required=False, label="Include staff who have left")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.exclude(kind="court")


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.office.name} — {obj.name}"


class RelocateForm(forms.Form):
    office = forms.ModelChoiceField(queryset=Office.objects.none(), label="New office")
    team = TeamChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="No team",
        help_text="The team must belong to the new office.",
    )
    on = DateField(label="Moves on", help_text="First day in the new place.")
    reason = forms.CharField(max_length=200, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, member: StaffMember, **kwargs):
        kwargs.setdefault("initial", {"office": member.office_id, "on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.active().exclude(kind="court")
        self.fields["team"].queryset = Team.objects.select_related("office").filter(office__closed_on=None)

    def clean(self):
        cleaned = super().clean()
        office, team = cleaned.get("office"), cleaned.get("team")
        if office and team and team.office_id != office.pk:
            self.add_error("team", f"{team.name} belongs to {team.office.name}, not {office.name}.")
        return cleaned
