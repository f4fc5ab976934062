"""Forms for sentences, the convictions behind them, sentence events and charges. The forms check
what they can next to the fields; the models' clean() (run by the services) stays the rule."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from ioms.forms import DateField, date_formfield
from sentences.models import (
    COMMUNITY_WORK_HOURS,
    CURRENT_SENTENCE_STATUSES,
    TYPES_WITH_CONDITIONS,
    Charge,
    CompletionReason,
    Offence,
    ReleaseReason,
    Sentence,
    SentenceEventKind,
    SentenceType,
)
from sentences.services import SENTENCE_FIELDS
from staff.models import Office, OfficeKind

OFFENCE_DATALIST_ID = "offence-codes"
IMPRISONMENT_ONLY = (SentenceType.IMPRISONMENT,)

# The sentence types each field applies to (read by static/js/sentence-form.js to hide the others).
APPLIES_TO: dict[str, tuple[str, ...]] = {
    "hours": (SentenceType.COMMUNITY_WORK,),
    "conditions": tuple(sorted(TYPES_WITH_CONDITIONS)),
    "indeterminate": IMPRISONMENT_ONLY,
    "parole_eligibility_date": IMPRISONMENT_ONLY,
    "statutory_release_date": IMPRISONMENT_ONLY,
    "parole_hearing_date": IMPRISONMENT_ONLY,
    "consecutive_to": IMPRISONMENT_ONLY,
    "remand_days": IMPRISONMENT_ONLY,
    "minimum_period_months": IMPRISONMENT_ONLY,
}

HELP_TEXTS = {
    "sentence_type": "The fields that do not apply to the type chosen are hidden when scripts run; "
    "each field's hint says which types use it.",
    "order_date": "The date the court imposed the sentence or order.",
    "start_date": "Sentence commencement date (SCD); not before the order date.",
    "end_date": "Sentence expiry date (SED). Leave blank only for an indeterminate prison sentence.",
    "parole_eligibility_date": "Imprisonment only. Not before the SCD and not after the SRD.",
    "statutory_release_date": "Imprisonment only; required unless the sentence is indeterminate. "
    "Not after the SED.",
    "parole_hearing_date": "Imprisonment only.",
    "hours": f"Community work only: {COMMUNITY_WORK_HOURS[0]} to {COMMUNITY_WORK_HOURS[1]} hours.",
    "conditions": "Supervision, intensive supervision, community detention, home detention, parole, "
    "release on conditions and extended supervision only.",
    "indeterminate": "Imprisonment only: life imprisonment or preventive detention (no expiry date).",
    "managing_office": "The office that manages the sentence.",
    "court_case_number": "The court's case (CRI) number, if known.",
    "consecutive_to": "Imprisonment only. The sentence this one is served after, if the judge made it "
    "cumulative; leave as 'Concurrent' if it runs from its own commencement date.",
    "remand_days": "Imprisonment only. Days held in custody before sentence, counted as time served; "
    "not more than the term.",
    "minimum_period_months": "Imprisonment only, and only if the judge imposed one: with a sentence of "
    "more than 2 years, longer than one third and at most two thirds of the term and at most 10 years; "
    "or with life imprisonment or preventive detention.",
}


def cumulative_on_label(sentence: Sentence) -> str:
    """How a sentence is named in the 'Cumulative on' choices."""
    ends = "indeterminate" if sentence.indeterminate else f"to {sentence.end_date:%-d %b %Y}"
    case = f"{sentence.court_case_number}: " if sentence.court_case_number else ""
    return f"{case}{sentence.get_sentence_type_display()} from {sentence.start_date:%-d %b %Y} {ends}"


def _offence_by_code(code: str) -> Offence:
    offence = Offence.objects.filter(code__iexact=code.strip(), active=True).first()
    if offence is None:
        raise forms.ValidationError(
            f"No offence in the catalogue has the code “{code.strip()}”. Check the code, or pick one "
            "from the suggestions."
        )
    return offence


def offence_datalist() -> list[tuple[str, str]]:
    """(code, description) of every active offence, for the <datalist> of the offence-code inputs."""
    return list(Offence.objects.filter(active=True).order_by("code").values_list("code", "description"))


class OffenceCodeField(forms.CharField):
    widget = forms.TextInput(
        attrs={
            "list": OFFENCE_DATALIST_ID,
            "autocomplete": "off",
            "spellcheck": "false",
            "class": "input--code",
        }
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Offence code")
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault(
            "help_text", "The offence code from the catalogue, e.g. as printed on the court order."
        )
        super().__init__(**kwargs)


class SentenceForm(forms.ModelForm):
    """Sentence fields; validation runs the model's clean() (the same rules the service applies)."""

    class Meta:
        model = Sentence
        fields = SENTENCE_FIELDS
        formfield_callback = date_formfield
        widgets = {
            "conditions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = HELP_TEXTS

    def __init__(self, *args, offender=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offender is not None and not self.instance.pk:
            # The model's clean() checks 'cumulative on' against the offender's other sentences.
            self.instance.offender = offender
        self._limit_cumulative_on(self.instance.offender_id)
        self.fields["remand_days"].required = False
        if not self.initial.get("remand_days"):
            # Blank rather than 0, so the field stays hidden for the types it does not apply to
            # (sentence-form.js shows a field that holds a value); blank is saved as 0.
            self.initial["remand_days"] = None
        self.fields["remand_days"].widget.attrs.update(min=0)
        self.fields["minimum_period_months"].widget.attrs.update(min=1)
        court_id = self.instance.court_id if self.instance.pk else None
        office_id = self.instance.managing_office_id if self.instance.pk else None
        self.fields["court"].queryset = Office.objects.filter(kind=OfficeKind.COURT).filter(
            Q(closed_on__isnull=True) | Q(pk=court_id)
        )
        self.fields["managing_office"].queryset = Office.objects.exclude(kind=OfficeKind.COURT).filter(
            Q(closed_on__isnull=True) | Q(pk=office_id)
        )
        self.fields["hours"].widget.attrs.update(min=COMMUNITY_WORK_HOURS[0], max=COMMUNITY_WORK_HOURS[1])
        self.fields["sentence_type"].widget.attrs["data-sentence-type"] = ""
        for name, types in APPLIES_TO.items():
            self.fields[name].widget.attrs["data-applies-to"] = " ".join(types)

    def _limit_cumulative_on(self, offender_id: int | None) -> None:
        """The choices: the offender's other current sentences of imprisonment (and the one this
        sentence is already cumulative on, even if it has since been served)."""
        field = self.fields["consecutive_to"]
        field.empty_label = "Concurrent (not cumulative on another sentence)"
        field.label_from_instance = cumulative_on_label
        chosen = self.instance.consecutive_to_id if self.instance.pk else None
        field.queryset = (
            Sentence.objects.filter(offender_id=offender_id, sentence_type=SentenceType.IMPRISONMENT)
            .filter(Q(status__in=CURRENT_SENTENCE_STATUSES) | Q(pk=chosen))
            .exclude(pk=self.instance.pk)
            .order_by("start_date", "id")
        )

    def clean_remand_days(self):
        return self.cleaned_data.get("remand_days") or 0


class SentenceEditForm(SentenceForm):
    reason = forms.CharField(
        label="What changed and why",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the sentence's history. If left blank the changed fields are listed.",
    )


class ConvictionForm(forms.Form):
    offence_code = OffenceCodeField()
    convicted_on = DateField(label="Convicted on")
    offence_date = DateField(label="Offence date", required=False)
    charge = forms.ChoiceField(
        label="Outstanding charge this conviction disposes of",
        required=False,
        help_text="The charge is marked as disposed of: convicted, on the conviction date.",
    )

    def __init__(self, *args, charges: list[Charge] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.charges = {str(charge.pk): charge for charge in charges}
        self.fields["charge"].choices = [("", "None")] + [
            (
                str(charge.pk),
                f"{charge.offence.code} {charge.offence.description}, charged {charge.charged_on:%-d %b %Y}",
            )
            for charge in charges
        ]
        if not charges:
            self.fields["charge"].widget = forms.HiddenInput()

    def clean_offence_code(self):
        code = self.cleaned_data["offence_code"]
        self.cleaned_data["offence"] = _offence_by_code(code)
        return code.strip().upper()

    def clean_charge(self):
        value = self.cleaned_data.get("charge")
        return self.charges.get(value) if value else None

    def clean(self):
        cleaned = super().clean()
        offence_date, convicted_on = cleaned.get("offence_date"), cleaned.get("convicted_on")
        if offence_date and convicted_on and offence_date > convicted_on:
            self.add_error("offence_date", "The offence date cannot be after the conviction.")
        if convicted_on and convicted_on > timezone.localdate():
            self.add_error("convicted_on", "The conviction date cannot be in the future.")
        return cleaned

    def conviction_data(self) -> dict:
        data = self.cleaned_data
        return {
            "offence": data["offence"],
            "convicted_on": data["convicted_on"],
            "offence_date": data.get("offence_date"),
            "charge": data.get("charge"),
        }


class BaseConvictionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            charge = form.cleaned_data.get("charge") if form.cleaned_data else None
            if charge is None:
                continue
            if charge.pk in seen:
                form.add_error("charge", "Each charge can be disposed of by one conviction only.")
            seen.add(charge.pk)

    def check_against_order(self, order_date) -> None:
        """A conviction comes before (or on the day of) the sentence the court imposed for it."""
        for form in self.forms:
            convicted_on = (form.cleaned_data or {}).get("convicted_on")
            if convicted_on and order_date and convicted_on > order_date:
                form.add_error("convicted_on", "The conviction cannot be after the sentence's order date.")

    def conviction_data(self) -> list[dict]:
        return [form.conviction_data() for form in self.forms if form.has_changed() and form.cleaned_data]


ConvictionFormSet = forms.formset_factory(
    ConvictionForm, formset=BaseConvictionFormSet, extra=1, min_num=1, validate_min=True, max_num=30
)


class CompleteForm(forms.Form):
    reason = forms.ChoiceField(
        label="How the sentence ended", choices=CompletionReason.choices, widget=forms.RadioSelect
    )
    completed_on = DateField(label="Ended on")
    detail = forms.CharField(
        label="Detail",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required unless the sentence completed normally: e.g. the court's decision, the "
        "subsequent sentence.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


EVENT_KINDS = (
    SentenceEventKind.APPLICATION,
    SentenceEventKind.APPEAL_SENTENCE,
    SentenceEventKind.APPEAL_CONVICTION,
    SentenceEventKind.BREACH,
    SentenceEventKind.DETAILS_CHANGED,
)


class SentenceEventForm(forms.Form):
    kind = forms.ChoiceField(
        label="Event",
        choices=[(kind.value, kind.label) for kind in EVENT_KINDS],
        widget=forms.RadioSelect,
    )
    occurred_on = DateField(label="Date")
    detail = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: who applied and for what, the appeal's court and number, the breach charge.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ChargeForm(forms.Form):
    offence_code = OffenceCodeField()
    charged_on = DateField(label="Charged on")
    offence_date = DateField(label="Offence date", required=False)
    court = forms.ModelChoiceField(queryset=Office.objects.none(), required=False, empty_label="Not known")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = Office.objects.active().filter(kind=OfficeKind.COURT)

    def clean_offence_code(self):
        code = self.cleaned_data["offence_code"]
        self.cleaned_data["offence"] = _offence_by_code(code)
        return code.strip().upper()

    def clean_charged_on(self):
        charged_on = self.cleaned_data["charged_on"]
        if charged_on > timezone.localdate():
            raise forms.ValidationError("The charge date cannot be in the future.")
        return charged_on


class ChargeDisposeForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Charge.Outcome.choices, widget=forms.RadioSelect)
    disposed_on = DateField(label="Disposed of on")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"disposed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_disposed_on(self):
        disposed_on = self.cleaned_data["disposed_on"]
        if disposed_on > timezone.localdate():
            raise forms.ValidationError("The disposal date cannot be in the future.")
        return disposed_on


class EventDecisionForm(forms.Form):
    resolved_on = DateField(label="Date decided")
    outcome = forms.CharField(
        label="Outcome",
        max_length=300,
        help_text="For example: appeal dismissed; breach proven, sentence varied; application granted.",
        error_messages={"required": "Record the outcome."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"resolved_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CustodyReleaseForm(forms.Form):
    """A release from prison (sentences.custody.custody_release). The sentence is not completed."""

    reason = forms.ChoiceField(
        label="Why the person was released", choices=ReleaseReason.choices, widget=forms.RadioSelect
    )
    occurred_on = DateField(label="Released on")
    detail = forms.CharField(
        label="Detail",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for a release by a court's order or for deportation: name the order.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CustodyReceiveForm(forms.Form):
    """A reception into prison (sentences.custody.custody_receive)."""

    prison = forms.ModelChoiceField(label="Received into", queryset=Office.objects.none(), empty_label=None)
    occurred_on = DateField(label="Received on")
    detail = forms.CharField(
        label="Detail",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: recalled from parole, returned from court.",
    )

    def __init__(self, *args, prisons, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["prison"].queryset = Office.objects.filter(pk__in=[prison.pk for prison in prisons])
