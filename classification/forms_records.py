"""Forms of the prison records pages (classification/views/prison_records.py), one per kind of
record, built from the kind's fields in classification.records.RECORD_KINDS: the same fields record
and correct a record. They check the shape of input; the services check the rules (dates, the
charge dates of a misconduct report, U only with a medical opinion) and the officer's right."""

from django import forms
from django.forms.models import fields_for_model, model_to_dict

from classification.models import Category
from classification.records import RECORD_KINDS, RecordKind
from ioms.forms import DateField, date_formfield

TEXT = {"rows": 3}

# Labels and hints a prison officer reads, by field name (the model's verbose names otherwise).
LABELS = {
    "occurred_on": "Date of the incident",
    "incident_type": "What happened",
    "corrections_act": "Misconduct charge under the Corrections Act",
    "charge_laid_on": "Date the misconduct charge was laid",
    "proven_on": "Date the charge was proven",
    "drugs_related": "Drugs-related",
    "violence_related": "Violence-related",
    "escape_related": "Escape-related",
    "negative_attitude": "Shows the prisoner's negative attitude towards others",
    "description": "Description",
    "kind": "Kind",
    "custody": "Escaped from",
    "convicted_on": "Date of conviction",
    "raised_on": "Date the alert was raised",
    "ended_on": "Date the alert ended",
    "reason": "Reason for the alert",
    "assessed_on": "Date of the assessment",
    "stability": "Health Services' assessment",
    "medical_opinion": "A medical opinion says the prisoner poses a risk",
    "note": "Note",
    "made_on": "Date the order was made",
    "revoked_on": "Date the order was revoked",
    "source": "Received from",
    "level": "Level of concern about external access",
    "received_on": "Date the information was received",
}
HINTS = {
    "charge_laid_on": "Needed when the prisoner was charged. Seed 003, A.4.3 and A.4.4 count charges "
    "and convictions in the last 3 months by these dates.",
    "proven_on": "Needed when the charge was proven.",
    "convicted_on": "Leave blank if the prisoner was not convicted: seed 003, A.2.1 counts only escapes "
    "for which the prisoner was convicted.",
    "custody": "Not a violation of a non-custodial sentence: those are not escapes (A.2.1).",
    "stability": "Seed 003, A.3.1: Unstable is used ONLY if medical opinion indicates the prisoner "
    "poses a risk. In all other situations, Stable is used.",
    "level": "High: serious concerns about external access; Moderate: some concerns; Low: slight "
    "concerns. Only the level appears on the review form, never the source or the information.",
    "ended_on": "Leave blank while the alert is active.",
    "revoked_on": "Leave blank while the order stands.",
    "medical_opinion": "Tick only when Health Services give that medical opinion: Unstable needs it.",
    "negative_attitude": "Seed 003, A.5.1 counts the incident reports of the past 6 months that show it.",
}
# The end date is set by the end form, not when the record is first made.
END_ONLY = {kind.end_field for kind in RECORD_KINDS.values() if kind.end_field}


def _fields(kind: RecordKind, names) -> dict[str, forms.Field]:
    fields = fields_for_model(
        kind.model, fields=list(names), labels=LABELS, help_texts=HINTS, formfield_callback=date_formfield
    )
    for name, field in fields.items():
        model_field = kind.model._meta.get_field(name)
        if model_field.choices:
            field.choices = list(model_field.choices)
            field.widget = forms.RadioSelect(choices=field.choices)
        elif isinstance(field, forms.CharField) and (field.max_length or 0) > 100:
            field.widget = forms.Textarea(attrs={**TEXT, "maxlength": field.max_length})
    return fields


class RecordForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # a checkbox's label reads as a statement, not "...:"
        super().__init__(*args, **kwargs)


def record_form_class(kind: RecordKind) -> type[forms.Form]:
    """Record a new record of `kind`: its fields, without the end date."""
    names = [name for name in kind.fields if name not in END_ONLY]
    return type(f"{kind.model.__name__}RecordForm", (RecordForm,), _fields(kind, names))


class CorrectionReason(RecordForm):
    # Not "reason": an At Risk alert has a reason of its own.
    correction_reason = forms.CharField(
        label="Reason for the correction",
        max_length=500,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Say what was wrong and where the right details come from, e.g. the penal file.",
    )


def correction_form_class(kind: RecordKind) -> type[forms.Form]:
    """Correct a record of `kind`: every field it may change, and the reason."""
    fields = _fields(kind, kind.fields)
    order = [*kind.fields, "correction_reason"]
    return type(f"{kind.model.__name__}CorrectionForm", (CorrectionReason,), {**fields, "field_order": order})


def correction_initial(kind: RecordKind, record) -> dict:
    return model_to_dict(record, fields=list(kind.fields))


def end_form_class(kind: RecordKind) -> type[forms.Form]:
    """End an At Risk alert, record that an order was revoked: the one date."""
    fields = _fields(kind, [kind.end_field])
    fields[kind.end_field].required = True
    fields[kind.end_field].help_text = ""
    return type(f"{kind.model.__name__}EndForm", (RecordForm,), fields)


RECORD_FORMS = {slug: record_form_class(kind) for slug, kind in RECORD_KINDS.items()}
CORRECTION_FORMS = {slug: correction_form_class(kind) for slug, kind in RECORD_KINDS.items()}
END_FORMS = {slug: end_form_class(kind) for slug, kind in RECORD_KINDS.items() if kind.end_field}


class InitialClassificationForm(RecordForm):
    """The classification at reception (seed 003: the review form "must not be used for an initial
    classification")."""

    internal_category = forms.ChoiceField(
        label="Internal category", choices=Category.choices, widget=forms.RadioSelect
    )
    external_category = forms.ChoiceField(
        label="External category", choices=Category.choices, widget=forms.RadioSelect
    )
    effective_on = DateField(label="Takes effect on")
    reason = forms.CharField(
        label="Basis of the classification",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Sources: Warrant(s) of Imprisonment, Remand Warrants, Judge's sentencing notes, "
        "Criminal and Traffic Conviction History, Penal file.",
    )
