"""One example of each court message type: shown in the OpenAPI schema, and used by the tests and
the benchmark as the shape of a real message."""

import copy

SENT_AT = "2025-03-04T10:15:00+13:00"

OFFENDER_REF = {"prn": "12345678"}
SENTENCE_REF = {"cms_reference": "CMS-S-2025-000123"}

EXAMPLES: dict[str, dict] = {
    "sentence.imposed": {
        "message_id": "CMS-2025-000001",
        "message_type": "sentence.imposed",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": {
            "cms_participant_id": "P0012345",
            "family_name": "Tamihana",
            "given_names": "Wiremu James",
            "date_of_birth": "1990-05-17",
            "gender": "M",
            "aliases": [{"family_name": "Thomas", "given_names": "William"}],
            "address": {
                "line1": "12 Rata Street",
                "suburb": "Naenae",
                "city": "Lower Hutt",
                "postcode": "5011",
            },
        },
        "sentence": {
            "cms_reference": "CMS-S-2025-000123",
            "court_code": "DC-WLG",
            "court_case_number": "CRI-2025-085-000123",
            "sentence_type": "supervision",
            "order_date": "2025-03-03",
            "start_date": "2025-03-03",
            "end_date": "2026-03-02",
            "conditions": ["Attend an alcohol and drug assessment", "Not associate with co-offenders"],
            "managing_office_code": "WLG01",
            "convictions": [
                {"offence_code": "CA188", "offence_date": "2024-11-20", "convicted_on": "2025-02-10"}
            ],
        },
    },
    "offender.details_changed": {
        "message_id": "CMS-2025-000002",
        "message_type": "offender.details_changed",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "changes": {"family_name": "Tamihana-Smith", "gender": "M"},
        "aliases_added": [{"family_name": "Smith", "given_names": "Wiremu"}],
        "address": {
            "line1": "4 Kowhai Road",
            "city": "Porirua",
            "postcode": "5022",
            "started_on": "2025-03-01",
        },
    },
    "application.lodged": {
        "message_id": "CMS-2025-000003",
        "message_type": "application.lodged",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "lodged_on": "2025-03-04",
        "detail": "Application to vary the conditions (residence)",
    },
    "application.decided": {
        "message_id": "CMS-2025-000004",
        "message_type": "application.decided",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "decided_on": "2025-03-04",
        "outcome": "granted",
        "detail": "Residence condition varied",
    },
    "appeal.lodged": {
        "message_id": "CMS-2025-000005",
        "message_type": "appeal.lodged",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": {"family_name": "Tamihana", "given_names": "Wiremu James", "date_of_birth": "1990-05-17"},
        "sentence_ref": {"court_case_number": "CRI-2025-085-000123", "sentence_type": "supervision"},
        "against": "conviction",
        "lodged_on": "2025-03-04",
        "detail": "Appeal to the High Court",
    },
    "appeal.decided": {
        "message_id": "CMS-2025-000006",
        "message_type": "appeal.decided",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "against": "conviction",
        "decided_on": "2025-03-04",
        "outcome": "allowed",
        "quash": True,
        "detail": "Conviction quashed; no retrial ordered",
    },
    "breach.charged": {
        "message_id": "CMS-2025-000007",
        "message_type": "breach.charged",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "charged_on": "2025-03-04",
        "detail": "Failed to report as directed",
        "offence_code": "SA71",
    },
    "breach.decided": {
        "message_id": "CMS-2025-000008",
        "message_type": "breach.decided",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "decided_on": "2025-03-04",
        "outcome": "proved",
        "detail": "Convicted and fined",
    },
    "sentence.transferred": {
        "message_id": "CMS-2025-000009",
        "message_type": "sentence.transferred",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "to_office_code": "AKL01",
        "transferred_on": "2025-03-04",
        "reason": "Moved to Auckland",
    },
    "sentence.cancelled_by_subsequent": {
        "message_id": "CMS-2025-000010",
        "message_type": "sentence.cancelled_by_subsequent",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "effective_on": "2025-03-04",
        "detail": "Cancelled on sentence of home detention",
    },
    "sentence.quashed": {
        "message_id": "CMS-2025-000011",
        "message_type": "sentence.quashed",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "effective_on": "2025-03-04",
        "detail": "Quashed by the High Court",
    },
    "sentence.discharged_early": {
        "message_id": "CMS-2025-000012",
        "message_type": "sentence.discharged_early",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "effective_on": "2025-03-04",
        "detail": "Remitted on application (s 54)",
    },
    "sentence.terminated": {
        "message_id": "CMS-2025-000013",
        "message_type": "sentence.terminated",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "effective_on": "2025-03-04",
        "detail": "Offender deceased",
    },
    "offender.released": {
        "message_id": "CMS-2025-000014",
        "message_type": "offender.released",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": OFFENDER_REF,
        "release_kind": "parole",
        "released_on": "2025-03-04",
        "prison_sentence_ref": {"cms_reference": "CMS-S-2022-000777"},
        "sentence": {
            "cms_reference": "CMS-S-2025-000200",
            "decided_on": "2025-02-20",
            "end_date": "2027-08-01",
            "conditions": ["Reside at an address approved by a probation officer"],
            "managing_office_code": "WLG01",
        },
        "complete_prison_sentence": False,
    },
    "correction.applied": {
        "message_id": "CMS-2025-000015",
        "message_type": "correction.applied",
        "version": "1",
        "sent_at": SENT_AT,
        "correction_request_id": "CR-42",
        "offender": OFFENDER_REF,
        "sentence_ref": SENTENCE_REF,
        "corrected": {
            "offender": {"date_of_birth": "1990-05-16"},
            "sentence": {"end_date": "2026-03-03"},
        },
        "detail": "Date of birth and expiry date corrected in CMS",
    },
}


# More examples of a type, shown in the OpenAPI schema under their own names.
MORE_EXAMPLES: dict[str, dict] = {
    # Imprisonment with what the sentence calculation needs from the judge: time on remand, a
    # minimum period of imprisonment, and the sentence it is served after.
    "sentence.imposed (imprisonment, cumulative)": {
        "message_id": "CMS-2025-000016",
        "message_type": "sentence.imposed",
        "version": "1",
        "sent_at": SENT_AT,
        "offender": {
            "prn": "12345678",
            "family_name": "Tamihana",
            "given_names": "Wiremu James",
            "date_of_birth": "1990-05-17",
        },
        "sentence": {
            "cms_reference": "CMS-S-2025-000124",
            "court_code": "DC-WLG",
            "court_case_number": "CRI-2025-085-000124",
            "sentence_type": "imprisonment",
            "order_date": "2025-03-03",
            "start_date": "2025-03-03",
            "end_date": "2029-03-02",
            "statutory_release_date": "2029-03-02",
            "remand_days": 62,
            "minimum_period_months": 24,
            "cumulative_on": {"cms_reference": "CMS-S-2024-000801"},
            "convictions": [
                {"offence_code": "CA188", "offence_date": "2024-11-20", "convicted_on": "2025-02-10"}
            ],
        },
    },
}


def example(message_type: str, **overrides) -> dict:
    """A deep copy of the example of `message_type` with top-level fields replaced."""
    message = copy.deepcopy(EXAMPLES[message_type])
    message.update(overrides)
    return message
