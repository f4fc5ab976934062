"""The outputs of a Review Security Classification (seed 003, issue 5 "Outputs"): the completed
form as a PDF laid out like seed 003 (identifying details, sections A to E item by item), and a
plain-language letter telling the prisoner the result and the reasons.

Templates get plain values only (strings, numbers, dates, lists of dicts), never model
instances: a template cannot walk from the review to anything it was not given. Both PDFs are
rendered by ioms.pdf, like documents: inline CSS, local fonts and a URL fetcher that refuses every
URL, so printing never makes a request.
"""

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from classification.models import (
    APPROVED_REVIEW_STATUSES,
    ItemKind,
    Review,
    ReviewStatus,
    SecurityClassification,
)
from classification.scoring import (
    CARRY_OVERS,
    INTERNAL_CATEGORY_ITEM,
    ScoringError,
    score,
)
from classification.selectors import instrument_with_items, spec_from_instrument
from ioms.pdf import html_to_pdf
from sentences.models import Sentence, SentenceType

# Seed 003: the headings the items are grouped under, in the form's order.
SECTIONS = {
    "A": "A. Internal Risk",
    "B": "B. External Risk",
}
GROUPS = {
    "A.1": "A.1. Overrides",
    "A.2": "A.2. Risk of escape",
    "A.3": "A.3. Current state of mental health",
    "A.4": "A.4. Offence history",
    "A.5": "A.5. Co-operation in unit, workplace, programmes",
    "B.1": "B.1. Overrides",
    "B.2": "B.2. Auto entry items",
    "B.3": "B.3. Risk of escape",
    "B.4": "B.4. Risk to public safety",
}
# Seed 003, B.4.3: "It will not contain details of the source or the information on the form."
LEVEL_ONLY_ITEMS = frozenset({"B.4.3"})

# The letter: what each scored item looked at, in the prisoner's words (short, no item jargon).
PLAIN_QUESTIONS = {
    "A.2.1": "Time since your last escape or attempt to escape",
    "A.3.1": "Health Services' view of your mental health",
    "A.4.1": "How serious your current offence is",
    "A.4.2": "How serious your most serious outstanding charge is",
    "A.4.3": "Charges and convictions under the Corrections Act in the past 3 months "
    "(not for drugs, violence or escape)",
    "A.4.4": "Charges and convictions under the Corrections Act in the past 3 months "
    "for drugs, violence or escape",
    "A.4.5": "Charges and convictions under other laws in the past 3 months "
    "(not for drugs, violence or escape)",
    "A.4.6": "Charges and convictions under other laws in the past 4 months for drugs, violence or escape",
    "A.5.1": "Incident reports in the past 6 months that show a negative attitude to others",
    "A.5.2": "How well you did what staff asked in the past 6 months",
    "A.5.3": "How you got on with staff and other prisoners in the past 6 months",
    "A.5.4": "How well you kept to prison rules in the past 6 months",
    "A.5.5": "How well you took part in your sentence plan activities in the past 6 months",
    "B.3.1": "Time left before you could be released",
    "B.3.2": "A removal, deportation or extradition order",
    "B.4.1": "Your most serious conviction in the past 7 years (not counting your current offences)",
    "B.4.2": "Time since that conviction",
    "B.4.3": "Other information about the risk if you have any access outside the prison",
    "B.4.4": "Your internal risk category",
}
PLAIN_LEVELS = {"L": "Low", "M": "Moderate", "H": "High"}  # B.4.3, in words
# Seed 003, A.4.1: the MoJ seriousness bands, in words.
PLAIN_BANDS = {"VL": "Lowest", "L": "Low", "M": "Moderate", "H": "High"}
BAND_ITEMS = frozenset({"A.4.1", "A.4.2", "B.4.1"})
# Items answered with a count, and what is counted.
COUNTED = {
    "A.4.3": ("charge or conviction", "charges or convictions"),
    "A.4.4": ("charge or conviction", "charges or convictions"),
    "A.4.5": ("charge or conviction", "charges or convictions"),
    "A.4.6": ("charge or conviction", "charges or convictions"),
    "A.5.1": ("report", "reports"),
}
# Section A items whose points section B carries over (seed 003, B.2).
CARRIED_ITEMS = frozenset(code for sources in CARRY_OVERS.values() for code in sources)
PLAIN_OVERRIDES = {
    "A.1.1": (
        "You have a conviction or an outstanding charge under the Terrorism Suppression Act 2002. "
        "When this applies, both your internal and your external category must be B."
    ),
    "A.1.2": (
        "You were charged with or convicted of a serious assault in the past 6 months. "
        "When this applies, your internal category must be B."
    ),
}
_INSIDE = "This is about how you behave and get on with others inside the prison."
_OUTSIDE = "This is about the risk if you have any access outside the prison."
MEANINGS = {
    "internal": {
        "A": f"Your internal risk is low. {_INSIDE}",
        "B": f"Your internal risk is medium. {_INSIDE}",
    },
    "external": {
        "A": f"Your external risk is low. {_OUTSIDE}",
        "B": f"Your external risk is medium. {_OUTSIDE}",
    },
}


# --- the form -------------------------------------------------------------------------------


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _record_kind(label: str) -> str:
    """The kind of record a model label names, in the model's own words: "sentences.Conviction"
    gives "Conviction"."""
    try:
        return str(apps.get_model(label)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return label


def _categories(internal: str, external: str) -> dict:
    return {"internal": internal or "", "external": external or ""}


def _fresh(review: Review) -> Review:
    """The review re-read with its officers (1 query), so a caller's stale instance cannot print
    an out-of-date form."""
    return Review.objects.select_related(
        "offender",
        "instrument",
        "initiated_by",
        "recommended_by",
        "approved_by",
        "advised_by",
        "classification",
    ).get(pk=review.pk)


def _item_points(review: Review, instrument) -> tuple[dict[str, int], bool]:
    """Points per item (carry-overs included) from the version that scored the review, and
    whether section A was completed (not under the terrorism override)."""
    answers = {code: entry.get("option") for code, entry in review.answers.items()}
    try:
        result = score(spec_from_instrument(instrument), answers)
    except ScoringError:
        return {}, True
    return result.item_points, result.internal_completed


def _state(review: Review, sent_back: dict | None) -> dict:
    approved = review.status in APPROVED_REVIEW_STATUSES
    if review.status == ReviewStatus.CANCELLED:
        watermark = "CANCELLED — not approved"
        notice = f"This review was cancelled before it was approved. Reason: {review.cancel_reason}"
    elif not approved:
        watermark = "DRAFT — not approved"
        notice = f"This review has not been approved. Status: {review.get_status_display()}."
        if review.status == ReviewStatus.SENT_BACK and sent_back:
            notice += (
                f" Sent back to the initiating officer by {sent_back['by']} on "
                f"{_long_date(sent_back['on'])}: {sent_back['reason']}"
            )
    elif review.status == ReviewStatus.REFERRED_BACK:
        watermark = ""
        notice = (
            "Referred back to the approving officer at the pre-issue check (E.1). Do not give this "
            f"form to the prisoner until the discrepancy is put right: {review.referral_note}"
        )
    else:
        watermark = ""
        notice = ""
    return {
        "code": review.status,
        "label": review.get_status_display(),
        "approved": approved,
        "draft": not approved and review.status != ReviewStatus.CANCELLED,
        "cancelled": review.status == ReviewStatus.CANCELLED,
        "sent_back": review.status == ReviewStatus.SENT_BACK,
        "referred_back": review.status == ReviewStatus.REFERRED_BACK,
        "watermark": watermark,
        "notice": notice,
    }


def _item(item, entry: dict, points: dict[str, int], completed: bool, corrections: list, review) -> dict:
    """One row of section A or B."""
    labels = {option.code: option.label for option in item.options.all()}
    code = item.code
    option = entry.get("option")
    if code == INTERNAL_CATEGORY_ITEM:
        option = review.internal_category  # seed 003, B.4.4: the internal category just scored
    not_completed = item.section == "A" and item.kind == ItemKind.SCORED and not completed
    row = {
        "code": code,
        "text": item.text,
        "kind": item.kind,
        "seed_prepopulated": item.prepopulated,  # seed 003's "Pre-populated: YES/NO"
        "options": [
            {"label": o.label, "points": o.points, "chosen": o.code == option} for o in item.options.all()
        ],
        "option": option or "",
        "option_label": labels.get(option, option or ""),
        "points": None if item.kind == ItemKind.OVERRIDE or not_completed else points.get(code, 0),
        "not_completed": not_completed,
        "carried_from": list(CARRY_OVERS.get(code, ())),
        "origin": "",
        "prepopulated_label": "",
        "corrections": [],
        "sources": [],
        "sources_withheld": code in LEVEL_ONLY_ITEMS,
        "change_note": "",
    }
    if item.kind == ItemKind.CARRY_OVER:
        row["origin"] = "carried"
        row["option_label"] = f"Carried over from {' + '.join(CARRY_OVERS.get(code, ()))}"
        return row
    if code == INTERNAL_CATEGORY_ITEM:
        row["origin"] = "scored"
        return row
    prepopulated = entry.get("prepopulated")
    row["prepopulated_label"] = labels.get(prepopulated, prepopulated or "")
    row["origin"] = "corrected" if prepopulated != option else "prepopulated"
    row["corrections"] = [
        {
            "from_label": labels.get(c.from_option, c.from_option or "none"),
            "to_label": labels.get(c.to_option, c.to_option),
            "reason": c.reason,
            "by": _person(c.corrected_by),
            "on": _local_date(c.corrected_at),
        }
        for c in corrections
    ]
    if code not in LEVEL_ONLY_ITEMS:
        row["sources"] = [
            {
                "label": s.get("label", ""),
                "pk": s.get("pk"),
                "kind": _record_kind(s.get("label", "")),
                "description": s.get("description", ""),
            }
            for s in entry.get("sources", [])
        ]
    changes_on = entry.get("changes_on")
    if changes_on:
        day = datetime.date.fromisoformat(changes_on)
        to = entry.get("changes_to")
        row["change_note"] = f"This score falls on {_long_date(day)}" + (
            f" (to {labels.get(to, to)})" if to else ""
        )
    return row


def _classification_before(review: Review, current: SecurityClassification | None):
    """The classification in force before this review took effect: the one before the approved
    classification, or (not yet approved) the current one. At most 1 query."""
    approved = review.classification
    if approved is None:
        return current
    return (
        SecurityClassification.objects.filter(offender_id=review.offender_id)
        .filter(
            Q(effective_on__lt=approved.effective_on)
            | Q(effective_on=approved.effective_on, id__lt=approved.pk)
        )
        .order_by("-effective_on", "-id")
        .first()
    )


def review_form_context(review: Review) -> dict:
    """Everything the completed form shows, as plain values, in seed 003's order. A constant
    number of queries (about ten) whatever the number of answers, sources, corrections or steps."""
    review = _fresh(review)
    offender = review.offender
    instrument = instrument_with_items(review.instrument_id)  # 3 queries
    points, internal_completed = _item_points(review, instrument)
    corrections: dict[str, list] = {}
    for correction in review.corrections.select_related("corrected_by").order_by("corrected_at", "id"):
        corrections.setdefault(correction.item, []).append(correction)
    transitions = list(review.transitions.select_related("actor").order_by("at", "id"))
    current = (
        SecurityClassification.objects.filter(offender=offender).order_by("-effective_on", "-id").first()
    )
    previous = _classification_before(review, current)
    sentence = (
        Sentence.objects.current()
        .filter(offender=offender, sentence_type=SentenceType.IMPRISONMENT, managing_office__isnull=False)
        .select_related("managing_office")
        .order_by("-start_date", "-id")
        .first()
    )

    sections = []
    for section_code, section_title in SECTIONS.items():
        groups: dict[str, dict] = {}
        for item in instrument.items.all():
            if item.section != section_code:
                continue
            group_code = ".".join(item.code.split(".")[:2])
            group = groups.setdefault(
                group_code, {"code": group_code, "title": GROUPS.get(group_code, group_code), "items": []}
            )
            group["items"].append(
                _item(
                    item,
                    review.answers.get(item.code) or {},
                    points,
                    internal_completed,
                    corrections.get(item.code, []),
                    review,
                )
            )
        sections.append({"code": section_code, "title": section_title, "groups": list(groups.values())})

    sent_back = None
    for step in reversed(transitions):
        if step.to_status == ReviewStatus.SENT_BACK:
            sent_back = {"by": _person(step.actor), "on": _local_date(step.at), "reason": step.comment}
            break
    approved = review.status in APPROVED_REVIEW_STATUSES
    internal_b, external_b = instrument.internal_b_from, instrument.external_b_from
    recommended = review.recommended_categories
    approved_categories = (review.approved_internal_category, review.approved_external_category)

    return {
        "generated_on": timezone.localdate(),
        "review": {
            "pk": review.pk,
            "reason": review.get_reason_display(),
            "prepopulated_on": review.prepopulated_on,
            "completed_on": _local_date(review.approved_at),
        },
        "state": _state(review, sent_back),
        "prisoner": {
            "family_name": offender.family_name,
            "given_names": offender.given_names,
            "full_name": offender.full_name,
            "name": f"{offender.family_name.upper()}, {offender.given_names}",
            "prn": offender.prn,
            "date_of_birth": offender.date_of_birth,
            "prison": sentence.managing_office.name if sentence else "",
        },
        "instrument": {
            "version": instrument.version,
            "name": instrument.name,
            "effective_from": instrument.effective_from,
            "internal_b_from": internal_b,
            "external_b_from": external_b,
        },
        # Seed 003, identifying details: "Security Classification: this will populate from section C".
        "classification": _categories(*approved_categories) if approved else _categories("", ""),
        "sections": sections,
        # C.1
        "totals": {
            "internal": review.internal_score,
            "external": review.external_score,
            "internal_completed": internal_completed,
        },
        # C.2 with the thresholds of the version that scored it.
        "preliminary": {
            **_categories(review.internal_category, review.external_category),
            "internal_a": f"0 – {internal_b - 1}",
            "internal_b": f"{internal_b}+",
            "external_a": f"0 – {external_b - 1}",
            "external_b": f"{external_b}+",
            "overrides": [
                {"code": code, "text": PLAIN_OVERRIDES.get(code, code)} for code in review.scoring_overrides
            ],
        },
        # C.3
        "override": {
            "given": bool(review.override_internal_category or review.override_external_category),
            **_categories(review.override_internal_category, review.override_external_category),
            "reason": review.override_reason,
            "recommended": _categories(*recommended),
        },
        # C.4
        "initiating": {
            "officer": _person(review.initiated_by),
            "on": _local_date(review.submitted_at) or _local_date(review.initiated_at),
            "signed": review.submitted_at is not None,
            "comments": review.initiator_comments,
        },
        # D.1
        "recommending": {
            "officer": _person(review.recommended_by),
            "on": _local_date(review.recommended_at),
            "comments": review.recommender_comments,
        },
        # D.2
        "approving": {
            "officer": _person(review.approved_by),
            "on": _local_date(review.approved_at),
            "comments": review.approver_comments,
            **_categories(*approved_categories),
            "changed": approved and approved_categories != recommended,
            "change_reason": review.approval_change_reason,
        },
        # E.1
        "advising": {
            "officer": _person(review.advised_by),
            "on": _local_date(review.advised_at),
            "record_agrees": (current is not None and current.pk == review.classification_id)
            if approved
            else None,
            "current": _categories(current.internal_category, current.external_category) if current else None,
            "referral_note": review.referral_note,
            "comments": review.advising_comments,
        },
        # E.2
        "advised": {
            "on": review.prisoner_advised_on,
            "signed": review.prisoner_signed,
            "refusal_note": review.refusal_note,
        },
        "previous": (
            {
                **_categories(previous.internal_category, previous.external_category),
                "effective_on": previous.effective_on,
                "kind": previous.get_kind_display(),
            }
            if previous
            else None
        ),
        "steps": [
            {
                "on": _local_date(step.at),
                "from": ReviewStatus(step.from_status).label if step.from_status else "New",
                "to": ReviewStatus(step.to_status).label,
                "by": _person(step.actor),
                "comment": step.comment,
            }
            for step in transitions
        ],
    }


def review_form_html(review: Review) -> str:
    return render_to_string("classification/pdf/review_form.html", review_form_context(review))


def review_form_pdf(review: Review) -> bytes:
    """The completed form (seed 003) as PDF; before approval it is marked "DRAFT — not approved"."""
    return html_to_pdf(review_form_html(review))


# --- the letter -----------------------------------------------------------------------------


def _reasons(form: dict) -> list[dict]:
    """The items that scored points, in the prisoner's words. Carry-overs repeat section A (shown
    as counting towards both parts) and the level-only item names no source (seed 003, B.4.3)."""
    reasons = []
    for section in form["sections"]:
        for group in section["groups"]:
            for item in group["items"]:
                if item["kind"] != ItemKind.SCORED or not item["points"]:
                    continue
                code, option = item["code"], item["option"]
                answer = item["option_label"]
                if code in LEVEL_ONLY_ITEMS:
                    answer = PLAIN_LEVELS.get(option, answer)
                elif code in BAND_ITEMS:
                    answer = f"{PLAIN_BANDS.get(option, answer)} seriousness"
                elif code in COUNTED:
                    one, many = COUNTED[code]
                    answer = f"{answer} {one if answer == '1' else many}"
                if section["code"] == "B":
                    counts_towards = "External"
                elif code in CARRIED_ITEMS:
                    counts_towards = "Internal and external"
                else:
                    counts_towards = "Internal"
                reasons.append(
                    {
                        "code": code,
                        "question": PLAIN_QUESTIONS.get(code, item["text"]),
                        "answer": answer,
                        "points": item["points"],
                        "counts_towards": counts_towards,
                    }
                )
    return reasons


def review_letter_context(review: Review) -> dict:
    """The letter to the prisoner. It exists only once the review is approved (seed 003, D.2)."""
    if review.status not in APPROVED_REVIEW_STATUSES:
        raise ValidationError("The letter to the prisoner exists once the review has been approved.")
    form = review_form_context(review)
    approved = form["approving"]
    previous = form["previous"]
    override = form["override"]
    internal, external = approved["internal"], approved["external"]
    return {
        "generated_on": form["generated_on"],
        "state": form["state"],
        "prisoner": form["prisoner"],
        "decided_on": approved["on"],
        "classification": {"internal": internal, "external": external},
        "meanings": {
            "internal": MEANINGS["internal"].get(internal, ""),
            "external": MEANINGS["external"].get(external, ""),
        },
        "previous": previous,
        "changed": previous is not None
        and (previous["internal"], previous["external"]) != (internal, external),
        "totals": form["totals"],
        "thresholds": {
            "internal_b_from": form["instrument"]["internal_b_from"],
            "external_b_from": form["instrument"]["external_b_from"],
        },
        "reasons": _reasons(form),
        "internal_reasons_completed": form["totals"]["internal_completed"],
        "overrides": [entry["text"] for entry in form["preliminary"]["overrides"]],
        "preliminary": {
            "internal": form["preliminary"]["internal"],
            "external": form["preliminary"]["external"],
        },
        "recommended_change": (
            {**override["recommended"], "reason": override["reason"]} if override["given"] else None
        ),
        "approver_change": (
            {"reason": approved["change_reason"]}
            if approved["changed"] and approved["change_reason"]
            else None
        ),
        "approving_officer": approved["officer"],
        "prison": form["prisoner"]["prison"],
    }


def review_letter_html(review: Review) -> str:
    return render_to_string("classification/pdf/review_letter.html", review_letter_context(review))


def review_letter_pdf(review: Review) -> bytes:
    """The plain-language letter as PDF; raises ValidationError before approval."""
    return html_to_pdf(review_letter_html(review))
