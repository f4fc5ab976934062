"""The muster list's filter form and the national roles' office chooser."""

from django import forms

from muster.access import muster_offices
from muster.selectors import MusterFilters, MusterFlag, MusterSort, muster_officers
from sentences.models import SentenceType
from staff.models import Office, StaffMember


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StaffMember) -> str:
        return obj.user.get_full_name() or obj.user.get_username()


class MusterFilterForm(forms.Form):
    q = forms.CharField(
        label="Name or PRN",
        required=False,
        max_length=100,
        help_text="Any part of a name, or the first digits of a PRN.",
    )
    sentence_type = forms.ChoiceField(
        label="Sentence type", required=False, choices=[("", "All types"), *SentenceType.choices]
    )
    officer = OfficerChoiceField(
        label="Supervising officer", required=False, queryset=StaffMember.objects.none(), empty_label="Any"
    )
    unallocated = forms.BooleanField(label="Only people with no supervising officer", required=False)
    flags = forms.MultipleChoiceField(
        label="With any of these flags",
        required=False,
        choices=MusterFlag.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=MusterSort.choices)

    def __init__(self, *args, office: Office, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = muster_officers(office)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("officer") and cleaned.get("unallocated"):
            self.add_error(
                "unallocated",
                "Choose a supervising officer or only people with no supervising officer, not both.",
            )
        return cleaned

    def filters(self) -> MusterFilters:
        """The valid form's filters (call after is_valid())."""
        data = self.cleaned_data
        return MusterFilters(
            text=data["q"].strip(),
            sentence_type=data["sentence_type"],
            officer_id=data["officer"].pk if data["officer"] else None,
            unallocated_only=data["unallocated"],
            flags=frozenset(data["flags"]),
            sort=data["sort"] or MusterSort.NAME,
        )


class OfficeChoiceForm(forms.Form):
    """The national roles' office chooser. Plain choices read in one query (a model choice field
    would query again to test its first option); the muster page checks access to the office."""

    office = forms.TypedChoiceField(label="Office", coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = list(muster_offices().values_list("pk", "name"))
