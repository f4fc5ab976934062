"""The court (CMS) message format, version 1, and its validation.

Every message is a JSON object with an envelope (`message_id`, `message_type`, `version`,
`sent_at`) and the body of its type. The serializers here check the *shape* of a message: types,
lengths, required fields, dates, choices. They read no database, so the endpoint can answer at
once; codes (courts, offices, offences) and the offender and sentence a message names are resolved
when the message is processed (courts.services).

Validation is strict on purpose: a wrong type is refused rather than coerced (`"hours": "120"` is
an error, not 120), and a field the format does not define is refused, so a misspelt field name
is reported instead of being silently ignored.
"""

import json
import math
import threading
from dataclasses import dataclass
from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conditions.models import KIND_FIELDS, MAX_COMMUNITY_WORK_HOURS, ConditionKind, Substance
from sentences.models import SentenceType

FORMAT_VERSION = "1"
# The largest body stored in full; a bigger one is stored truncated and rejected (413).
MAX_BODY_BYTES = 1024 * 1024
MESSAGE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$"
# The sentence calculation's inputs a sentence.imposed message may carry for imprisonment.
CALCULATION_FIELDS = ("remand_days", "minimum_period_months", "cumulative_on")
# Bounds that catch a keying slip (a year typed as days), not legal limits.
MAX_REMAND_DAYS = 30 * 366
MAX_MINIMUM_PERIOD_MONTHS = 50 * 12


class MessageType(models.TextChoices):
    SENTENCE_IMPOSED = "sentence.imposed", "New sentence or order"
    OFFENDER_DETAILS_CHANGED = "offender.details_changed", "Change of personal details"
    APPLICATION_LODGED = "application.lodged", "Application lodged"
    APPLICATION_DECIDED = "application.decided", "Application decided"
    APPEAL_LODGED = "appeal.lodged", "Appeal lodged"
    APPEAL_DECIDED = "appeal.decided", "Appeal decided"
    BREACH_CHARGED = "breach.charged", "Charged with breach"
    BREACH_DECIDED = "breach.decided", "Breach charge decided"
    SENTENCE_TRANSFERRED = "sentence.transferred", "Transferred to another office"
    SENTENCE_CANCELLED_BY_SUBSEQUENT = (
        "sentence.cancelled_by_subsequent",
        "Cancelled by a subsequent sentence",
    )
    SENTENCE_QUASHED = "sentence.quashed", "Quashed"
    SENTENCE_DISCHARGED_EARLY = "sentence.discharged_early", "Discharged early"
    SENTENCE_TERMINATED = "sentence.terminated", "Terminated other than by normal completion"
    OFFENDER_RELEASED = "offender.released", "Released from prison on parole or on conditions"
    CORRECTION_APPLIED = "correction.applied", "Correction applied by the courts"


# --- strict fields: refuse a value of the wrong JSON type rather than coerce it -----------------


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictRegexField(serializers.RegexField):
    default_error_messages = {"not_a_string": "Must be a string."}

    def __init__(self, regex: str, *, message: str, **kwargs):
        kwargs["error_messages"] = {"invalid": message, **kwargs.get("error_messages", {})}
        super().__init__(regex, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Must be a whole number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictDateField(serializers.DateField):
    default_error_messages = {"invalid": "Must be a date written YYYY-MM-DD."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        "invalid": "Must be a date and time written YYYY-MM-DDTHH:MM:SS with a UTC offset."
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=str(data)[:40])
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses fields the format does not define, and a value that is not a JSON object."""

    default_error_messages = {"invalid": "Must be a JSON object."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        unknown = sorted(str(key)[:40] for key in data if key not in self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: ["This field is not part of the message format."] for name in unknown[:10]}
            )
        return super().to_internal_value(data)


def _text(max_length: int, *, required: bool = True, allow_blank: bool = False, **kwargs) -> StrictCharField:
    return StrictCharField(max_length=max_length, required=required, allow_blank=allow_blank, **kwargs)


# --- the parts messages share ---------------------------------------------------------------------

GENDERS = [("F", "Female"), ("M", "Male"), ("X", "Gender diverse"), ("U", "Unknown")]
PRN_HELP = "The offender's Corrections PRN (8 or 9 digits), when the courts know it."


class CourtAliasSerializer(StrictSerializer):
    family_name = _text(80)
    given_names = _text(120, required=False, allow_blank=True)
    date_of_birth = StrictDateField(required=False, help_text="Where the alias uses a different date.")


class CourtAddressSerializer(StrictSerializer):
    line1 = _text(120)
    line2 = _text(120, required=False, allow_blank=True)
    suburb = _text(60, required=False, allow_blank=True)
    city = _text(60)
    postcode = StrictCharField(required=False, allow_blank=True, max_length=4, min_length=4)
    started_on = StrictDateField(required=False, help_text="Defaults to the date of the message.")


class CourtOffenderDetailsSerializer(StrictSerializer):
    """The offender as the court knows them (sentence.imposed)."""

    prn = StrictRegexField(
        r"^\d{8,9}$", message="A PRN is 8 or 9 digits.", required=False, help_text=PRN_HELP
    )
    cms_participant_id = _text(40, required=False, help_text="The courts' own identifier of the person.")
    family_name = _text(80)
    given_names = _text(120, allow_blank=True)
    preferred_name = _text(80, required=False, allow_blank=True)
    date_of_birth = StrictDateField()
    gender = StrictChoiceField(choices=GENDERS, required=False)
    aliases = CourtAliasSerializer(many=True, required=False, max_length=20)
    address = CourtAddressSerializer(required=False)


class CourtOffenderRefSerializer(StrictSerializer):
    """Names an offender already on record: by PRN, by the courts' participant ID, or by name and
    date of birth (matched as for a new sentence, aliases included)."""

    prn = StrictRegexField(
        r"^\d{8,9}$", message="A PRN is 8 or 9 digits.", required=False, help_text=PRN_HELP
    )
    cms_participant_id = _text(40, required=False)
    family_name = _text(80, required=False)
    given_names = _text(120, required=False, allow_blank=True)
    date_of_birth = StrictDateField(required=False)

    def validate(self, attrs):
        if not attrs.get("prn") and not attrs.get("cms_participant_id"):
            missing = [name for name in ("family_name", "date_of_birth") if not attrs.get(name)]
            if missing:
                raise serializers.ValidationError(
                    "Name the offender by prn, by cms_participant_id, or by family_name, given_names "
                    f"and date_of_birth (missing: {', '.join(missing)})."
                )
        return attrs


class CourtSentenceRefSerializer(StrictSerializer):
    """Names a sentence already on record: by the CMS reference given when it was imposed, or by
    the court case number (with the sentence type when the case has more than one sentence)."""

    cms_reference = _text(60, required=False)
    court_case_number = _text(30, required=False)
    sentence_type = StrictChoiceField(choices=SentenceType.choices, required=False)

    def validate(self, attrs):
        if not attrs.get("cms_reference") and not attrs.get("court_case_number"):
            raise serializers.ValidationError("Give cms_reference or court_case_number.")
        return attrs


class CourtConvictionSerializer(StrictSerializer):
    offence_code = _text(12)
    offence_date = StrictDateField(required=False)
    convicted_on = StrictDateField()


def _sentence_type_field(**kwargs) -> StrictChoiceField:
    return StrictChoiceField(choices=SentenceType.choices, **kwargs)


class StrictTimeField(serializers.TimeField):
    default_error_messages = {"invalid": "Must be a time of day written HH:MM (24-hour clock)."}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%H:%M"], **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CourtConditionSerializer(StrictSerializer):
    """A structured condition of the sentence (issue 15; docs/court-interface.md): its kind and the
    details that kind needs, the same rule as conditions.models.KIND_FIELDS."""

    kind = StrictChoiceField(choices=ConditionKind.choices)
    start_on = StrictDateField(required=False, help_text="Defaults to the sentence's start date.")
    end_on = StrictDateField(required=False, allow_null=True, help_text="Omitted: until the sentence ends.")
    address = _text(300, required=False)
    curfew_from = StrictTimeField(required=False)
    curfew_until = StrictTimeField(required=False)
    programme_name = _text(200, required=False)
    hours_ordered = StrictIntegerField(required=False, min_value=1, max_value=MAX_COMMUNITY_WORK_HOURS)
    associates = _text(500, required=False)
    substance = StrictChoiceField(choices=Substance.choices, required=False)
    details = _text(1000, required=False)

    def validate(self, attrs):
        required, optional = KIND_FIELDS[attrs["kind"]]
        errors = {}
        for name in required:
            if attrs.get(name) in (None, ""):
                errors[name] = [f"Required for a condition of kind {attrs['kind']}."]
        for name in self.fields:
            if name in ("kind", "start_on", "end_on") or name in required or name in optional:
                continue
            if attrs.get(name) not in (None, ""):
                errors[name] = [f"Not part of a condition of kind {attrs['kind']}."]
        if attrs.get("start_on") and attrs.get("end_on") and attrs["end_on"] < attrs["start_on"]:
            errors["end_on"] = ["Must not be before start_on."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


_CONDITION = CourtConditionSerializer()


_DETAIL_SCHEMA = {
    "kind": {"type": "string", "enum": list(ConditionKind.values)},
    "start_on": {"type": "string", "format": "date"},
    "end_on": {"type": "string", "format": "date", "nullable": True},
    "address": {"type": "string", "maxLength": 300},
    "curfew_from": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
    "curfew_until": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
    "programme_name": {"type": "string", "maxLength": 200},
    "hours_ordered": {"type": "integer", "minimum": 1, "maximum": MAX_COMMUNITY_WORK_HOURS},
    "associates": {"type": "string", "maxLength": 500},
    "substance": {"type": "string", "enum": list(Substance.values)},
    "details": {"type": "string", "maxLength": 1000},
}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": 1000, "description": "A special condition in words."},
            {
                "type": "object",
                "description": "A structured condition: its kind and the details that kind needs.",
                "required": ["kind"],
                "properties": _DETAIL_SCHEMA,
                "additionalProperties": False,
            },
        ]
    }
)
class CourtConditionItemField(serializers.Field):
    """An item of `conditions`: a string (a special condition in words, kept with the sentence as
    before) or an object (a structured condition, CourtConditionSerializer)."""

    default_error_messages = {"invalid": "Must be a string or a JSON object."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            if len(data) > 1000:
                raise serializers.ValidationError("Ensure this field has no more than 1000 characters.")
            if not data.strip():
                raise serializers.ValidationError("This field may not be blank.")
            return data
        if isinstance(data, dict):
            return _CONDITION.run_validation(data)
        raise serializers.ValidationError(self.error_messages["invalid"])

    def to_representation(self, value):
        return value


def _conditions_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=CourtConditionItemField(),
        required=False,
        max_length=50,
        help_text="The sentence's conditions, one per item: a string (a special condition in words) or "
        "an object with `kind` and the details of that kind (docs/court-interface.md, 'Conditions').",
        **kwargs,
    )


def _check_conditions_within(attrs: dict, start_name: str, end_name: str = "end_date") -> None:
    """Each structured condition's dates within the sentence's, named by its place in the list."""
    start, end = attrs.get(start_name), attrs.get(end_name)
    errors = {}
    for index, item in enumerate(attrs.get("conditions") or []):
        if not isinstance(item, dict):
            continue
        item_errors = {}
        if start and item.get("start_on") and item["start_on"] < start:
            item_errors["start_on"] = [f"Must not be before {start_name} ({start})."]
        if end and item.get("end_on") and item["end_on"] > end:
            item_errors["end_on"] = [f"Must not be after the sentence's {end_name} ({end})."]
        if end and item.get("start_on") and item["start_on"] > end:
            item_errors["start_on"] = [f"Must not be after the sentence's {end_name} ({end})."]
        if item_errors:
            errors[index] = item_errors
    if errors:
        raise serializers.ValidationError({"conditions": errors})


class CourtImposedSentenceSerializer(StrictSerializer):
    cms_reference = _text(60, required=False, help_text="The CMS's own identifier of this sentence.")
    court_code = _text(12, help_text="The code of the court (an office of kind court).")
    court_case_number = _text(30, required=False, allow_blank=True)
    sentence_type = StrictChoiceField(choices=SentenceType.choices)
    order_date = StrictDateField()
    start_date = StrictDateField()
    end_date = StrictDateField(required=False, allow_null=True)
    indeterminate = StrictBooleanField(required=False, default=False)
    hours = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=10000)
    conditions = _conditions_field()
    parole_eligibility_date = StrictDateField(required=False, allow_null=True)
    statutory_release_date = StrictDateField(required=False, allow_null=True)
    parole_hearing_date = StrictDateField(required=False, allow_null=True)
    managing_office_code = _text(12, required=False, help_text="The office that will manage it.")
    convictions = CourtConvictionSerializer(many=True, min_length=1, max_length=100)
    # What the sentence calculation needs from the judge (imprisonment only; sentences migration 0008).
    remand_days = StrictIntegerField(
        required=False,
        min_value=0,
        max_value=MAX_REMAND_DAYS,
        help_text="Imprisonment only: days held in custody before sentence (pre-sentence detention), "
        "credited as time served. Omit or 0 when there were none.",
    )
    minimum_period_months = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_MINIMUM_PERIOD_MONTHS,
        help_text="Imprisonment only: the minimum period of imprisonment the judge imposed, in months. "
        "Omit when none was imposed (parole eligibility is then at one third).",
    )
    cumulative_on = CourtSentenceRefSerializer(
        required=False,
        help_text="Imprisonment only: the sentence this one is served after (cumulative, or "
        "consecutive): a current sentence of imprisonment of the same offender, named by its "
        "cms_reference or its court_case_number. Omit when the sentence is concurrent. A sentence "
        "imposed at the same hearing is named by the cms_reference of its own sentence.imposed "
        "message, sent first.",
    )

    def validate(self, attrs):
        if attrs["sentence_type"] != SentenceType.IMPRISONMENT:
            given = [name for name in CALCULATION_FIELDS if attrs.get(name)]
            if given:
                raise serializers.ValidationError(
                    {name: ["Only a sentence of imprisonment has this."] for name in given}
                )
        _check_conditions_within(attrs, "start_date")
        return attrs


class CourtOffenderChangesSerializer(StrictSerializer):
    family_name = _text(80, required=False)
    given_names = _text(120, required=False, allow_blank=True)
    preferred_name = _text(80, required=False, allow_blank=True)
    date_of_birth = StrictDateField(required=False)
    gender = StrictChoiceField(choices=GENDERS, required=False)
    date_of_death = StrictDateField(required=False, allow_null=True)


class CourtSentenceCorrectionsSerializer(StrictSerializer):
    court_code = _text(12, required=False)
    court_case_number = _text(30, required=False, allow_blank=True)
    order_date = StrictDateField(required=False)
    start_date = StrictDateField(required=False)
    end_date = StrictDateField(required=False, allow_null=True)
    hours = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=10000)
    conditions = serializers.ListField(child=_text(1000), required=False, max_length=50)
    parole_eligibility_date = StrictDateField(required=False, allow_null=True)
    statutory_release_date = StrictDateField(required=False, allow_null=True)
    parole_hearing_date = StrictDateField(required=False, allow_null=True)
    managing_office_code = _text(12, required=False)


# --- the envelope and each message type -----------------------------------------------------------


class CourtEnvelopeSerializer(StrictSerializer):
    message_id = StrictRegexField(
        MESSAGE_ID_PATTERN,
        message="1 to 100 characters: letters, digits and . _ : / - (starting with a letter or digit).",
        help_text="Unique per message; a message sent again with the same ID changes nothing.",
    )
    message_type = StrictChoiceField(choices=MessageType.choices)
    version = StrictChoiceField(choices=[(FORMAT_VERSION, f"Version {FORMAT_VERSION}")])
    sent_at = StrictDateTimeField(help_text="When the CMS sent it, with its UTC offset.")

    def to_internal_value(self, data):
        # Only the envelope is checked here; the body is checked by the type's serializer.
        if not isinstance(data, dict):
            self.fail("invalid")
        envelope = {key: data[key] for key in self.fields if key in data}
        return serializers.Serializer.to_internal_value(self, envelope)


class CourtMessageSerializer(CourtEnvelopeSerializer):
    """Base of each message type: the envelope plus the body fields."""

    def to_internal_value(self, data):
        return StrictSerializer.to_internal_value(self, data)


class CourtOnSentenceSerializer(CourtMessageSerializer):
    offender = CourtOffenderRefSerializer()
    sentence_ref = CourtSentenceRefSerializer()


class SentenceImposedSerializer(CourtMessageSerializer):
    offender = CourtOffenderDetailsSerializer()
    sentence = CourtImposedSentenceSerializer()


class OffenderDetailsChangedSerializer(CourtMessageSerializer):
    offender = CourtOffenderRefSerializer()
    changes = CourtOffenderChangesSerializer(required=False)
    aliases_added = CourtAliasSerializer(many=True, required=False, max_length=20)
    address = CourtAddressSerializer(required=False)
    effective_on = StrictDateField(required=False)

    def validate(self, attrs):
        if not (attrs.get("changes") or attrs.get("aliases_added") or attrs.get("address")):
            raise serializers.ValidationError("Give at least one of changes, aliases_added or address.")
        return attrs


class ApplicationLodgedSerializer(CourtOnSentenceSerializer):
    lodged_on = StrictDateField()
    detail = _text(400, help_text="What the application is for, e.g. to vary conditions.")


class ApplicationDecidedSerializer(CourtOnSentenceSerializer):
    decided_on = StrictDateField()
    outcome = StrictChoiceField(choices=[("granted", "Granted"), ("declined", "Declined")])
    detail = _text(250, required=False, allow_blank=True)


APPEAL_AGAINST = [("sentence", "Against sentence"), ("conviction", "Against conviction")]


class AppealLodgedSerializer(CourtOnSentenceSerializer):
    against = StrictChoiceField(choices=APPEAL_AGAINST)
    lodged_on = StrictDateField()
    detail = _text(400, required=False, allow_blank=True)


class AppealDecidedSerializer(CourtOnSentenceSerializer):
    against = StrictChoiceField(choices=APPEAL_AGAINST)
    decided_on = StrictDateField()
    outcome = StrictChoiceField(choices=[("allowed", "Allowed"), ("dismissed", "Dismissed")])
    quash = StrictBooleanField(
        required=False,
        default=False,
        help_text="An allowed appeal against conviction may quash the sentence: true completes it "
        "as quashed.",
    )
    detail = _text(250, required=False, allow_blank=True)

    def validate(self, attrs):
        if attrs.get("quash") and not (attrs["against"] == "conviction" and attrs["outcome"] == "allowed"):
            raise serializers.ValidationError({"quash": "Only an allowed appeal against conviction quashes."})
        return attrs


class BreachChargedSerializer(CourtOnSentenceSerializer):
    charged_on = StrictDateField()
    detail = _text(400, help_text="What the breach is, e.g. failed to report.")
    offence_code = _text(12, required=False, help_text="The breach offence, to record the charge too.")


class BreachDecidedSerializer(CourtOnSentenceSerializer):
    decided_on = StrictDateField()
    outcome = StrictChoiceField(
        choices=[("proved", "Proved"), ("dismissed", "Dismissed"), ("withdrawn", "Withdrawn")]
    )
    detail = _text(250, required=False, allow_blank=True)


class SentenceTransferredSerializer(CourtOnSentenceSerializer):
    to_office_code = _text(12)
    transferred_on = StrictDateField()
    reason = _text(400, required=False, allow_blank=True)


class CourtCompletionSerializer(CourtOnSentenceSerializer):
    """sentence.cancelled_by_subsequent, .quashed, .discharged_early and .terminated."""

    effective_on = StrictDateField(help_text="The date the sentence ended.")
    detail = _text(400, required=False, allow_blank=True, help_text="The court's decision, in words.")


class CancelledBySubsequentSerializer(CourtCompletionSerializer):
    subsequent_sentence_ref = CourtSentenceRefSerializer(required=False)


class CourtReleaseSentenceSerializer(StrictSerializer):
    cms_reference = _text(60, required=False)
    court_code = _text(12, required=False, help_text="Defaults to the court of the prison sentence.")
    decided_on = StrictDateField(required=False, help_text="Date of the release decision (order date).")
    end_date = StrictDateField()
    conditions = _conditions_field()
    managing_office_code = _text(12, required=False)
    convictions = CourtConvictionSerializer(
        many=True,
        required=False,
        max_length=100,
        help_text="Defaults to the convictions of the prison sentence.",
    )


class OffenderReleasedSerializer(CourtMessageSerializer):
    offender = CourtOffenderRefSerializer()
    release_kind = StrictChoiceField(choices=[("parole", "On parole"), ("conditions", "On conditions")])
    released_on = StrictDateField()
    prison_sentence_ref = CourtSentenceRefSerializer(required=False)
    sentence = CourtReleaseSentenceSerializer()
    complete_prison_sentence = StrictBooleanField(
        required=False,
        default=False,
        help_text="Only when true is the prison sentence completed as at the release date.",
    )

    def validate(self, attrs):
        if not attrs.get("prison_sentence_ref") and not attrs["sentence"].get("convictions"):
            raise serializers.ValidationError(
                "Give prison_sentence_ref or sentence.convictions: a sentence needs its convictions."
            )
        order = attrs["sentence"]
        try:
            _check_conditions_within(
                {"conditions": order.get("conditions"), "released_on": attrs["released_on"], **order},
                "released_on",
            )
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"sentence": error.detail}) from None
        if attrs.get("complete_prison_sentence") and not attrs.get("prison_sentence_ref"):
            raise serializers.ValidationError(
                {"complete_prison_sentence": "Name the prison sentence (prison_sentence_ref) to complete it."}
            )
        return attrs


class CourtCorrectionsSerializer(StrictSerializer):
    offender = CourtOffenderChangesSerializer(required=False)
    sentence = CourtSentenceCorrectionsSerializer(required=False)


class CorrectionAppliedSerializer(CourtMessageSerializer):
    correction_request_id = StrictRegexField(
        r"^(CR-)?\d{1,12}$",
        message="The request's reference, e.g. CR-42.",
        help_text="The reference IOMS gave the request (CR-123).",
    )
    offender = CourtOffenderRefSerializer()
    sentence_ref = CourtSentenceRefSerializer(required=False)
    corrected = CourtCorrectionsSerializer()
    detail = _text(400, required=False, allow_blank=True)

    def validate(self, attrs):
        corrected = attrs["corrected"]
        if not corrected.get("offender") and not corrected.get("sentence"):
            raise serializers.ValidationError(
                {"corrected": "Give the corrected offender or sentence fields."}
            )
        if corrected.get("sentence") and not attrs.get("sentence_ref"):
            raise serializers.ValidationError(
                {"sentence_ref": "Name the sentence whose fields are corrected."}
            )
        return attrs


SERIALIZERS: dict[str, type[CourtMessageSerializer]] = {
    MessageType.SENTENCE_IMPOSED: SentenceImposedSerializer,
    MessageType.OFFENDER_DETAILS_CHANGED: OffenderDetailsChangedSerializer,
    MessageType.APPLICATION_LODGED: ApplicationLodgedSerializer,
    MessageType.APPLICATION_DECIDED: ApplicationDecidedSerializer,
    MessageType.APPEAL_LODGED: AppealLodgedSerializer,
    MessageType.APPEAL_DECIDED: AppealDecidedSerializer,
    MessageType.BREACH_CHARGED: BreachChargedSerializer,
    MessageType.BREACH_DECIDED: BreachDecidedSerializer,
    MessageType.SENTENCE_TRANSFERRED: SentenceTransferredSerializer,
    MessageType.SENTENCE_CANCELLED_BY_SUBSEQUENT: CancelledBySubsequentSerializer,
    MessageType.SENTENCE_QUASHED: CourtCompletionSerializer,
    MessageType.SENTENCE_DISCHARGED_EARLY: CourtCompletionSerializer,
    MessageType.SENTENCE_TERMINATED: CourtCompletionSerializer,
    MessageType.OFFENDER_RELEASED: OffenderReleasedSerializer,
    MessageType.CORRECTION_APPLIED: CorrectionAppliedSerializer,
}


# --- from bytes to a validated message ----------------------------------------------------------


@dataclass
class ParsedBody:
    """What a body was: its text (as stored), the bytes when the text cannot hold them exactly,
    and either the parsed JSON object or why it did not parse."""

    text: str
    exact_bytes: bytes | None
    payload: dict | None
    error: str = ""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class RepeatedKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _object_without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict:
    """A JSON object as a dict, refusing a key given twice: json.loads would keep the last silently,
    so the message applied could differ from what the courts' own system (or a person reading the
    body) takes it to say."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RepeatedKey(key)
            seen.add(key)
    return obj


# No message of the format nests deeper than a few levels; a body nested deeper than this is
# refused before anything walks it (a recursive walk, or storing it, would overflow the stack).
MAX_NESTING = 32


def _unstorable_text(value: Any) -> str:
    """Why a parsed value cannot be stored as JSON in PostgreSQL ('' when it can): NUL characters
    and unpaired surrogates are valid JSON escapes but not valid stored text, and a value nested
    deeper than MAX_NESTING is refused. Iterative, so no depth of nesting can overflow the stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "contains a NUL character (\\u0000), which cannot be stored as text"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "contains an unpaired surrogate (\\ud800-\\udfff), which cannot be stored as text"
        elif isinstance(item, dict | list):
            if depth >= MAX_NESTING:
                return f"is nested too deeply (more than {MAX_NESTING} levels; no message of the format is)"
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
    return ""


def parse_body(raw: bytes) -> ParsedBody:
    """Decode and parse a body. Never raises: a body that is not a JSON object comes back with
    `error` saying what is wrong, in words a person at the courts can act on."""
    text = raw.decode("utf-8", errors="replace")
    exact = None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        exact = raw
        bad = f"byte 0x{raw[error.start]:02x} at position {error.start}"
        return ParsedBody(text.replace("\x00", "\ufffd"), exact, None, f"The body is not UTF-8 text ({bad}).")
    if "\x00" in text:
        return ParsedBody(
            text.replace("\x00", "\ufffd"), raw, None, "The body contains NUL bytes: it is not JSON text."
        )
    if not text.strip():
        return ParsedBody(text, None, None, "The body is empty: send the message as a JSON object.")
    try:
        payload = json.loads(
            text.lstrip("\ufeff"),
            parse_float=_finite_float,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object_without_repeated_keys,
        )
    except RecursionError:
        return ParsedBody(text, None, None, "The body is not valid JSON: it is nested too deeply.")
    except RepeatedKey as repeated:
        return ParsedBody(
            text,
            None,
            None,
            f"The body gives the key {json.dumps(repeated.key)[:100]} twice in the same object; "
            "give each field once.",
        )
    except ValueError as error:
        where = (
            f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        )
        message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        return ParsedBody(text, None, None, f"The body is not valid JSON: {message}{where}.")
    if not isinstance(payload, dict):
        return ParsedBody(text, None, None, "The body must be a JSON object ({...}), not a list or a value.")
    unstorable = _unstorable_text(payload)
    if unstorable:
        return ParsedBody(text, None, None, f"The message {unstorable}.")
    return ParsedBody(text, None, payload)


@dataclass
class Validation:
    data: dict | None
    reason: str = ""
    errors: dict | None = None

    @property
    def valid(self) -> bool:
        return self.data is not None


def _flatten(detail, prefix: str = "") -> list[str]:
    """DRF's nested error detail as 'offender.date_of_birth: Must be a date written YYYY-MM-DD.'"""
    lines: list[str] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            lines += _flatten(value, name)
    elif isinstance(detail, list):
        if detail and all(isinstance(item, str) for item in detail):
            lines += [f"{prefix}: {item}" if prefix else str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    lines += _flatten(item, f"{prefix}[{index}]")
    else:
        lines.append(f"{prefix}: {detail}" if prefix else str(detail))
    return lines


def _plain(detail):
    """ErrorDetail objects to plain strings, for JSON responses and storage."""
    if isinstance(detail, dict):
        return {str(key): _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(item) for item in detail]
    return str(detail)


def _reason(errors) -> str:
    lines = _flatten(errors)
    shown = lines[:8]
    more = f" (and {len(lines) - len(shown)} more)" if len(lines) > len(shown) else ""
    return "The message does not follow the format: " + "; ".join(shown) + more


_validators = threading.local()


def _run(serializer_class: type[serializers.Serializer], payload: dict) -> tuple[dict | None, dict | None]:
    """Validate with one reused serializer per class and thread: building a serializer deep-copies
    every declared field, which would otherwise cost more than the validation itself (a batch
    import validates 100,000 messages)."""
    cache = getattr(_validators, "instances", None)
    if cache is None:
        cache = _validators.instances = {}
    serializer = cache.get(serializer_class)
    if serializer is None:
        serializer = cache[serializer_class] = serializer_class()
    try:
        return serializer.run_validation(payload), None
    except serializers.ValidationError as error:
        return None, _plain(serializers.as_serializer_error(error))


def validate_message(payload: dict) -> Validation:
    """Check a parsed message: first the envelope (so an unknown type is reported as such), then
    the body of its type."""
    envelope, errors = _run(CourtEnvelopeSerializer, payload)
    if errors is not None:
        if "message_type" in errors and isinstance(payload.get("message_type"), str):
            known = ", ".join(MessageType.values)
            errors["message_type"] = [
                f"Unknown message type '{payload['message_type'][:60]}'. Known types: {known}."
            ]
        return Validation(None, _reason(errors), errors)
    data, errors = _run(SERIALIZERS[envelope["message_type"]], payload)
    if errors is not None:
        return Validation(None, _reason(errors), errors)
    return Validation(data)


def envelope_fields(payload: dict | None) -> tuple[str, str]:
    """The message_id and message_type to file a message under, when they are plausible strings
    (a rejected message keeps them for searching; anything else is left blank)."""
    if not payload:
        return "", ""
    message_id = payload.get("message_id")
    message_type = payload.get("message_type")
    return (
        message_id[:100] if isinstance(message_id, str) else "",
        message_type[:60] if isinstance(message_type, str) else "",
    )
