"""Forms of the data-share pages: they check the shape of the input; datashare.services checks the
rules (the catalogue, dates, labels)."""

from django import forms
from django.contrib.auth import get_user_model

from datashare.catalogue import CATALOGUE, CORE_FIELDS, RESOURCE_LABELS
from ioms.forms import DateField
from staff.roles import Role


def _field_name(resource: str) -> str:
    return f"fields_{resource}"


class ShareForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. “Probation ↔ prisons, Northern region”.")
    partner = forms.CharField(label="Partner organisation", max_length=150)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the partner reads it.")
    starts_on = DateField(label="Starts on")
    ends_on = DateField(label="Ends on", required=False, help_text="The last day. Leave blank to run on.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One group of checkboxes per resource, from the catalogue; the core share is ticked to begin.
        for resource, fields in CATALOGUE.items():
            self.fields[_field_name(resource)] = forms.MultipleChoiceField(
                label=RESOURCE_LABELS[resource],
                required=False,
                choices=[
                    (name, f"{item.label}: {item.description}" if item.description else item.label)
                    for name, item in fields.items()
                ],
                initial=list(CORE_FIELDS.get(resource, ())),
                widget=forms.CheckboxSelectMultiple,
                help_text="Leave all unticked to share none of these.",
            )

    def allowed_fields(self) -> dict[str, list[str]]:
        return {
            resource: self.cleaned_data.get(_field_name(resource)) or []
            for resource in CATALOGUE
            if self.cleaned_data.get(_field_name(resource))
        }


class ShareEndForm(forms.Form):
    ends_on = DateField(label="Last day of the share")
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CredentialIssueForm(forms.Form):
    label = forms.CharField(
        max_length=100, help_text="Which partner system or environment will hold it, e.g. “CRM production”."
    )
    expires_on = DateField(
        label="Expires after",
        required=False,
        help_text="The last day it works. Leave blank for a year (or the share's end, if sooner).",
    )


class CredentialRevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=300, widget=forms.Textarea(attrs={"rows": 2}), help_text="For the audit trail."
    )


class ReaderAddForm(forms.Form):
    user = forms.ModelChoiceField(
        label="User",
        queryset=get_user_model().objects.none(),
        help_text="A user with the read-only data share role. A user reading another share is moved "
        "to this one.",
    )

    def __init__(self, *args, share, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(groups__name=Role.DATA_SHARE, is_active=True)
            .exclude(share_reader__share=share)
            .order_by("last_name", "first_name", "username")
            .distinct()
        )
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.get_username()})" if user.get_full_name() else user.get_username()
        )


class ConfirmForm(forms.Form):
    """A POST with nothing to fill in but the CSRF token."""
