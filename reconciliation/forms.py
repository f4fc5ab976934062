"""Forms of the exceptions report. They check the shape of input; the services check the rules."""

from django import forms

from reconciliation.models import ExceptionStatus, ReasonCode
from reconciliation.selectors import (
    ANY_STATUS,
    ME,
    NEWEST_FIRST,
    OLDEST_FIRST,
    UNASSIGNED,
    UNRESOLVED_FILTER,
    ReportFilters,
)

NO_OFFICE = "none"
AGE_CHOICES = (
    ("", "Any age"),
    ("7", "Open more than 7 days"),
    ("30", "Open more than 30 days"),
    ("90", "Open more than 90 days"),
)
STATUS_CHOICES = (
    (UNRESOLVED_FILTER, "Not yet resolved"),
    *ExceptionStatus.choices,
    (ANY_STATUS, "Any status (includes resolved)"),
)
SORT_CHOICES = ((OLDEST_FIRST, "Oldest first"), (NEWEST_FIRST, "Newest first"))


class ReportFilterForm(forms.Form):
    office = forms.ChoiceField(label="Office", required=False)
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="A PRN, an exception number, a family name, or words from the problem or its resolution.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)
    reason = forms.ChoiceField(
        label="Reason", required=False, choices=(("", "Any reason"), *ReasonCode.choices)
    )
    assignee = forms.ChoiceField(label="Assigned to", required=False)
    age = forms.ChoiceField(label="Age", required=False, choices=AGE_CHOICES)
    sort = forms.ChoiceField(label="Sort by age", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, offices=None, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        if offices is None:
            del self.fields["office"]
        else:
            self.fields["office"].choices = [
                ("", "Choose an office"),
                *((str(office.pk), office.name) for office in offices),
                (NO_OFFICE, "Exceptions not placed in an office"),
            ]
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            (ME, "Me"),
            (UNASSIGNED, "Nobody yet"),
            *((str(user.pk), user.get_full_name() or user.get_username()) for user in assignees),
        ]

    def filters(self) -> ReportFilters:
        data = self.cleaned_data if self.is_valid() else {}
        age = data.get("age") or ""
        return ReportFilters(
            status=data.get("status") or UNRESOLVED_FILTER,
            reason_code=data.get("reason") or "",
            assignee=data.get("assignee") or "",
            older_than_days=int(age) if age else None,
            text=(data.get("q") or "").strip(),
            sort=data.get("sort") or OLDEST_FIRST,
        )


TEXTAREA = forms.Textarea(attrs={"rows": 3})


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Assign to",
        queryset=None,
        empty_label="Choose a person",
        error_messages={"required": "Choose who will reconcile this exception."},
    )
    comment = forms.CharField(label="Note for them", required=False, max_length=1000, widget=TEXTAREA)

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class StartForm(forms.Form):
    comment = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=TEXTAREA,
        help_text="Optional: what you are checking first (court order, release licence, file).",
    )


class ResolveForm(forms.Form):
    resolution_reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=TEXTAREA,
        help_text="Why it is resolved and what you reconciled it against, "
        "e.g. “Checked against the court order of 3 May 2026”.",
        error_messages={"required": "Say why this is resolved and what you checked it against."},
    )
    change_made = forms.CharField(
        label="Change made",
        max_length=2000,
        widget=TEXTAREA,
        help_text="e.g. “Corrected end date from 3 May 2026 to 5 June 2026 per court order”, or "
        "“No change: the record matches the court order”.",
        error_messages={"required": "Say what you changed on the record, or that nothing needed changing."},
    )


class CorrectionRequestForm(forms.Form):
    fields_wrong = forms.MultipleChoiceField(
        label="Which details are wrong",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the detail or details that are wrong."},
    )
    what_is_wrong = forms.CharField(
        label="What is wrong",
        max_length=2000,
        widget=TEXTAREA,
        help_text="As the courts' system sent it, e.g. “The expiry date is 3 May 2027”.",
        error_messages={"required": "Say what is wrong."},
    )
    should_be = forms.CharField(
        label="What it should be",
        max_length=2000,
        widget=TEXTAREA,
        help_text="And how you know: the court order, release licence or file.",
        error_messages={"required": "Say what it should be, and how you know (e.g. the court order)."},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields_wrong"].choices = choices


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen it",
        max_length=2000,
        widget=TEXTAREA,
        error_messages={"required": "Say why the exception is reopened."},
    )
