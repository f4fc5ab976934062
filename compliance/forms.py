"""Forms of the enforcement workflow's steps. They check the shape of what is entered;
compliance.services checks the rules (a reason when the decision is lighter than recommended, dates
not in the future), and its errors are put back on these forms (the field names match)."""

from django import forms
from django.utils import timezone

from ioms.forms import DateField

DECISION_CHOICES = [
    ("warning", "Formal warning"),
    ("breach", "Breach: enforcement action with the court"),
    ("no_action", "No further action"),
]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="What should happen?",
        choices=DECISION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a formal warning, a breach or no further action"},
    )
    note = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you choose a lighter step than the rules recommend, or no further action.",
    )


class IssueForm(forms.Form):
    issued_on = DateField(label="Date the warning was given")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"issued_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


APPROVAL_CHOICES = [
    ("approve", "Approve the breach"),
    ("return", "Return it to be considered again"),
]


class ApproveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=APPROVAL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to approve the breach or return it"},
    )
    note = forms.CharField(
        label="Comments",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you return it: say why.",
    )


class LayForm(forms.Form):
    laid_on = DateField(label="Date the breach was laid")
    detail = forms.CharField(
        label="What the breach says",
        required=False,
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave blank to use the failure to attend and how many failures count.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"laid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is it withdrawn?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the enforcement action is withdrawn"},
    )
