"""Forms of the offender record. They check input shape; the services check the rules and write."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from ioms.forms import DateField, add_service_errors, date_formfield  # noqa: F401  (re-exported for views)
from offenders.models import Address, Flag, FlagKind, Identifier, Offender, OffenderAlias
from staff.models import Office, OfficeKind


def offender_home_offices():
    return Office.objects.active().exclude(kind=OfficeKind.COURT).order_by("name")


class OffenderSearchForm(forms.Form):
    q = forms.CharField(
        label="PRN or name",
        required=False,
        max_length=120,
        help_text="A PRN (8 or 9 digits), or a name: “Smith, John” or “John Smith”. "
        "Sound-alike spellings and aliases are found too.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = DateField(label="Date of birth", required=False, help_text="Narrows the search.")
    office = forms.ModelChoiceField(
        label="Home office",
        queryset=Office.objects.none(),
        required=False,
        empty_label="Any office",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offender_home_offices()

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("q") or "").strip() and not cleaned.get("date_of_birth") and not self.errors:
            raise ValidationError("Enter a PRN or a name, or a date of birth.", code="empty")
        return cleaned


class OffenderDetailsForm(forms.ModelForm):
    """Personal details. Used for creating (with PRN) and editing (without: the PRN is the
    record's key and is not changed here)."""

    class Meta:
        model = Offender
        fields = [
            "prn",
            "family_name",
            "given_names",
            "preferred_name",
            "date_of_birth",
            "date_of_death",
            "gender",
            "ethnicity",
            "home_office",
            "phone",
            "email",
        ]
        formfield_callback = date_formfield
        help_texts = {"prn": "8 or 9 digits."}
        error_messages = {
            "prn": {"required": "Enter the PRN."},
            "family_name": {"required": "Enter the family name."},
            "given_names": {"required": "Enter the given names."},
            "date_of_birth": {
                "required": "Enter the date of birth.",
                "invalid": "Enter a real date of birth.",
            },
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["prn"]
        self.fields["home_office"].queryset = offender_home_offices()
        self.fields["home_office"].empty_label = "No home office"
        self.fields["phone"].widget.attrs["autocomplete"] = "off"


class AliasForm(forms.ModelForm):
    class Meta:
        model = OffenderAlias
        fields = ["family_name", "given_names", "date_of_birth"]
        formfield_callback = date_formfield
        error_messages = {"family_name": {"required": "Enter the alias's family name."}}


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["kind", "line1", "line2", "suburb", "city", "postcode", "started_on"]
        labels = {"started_on": "Lived here from"}
        help_texts = {
            "started_on": "The current address of the same kind ends the day before.",
            "postcode": "Four digits.",
        }
        formfield_callback = date_formfield
        error_messages = {
            "line1": {"required": "Enter the first line of the address."},
            "city": {"required": "Enter the town or city."},
            "started_on": {"required": "Enter the date they started living here."},
        }


class IdentifierForm(forms.ModelForm):
    class Meta:
        model = Identifier
        fields = ["kind", "value"]


class FlagRaiseForm(forms.ModelForm):
    class Meta:
        model = Flag
        fields = ["kind", "reason", "raised_on"]
        labels = {"raised_on": "Raised on"}
        formfield_callback = date_formfield
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"reason": {"required": "Say why the flag is raised."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose a flag"), *FlagKind.choices]


class FlagEndForm(forms.Form):
    reason = forms.CharField(
        label="Why is the flag ended?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the flag is ended."},
    )
    ended_on = DateField(label="Ended on", required=False, help_text="Today if left blank.")


# --- Need-to-know (issue 11) ---------------------------------------------------------------------


def _reason_field(label: str, required_message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=500,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": required_message},
    )


class RestrictForm(forms.Form):
    reason = _reason_field(
        "Why is this record restricted?",
        "Say why the record is restricted.",
        "For example: a member of staff under sentence, a high-profile person, at risk from others.",
    )


class RestrictionLiftForm(forms.Form):
    reason = _reason_field("Why is the restriction lifted?", "Say why the restriction is lifted.")


class AccessGrantForm(forms.Form):
    username = forms.CharField(
        label="Username of the member of staff",
        max_length=150,
        error_messages={"required": "Enter the username of the person to add."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise ValidationError("No member of staff has that username.")
        self.cleaned_data["user"] = user
        return username


class AccessRevokeForm(forms.Form):
    reason = _reason_field(
        "Why is this person taken off the list?", "Say why this person is taken off the list."
    )


class BreakGlassForm(forms.Form):
    reason = _reason_field(
        "Why do you need to open this record?",
        "Say why you need to open this restricted record.",
        "Your name, the time and this reason are sent to the record's owners and shown on the "
        "break-glass report.",
    )
