"""Demo data for the Review Security Classification (issue 5, seed 003).

Two parts, both run by `seed_demo` after the offenders are written (demo/seed.py):

- `seed_classification_records`: for every offender serving an active imprisonment sentence who has
  no classification yet, an initial classification a little after the sentence started, the earlier
  approved reviews since then (every 3 months for 2 years or less, every 6 months for more; none
  after internal A with external A unless something changed) and the prison records the form is
  pre-populated from: incident and misconduct reports, escapes and attempts (rare), At Risk alerts,
  health services' stability assessments, sentence-plan activities and category changes, removal
  orders (rare) and Police information (rare). Bulk rows like the rest of the demo data, written
  in chunks; each prisoner's records come from a `random.Random` of (seed, PRN), so the same seed
  and day give the same records.
- `seed_demo_reviews`: a handful of reviews at the demo prison (where the prison, recommending and
  approving demo logins work), taken to different steps through classification.services, so each
  of those logins has a review waiting for them and the audit trail is the real one. Colleagues at
  the prison take the other steps, keeping the four-eyes rule.
"""

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from classification import services
from classification.models import (
    ActivityStatus,
    AtRiskAlert,
    ClassificationKind,
    CorrectionsActStatus,
    EscapeCustody,
    EscapeEvent,
    EscapeKind,
    HealthStabilityAssessment,
    IncidentReport,
    IncidentType,
    Instrument,
    PlanCategory,
    PoliceInformation,
    RemovalKind,
    RemovalOrder,
    Review,
    ReviewReason,
    ReviewSchedule,
    RiskLevel,
    SecurityClassification,
    SentencePlanActivity,
    SentencePlanCategoryChange,
    Stability,
)
from classification.schedule import schedule_refresh
from classification.selectors import active_instrument, current_classifications
from demo import bulk
from demo.people import add_months, add_years, between, days, weighted
from demo.reference import DEMO_PRISON_CODE
from offenders.models import Offender
from sentences.custody import in_custody_q
from sentences.models import Sentence, SentenceStatus, SentenceType
from staff.demo_logins import demo_username
from staff.models import Office, OfficeKind, StaffMember
from staff.roles import Role

# Prisoners whose records are built in memory before they are written: bounds memory at any size.
CHUNK_SIZE = 2_000

INCIDENT_WORDING = {
    IncidentType.STAFF_REQUEST: (
        "Refused to return to cell at muster.",
        "Refused a direction to stand for the count.",
        "Did not comply with an instruction to end a phone call.",
        "Refused to leave the yard when directed.",
    ),
    IncidentType.INTERACTION: (
        "Abusive language towards a corrections officer.",
        "Verbal altercation with another prisoner in the yard.",
        "Threatened another prisoner over canteen items.",
        "Intimidating behaviour towards staff during unlock.",
    ),
    IncidentType.PRISON_RULES: (
        "Unauthorised item found in cell during a search.",
        "In an unauthorised area of the unit.",
        "Tattooing equipment found in cell.",
        "Traded property with another prisoner.",
    ),
    IncidentType.OTHER: (
        "Damaged cell property.",
        "Late returning from the exercise yard.",
        "Flooded cell.",
    ),
}
DRUGS_WORDING = ("Positive result on a random drug test.", "Cannabis found in cell during a search.")
VIOLENCE_WORDING = (
    "Assaulted another prisoner in the dining area.",
    "Fight with another prisoner in the yard.",
)
ESCAPE_WORDING = "Preparing to escape: a cut fence panel found near the workshop."
ACTIVITIES = (
    "Drug Treatment Programme",
    "Short Rehabilitation Programme",
    "Violence Prevention Programme",
    "Te Tirohanga (Māori Focus Unit)",
    "Literacy and numeracy",
    "Trade training: carpentry",
    "Trade training: horticulture",
    "Parenting programme",
    "Release to work assessment",
    "Alcohol and other drug counselling",
)
# Issue 6: an unavailable or not-completed activity says why.
UNAVAILABLE_REASON = "Not running at this prison this quarter"
NOT_COMPLETED_REASON = "Did not attend"
NOT_COMPLETED_AFTER_DAYS = 90
AT_RISK_REASONS = (
    "Expressed thoughts of self-harm at reception.",
    "Self-harm risk identified after bad news from home.",
    "Referred by unit staff after a change in behaviour.",
)


# The tables seed_classification_records loads (analysed before the demo reviews read them).
PRISON_RECORD_MODELS = (
    SecurityClassification,
    IncidentReport,
    EscapeEvent,
    AtRiskAlert,
    HealthStabilityAssessment,
    SentencePlanActivity,
    SentencePlanCategoryChange,
    RemovalOrder,
    PoliceInformation,
)


@dataclass
class Prisoner:
    offender_id: int
    prn: str
    prison_id: int
    started: datetime.date  # the earliest current imprisonment sentence
    long_term: bool  # more than 2 years (or indeterminate): reviewed every 6 months, not 3


@dataclass
class ClassificationRows:
    """Unsaved rows of a chunk of prisoners."""

    classifications: list = field(default_factory=list)
    incidents: list = field(default_factory=list)
    escapes: list = field(default_factory=list)
    at_risk_alerts: list = field(default_factory=list)
    stability_assessments: list = field(default_factory=list)
    plan_activities: list = field(default_factory=list)
    plan_category_changes: list = field(default_factory=list)
    removal_orders: list = field(default_factory=list)
    police_information: list = field(default_factory=list)
    # Incidents and escapes of the last weeks, entered after the prisoner's current classification.
    recent_incidents: list = field(default_factory=list)
    recent_escapes: list = field(default_factory=list)

    def write(self, counts: Counter) -> None:
        # A record entered after a prisoner's current classification is a change of circumstances
        # that makes a review due now (classification.schedule, by entry time). So the records go
        # in before the classifications, except those of the last weeks: a few prisoners are due
        # a review for a change, as on any day.
        for label, rows in (
            ("incident reports", self.incidents),
            ("escapes and attempts", self.escapes),
            ("at risk alerts", self.at_risk_alerts),
            ("stability assessments", self.stability_assessments),
            ("plan activities", self.plan_activities),
            ("plan category changes", self.plan_category_changes),
            ("removal orders", self.removal_orders),
            ("police information", self.police_information),
            ("classifications", self.classifications),
            ("incident reports", self.recent_incidents),
            ("escapes and attempts", self.recent_escapes),
        ):
            # COPY, one timestamp a table: each later table is entered after the earlier ones.
            counts[label] += bulk.copy_instances(rows)


def prisoners_to_classify() -> list[Prisoner]:
    """Offenders serving an active imprisonment sentence who have no classification yet, by PRN.
    One query."""
    classified = SecurityClassification.objects.filter(offender_id=OuterRef("offender_id"))
    rows = (
        Sentence.objects.filter(
            in_custody_q(),
            sentence_type=SentenceType.IMPRISONMENT,
            status=SentenceStatus.ACTIVE,
            managing_office__isnull=False,
        )
        .exclude(Exists(classified))
        .order_by("offender__prn", "start_date", "pk")
        .values_list(
            "offender_id", "offender__prn", "managing_office_id", "start_date", "end_date", "indeterminate"
        )
    )
    prisoners: dict[int, Prisoner] = {}
    for offender_id, prn, prison_id, start, end, indeterminate in rows:
        long_term = indeterminate or end is None or end > add_years(start, 2)
        known = prisoners.get(offender_id)
        if known is None:
            prisoners[offender_id] = Prisoner(offender_id, prn, prison_id, start, long_term)
        else:
            known.prison_id = prison_id  # the prison of the latest sentence
            known.long_term = known.long_term or long_term
    return list(prisoners.values())


def prison_staff() -> dict[int, tuple[list[int], list[int]]]:
    """The user ids of each prison's officers and of its approving officers. One query."""
    officers: dict[int, list[int]] = {}
    approvers: dict[int, list[int]] = {}
    rows = (
        StaffMember.objects.filter(office__kind=OfficeKind.PRISON, user__groups__name__isnull=False)
        .order_by("staff_number")
        .values_list("office_id", "user_id", "user__groups__name")
    )
    for office_id, user_id, role in rows:
        if role == Role.APPROVING_OFFICER:
            approvers.setdefault(office_id, []).append(user_id)
        elif role == Role.PRISON_OFFICER:
            officers.setdefault(office_id, []).append(user_id)
    return {office: (officers.get(office, []), approvers.get(office, [])) for office in officers | approvers}


class PrisonRecordGenerator:
    def __init__(self, *, seed: int, today: datetime.date, instrument: Instrument | None, staff: dict):
        self.seed = seed
        self.today = today
        self.instrument = instrument
        self.staff = staff

    def build(self, prisoner: Prisoner, rows: ClassificationRows) -> None:
        rng = random.Random(f"classification:{self.seed}:{prisoner.prn}")
        # Prison records reach back at most two years: older ones fall outside every window.
        since = max(prisoner.started, self.today - days(730))
        classified_on = self._classifications(rng, prisoner, rows)
        first_incident, first_escape = len(rows.incidents), len(rows.escapes)
        self._incidents(rng, prisoner, since, rows)
        self._escapes(rng, prisoner, rows)
        self._health(rng, prisoner, since, rows)
        self._plan(rng, prisoner, since, rows)
        self._orders_and_information(rng, prisoner, since, rows)
        recent = max(classified_on + days(1), self.today - days(21))
        for kept, later, first in (
            (rows.incidents, rows.recent_incidents, first_incident),
            (rows.escapes, rows.recent_escapes, first_escape),
        ):
            mine = kept[first:]
            del kept[first:]
            kept.extend(row for row in mine if row.occurred_on < recent)
            later.extend(row for row in mine if row.occurred_on >= recent)

    # -- classification history ----------------------------------------------------------------

    def _score(self, rng, category: str, b_from: int) -> int:
        """A total that gives `category` under the instrument's threshold (seed 003, C.2.1)."""
        if category == "B":
            return rng.randint(b_from, b_from + 12)
        return rng.randint(max(0, b_from - 20), b_from - 1)

    def _classifications(self, rng, prisoner: Prisoner, rows: ClassificationRows) -> datetime.date:
        """The initial classification and the approved reviews since; returns the date the
        current one took effect."""
        officers, approvers = self.staff.get(prisoner.prison_id, ([], []))
        effective = min(prisoner.started + days(rng.randint(1, 21)), self.today)
        internal = weighted(rng, (("A", 70), ("B", 30)))
        external = weighted(rng, (("A", 50), ("B", 50)) if prisoner.long_term else (("A", 75), ("B", 25)))
        rows.classifications.append(
            SecurityClassification(
                offender_id=prisoner.offender_id,
                kind=ClassificationKind.INITIAL,
                internal_category=internal,
                external_category=external,
                effective_on=effective,
                reason="Initial classification on reception.",
                recorded_by_id=rng.choice(officers) if officers else None,
            )
        )
        if self.instrument is None:
            return effective
        interval = 6 if prisoner.long_term else 3
        due = add_months(effective, interval)
        while due < self.today:
            # Seed 003: no review is scheduled for internal A with external A; a change of
            # circumstances sometimes brings one anyway.
            if internal == external == "A" and rng.random() < 0.8:
                break
            # A few reviews that fell due lately are not done yet: the due list has overdue ones.
            if (self.today - due).days < 60 and rng.random() < 0.35:
                break
            effective = max(effective, min(due + days(rng.randint(-14, 10)), self.today - days(1)))
            internal = "A" if rng.random() < (0.8 if internal == "A" else 0.35) else "B"
            external = "A" if rng.random() < (0.9 if external == "A" else 0.2) else "B"
            rows.classifications.append(
                SecurityClassification(
                    offender_id=prisoner.offender_id,
                    kind=ClassificationKind.REVIEW,
                    internal_category=internal,
                    external_category=external,
                    effective_on=effective,
                    instrument_id=self.instrument.pk,
                    internal_score=self._score(rng, internal, self.instrument.internal_b_from),
                    external_score=self._score(rng, external, self.instrument.external_b_from),
                    reason="Review classification approved.",
                    recorded_by_id=rng.choice(approvers) if approvers else None,
                )
            )
            due = add_months(effective, interval)
        return effective

    # -- prison records --------------------------------------------------------------------------

    def _incidents(self, rng, prisoner: Prisoner, since: datetime.date, rows: ClassificationRows) -> None:
        count = weighted(rng, ((0, 30), (1, 18), (2, 14), (3, 12), (4, 8), (6, 8), (9, 6), (14, 4)))
        # Fewer for a prisoner only lately received.
        count = int(count * min(1.0, (self.today - since).days / 365) + 0.5)
        for _ in range(count):
            incident_type = weighted(
                rng,
                (
                    (IncidentType.STAFF_REQUEST, 30),
                    (IncidentType.INTERACTION, 25),
                    (IncidentType.PRISON_RULES, 35),
                    (IncidentType.OTHER, 10),
                ),
            )
            drugs = incident_type == IncidentType.PRISON_RULES and rng.random() < 0.3
            violence = incident_type == IncidentType.INTERACTION and rng.random() < 0.3
            escape = incident_type == IncidentType.PRISON_RULES and rng.random() < 0.01
            serious = drugs or violence or escape
            corrections_act = weighted(
                rng,
                (
                    (CorrectionsActStatus.NONE, 25 if serious else 65),
                    (CorrectionsActStatus.CHARGED, 35 if serious else 20),
                    (CorrectionsActStatus.PROVEN, 40 if serious else 15),
                ),
            )
            if escape:
                description = ESCAPE_WORDING
            elif drugs:
                description = rng.choice(DRUGS_WORDING)
            elif violence:
                description = rng.choice(VIOLENCE_WORDING)
            else:
                description = rng.choice(INCIDENT_WORDING[incident_type])
            occurred = between(rng, since, self.today)
            rows.incidents.append(
                IncidentReport(
                    offender_id=prisoner.offender_id,
                    prison_id=prisoner.prison_id,
                    occurred_on=occurred,
                    incident_type=incident_type,
                    corrections_act=corrections_act,
                    **self._misconduct_dates(prisoner, corrections_act, occurred),
                    drugs_related=drugs,
                    violence_related=violence,
                    escape_related=escape,
                    negative_attitude=rng.random()
                    < (0.7 if incident_type == IncidentType.INTERACTION else 0.1),
                    description=description,
                )
            )

    def _misconduct_dates(self, prisoner: Prisoner, corrections_act: str, occurred: datetime.date) -> dict:
        """A misconduct charge is laid within days of the incident and proven (or not) weeks later
        (seed 003, A.4.3/A.4.4 count by those dates), never after today. Drawn from a generator of
        their own, so the rest of the demo draws the same people and records as before."""
        rng = random.Random(f"misconduct-{prisoner.offender_id}-{occurred.isoformat()}")
        if corrections_act == CorrectionsActStatus.NONE:
            return {"charge_laid_on": None, "proven_on": None}
        laid = min(occurred + days(rng.randint(0, 4)), self.today)
        proven = min(laid + days(rng.randint(7, 35)), self.today)
        return {
            "charge_laid_on": laid,
            "proven_on": proven if corrections_act == CorrectionsActStatus.PROVEN else None,
        }

    def _escapes(self, rng, prisoner: Prisoner, rows: ClassificationRows) -> None:
        """Rare: an escape or attempt from prison or Police custody, perhaps in an earlier
        sentence (seed 003, A.2.1), with the misconduct report when it was from this prison."""
        if rng.random() >= 0.025:
            return
        occurred = between(rng, self.today - days(8 * 365), self.today - days(14))
        kind = weighted(rng, ((EscapeKind.ATTEMPT, 60), (EscapeKind.ESCAPE, 40)))
        custody = weighted(rng, ((EscapeCustody.PRISON, 70), (EscapeCustody.POLICE, 30)))
        convicted = None
        if rng.random() < 0.6 and (self.today - occurred).days > 60:
            convicted = min(occurred + days(rng.randint(30, 240)), self.today)
        where = "from prison" if custody == EscapeCustody.PRISON else "from Police custody"
        rows.escapes.append(
            EscapeEvent(
                offender_id=prisoner.offender_id,
                kind=kind,
                custody=custody,
                occurred_on=occurred,
                convicted_on=convicted,
                description=f"{EscapeKind(kind).label} {where}.",
            )
        )
        if custody == EscapeCustody.PRISON and occurred >= prisoner.started:
            rows.incidents.append(
                IncidentReport(
                    offender_id=prisoner.offender_id,
                    prison_id=prisoner.prison_id,
                    occurred_on=occurred,
                    incident_type=IncidentType.PRISON_RULES,
                    corrections_act=CorrectionsActStatus.PROVEN,
                    **self._misconduct_dates(prisoner, CorrectionsActStatus.PROVEN, occurred),
                    escape_related=True,
                    negative_attitude=True,
                    description=f"{EscapeKind(kind).label} from the prison.",
                )
            )

    def _health(self, rng, prisoner: Prisoner, since: datetime.date, rows: ClassificationRows) -> None:
        """At Risk alerts (each followed by a health assessment) and other stability assessments.
        Seed 003, A.3.1: Unstable only on a medical opinion (the database refuses U without one)."""

        def assess(on: datetime.date, unstable_chance: float) -> None:
            unstable = rng.random() < unstable_chance
            rows.stability_assessments.append(
                HealthStabilityAssessment(
                    offender_id=prisoner.offender_id,
                    assessed_on=on,
                    stability=Stability.UNSTABLE if unstable else Stability.STABLE,
                    medical_opinion=unstable,
                    note="Medical opinion: poses a risk; review in four weeks."
                    if unstable
                    else "Mentally stable at assessment.",
                )
            )

        if rng.random() < 0.04:
            raised = between(rng, since, self.today)
            ended = raised + days(rng.randint(5, 90)) if rng.random() < 0.65 else None
            rows.at_risk_alerts.append(
                AtRiskAlert(
                    offender_id=prisoner.offender_id,
                    raised_on=raised,
                    ended_on=ended if ended and ended <= self.today else None,
                    reason=rng.choice(AT_RISK_REASONS),
                )
            )
            assess(min(raised + days(rng.randint(1, 10)), self.today), 0.35)
        if rng.random() < 0.15:
            for _ in range(rng.choice((1, 1, 2))):
                assess(between(rng, since, self.today), 0.08)

    def _plan(self, rng, prisoner: Prisoner, since: datetime.date, rows: ClassificationRows) -> None:
        """Sentence-plan activities over the past year and the next two months (seed 003, A.5.5),
        some prisoners keener than others, and the plan category."""
        if rng.random() < 0.85:
            keen = rng.choice((0.9, 0.6, 0.3))
            for _ in range(rng.randint(1, 6)):
                scheduled = between(rng, max(since, self.today - days(365)), self.today + days(60))
                if scheduled > self.today:
                    status = ActivityStatus.SCHEDULED
                elif rng.random() < 0.12:
                    status = ActivityStatus.UNAVAILABLE
                elif rng.random() < keen:
                    status = weighted(rng, ((ActivityStatus.COMPLETED, 75), (ActivityStatus.ATTENDED, 25)))
                elif scheduled < self.today - days(NOT_COMPLETED_AFTER_DAYS):
                    # Long past and never attended: recorded as not completed (A.5.5 scores it as
                    # it scores a scheduled activity, so the demo's classifications are unchanged).
                    status = ActivityStatus.NOT_COMPLETED
                else:
                    status = ActivityStatus.SCHEDULED  # scheduled and not attended
                rows.plan_activities.append(
                    SentencePlanActivity(
                        offender_id=prisoner.offender_id,
                        scheduled_on=scheduled,
                        description=rng.choice(ACTIVITIES),
                        status=status,
                        unavailable_reason=UNAVAILABLE_REASON if status == ActivityStatus.UNAVAILABLE else "",
                        not_completed_reason=(
                            NOT_COMPLETED_REASON if status == ActivityStatus.NOT_COMPLETED else ""
                        ),
                    )
                )
        if rng.random() < 0.4:
            standard = min(prisoner.started + days(rng.randint(14, 60)), self.today)
            rows.plan_category_changes.append(
                SentencePlanCategoryChange(
                    offender_id=prisoner.offender_id, changed_on=standard, category=PlanCategory.STANDARD
                )
            )
            if rng.random() < 0.25:
                rows.plan_category_changes.append(
                    SentencePlanCategoryChange(
                        offender_id=prisoner.offender_id,
                        changed_on=between(rng, standard, self.today),
                        category=PlanCategory.INTERVENTION,
                    )
                )

    def _orders_and_information(
        self, rng, prisoner: Prisoner, since: datetime.date, rows: ClassificationRows
    ) -> None:
        if rng.random() < 0.015:  # seed 003, B.3.2
            made = between(rng, prisoner.started, self.today)
            rows.removal_orders.append(
                RemovalOrder(
                    offender_id=prisoner.offender_id,
                    kind=weighted(
                        rng,
                        (
                            (RemovalKind.DEPORTATION, 70),
                            (RemovalKind.REMOVAL, 20),
                            (RemovalKind.EXTRADITION, 10),
                        ),
                    ),
                    made_on=made,
                    revoked_on=between(rng, made, self.today) if rng.random() < 0.1 else None,
                )
            )
        if rng.random() < 0.07:  # seed 003, B.4.3
            for _ in range(rng.choice((1, 1, 2))):
                rows.police_information.append(
                    PoliceInformation(
                        offender_id=prisoner.offender_id,
                        source=weighted(
                            rng,
                            (
                                (PoliceInformation.Source.POLICE, 80),
                                (PoliceInformation.Source.CRIME_PREVENTION, 20),
                            ),
                        ),
                        level=weighted(
                            rng, ((RiskLevel.HIGH, 15), (RiskLevel.MODERATE, 40), (RiskLevel.LOW, 45))
                        ),
                        received_on=between(rng, since, self.today),
                    )
                )


def seed_classification_records(*, seed: int, today: datetime.date, counts: Counter) -> int:
    """Classify every unclassified prisoner and give them prison records; returns how many."""
    prisoners = prisoners_to_classify()
    generator = PrisonRecordGenerator(
        seed=seed, today=today, instrument=active_instrument(), staff=prison_staff()
    )
    for start in range(0, len(prisoners), CHUNK_SIZE):
        rows = ClassificationRows()
        for prisoner in prisoners[start : start + CHUNK_SIZE]:
            generator.build(prisoner, rows)
        rows.write(counts)
    bulk.analyze(PRISON_RECORD_MODELS)
    return len(prisoners)


# ---------------------------------------------------------------------------------------------
# Reviews at the demo prison, through the services


@dataclass
class DemoPrisonStaff:
    prison: object  # the user of the prison officer login
    recommending: object
    approving: object
    colleagues: list  # other prison officers at the demo prison
    recommending_colleagues: list  # other recommending officers there

    def colleague(self, number: int):
        return self.colleagues[number % len(self.colleagues)] if self.colleagues else self.prison

    def recommending_colleague(self):
        return self.recommending_colleagues[0] if self.recommending_colleagues else self.recommending


def _demo_prison_staff(prison: Office) -> DemoPrisonStaff | None:
    User = get_user_model()
    logins = {
        role: User.objects.filter(username=demo_username(role), staff__office=prison).first()
        for role in (Role.PRISON_OFFICER, Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)
    }
    if None in logins.values():
        return None
    others = (
        User.objects.filter(staff__office=prison, is_active=True)
        .exclude(pk__in=[user.pk for user in logins.values()])
        .order_by("staff__staff_number")
    )
    return DemoPrisonStaff(
        prison=logins[Role.PRISON_OFFICER],
        recommending=logins[Role.RECOMMENDING_OFFICER],
        approving=logins[Role.APPROVING_OFFICER],
        # Officers who also recommend are kept apart, so no one holds two steps of one review.
        colleagues=list(
            others.filter(groups__name=Role.PRISON_OFFICER).exclude(groups__name=Role.RECOMMENDING_OFFICER)
        ),
        recommending_colleagues=list(others.filter(groups__name=Role.RECOMMENDING_OFFICER)),
    )


def demo_prison_prisoners(prison: Office) -> list[int]:
    """The demo prison's classified prisoners, the longest since their last classification first."""
    ids = list(
        Sentence.objects.filter(
            in_custody_q(),
            sentence_type=SentenceType.IMPRISONMENT,
            status=SentenceStatus.ACTIVE,
            managing_office=prison,
        )
        .values_list("offender_id", flat=True)
        .distinct()
    )
    current = current_classifications(ids)
    prns = dict(Offender.objects.filter(pk__in=current).values_list("pk", "prn"))
    return sorted(current, key=lambda pk: (current[pk].effective_on, prns[pk]))


def _scenarios(staff: DemoPrisonStaff, today: datetime.date) -> list[tuple[str, Callable]]:
    """(what the review shows, how to take it there), most useful first: with few prisoners at
    the demo prison, the first four still leave a review waiting for each demo login."""

    def initiate(actor, offender, **kwargs):
        # A prisoner approved lately is not due again yet (services.review_restart_guard): the demo
        # review is then one staff asked for, with their reason, as a person would have to give.
        if services.review_restart_guard(offender, today) is not None:
            kwargs.setdefault("reason", ReviewReason.MANUAL)
            kwargs.setdefault("comments", "The unit manager asked for a review after a move of unit.")
        return services.review_initiate(actor=actor, offender=offender, today=today, **kwargs)

    def submitted(actor, offender, **kwargs):
        review = initiate(actor, offender)
        return services.review_submit(actor=actor, review=review, **kwargs)

    def recommended(initiator, recommender, offender):
        review = submitted(initiator, offender, comments="Scores checked against the records.")
        return services.review_recommend(
            actor=recommender, review=review, comments="Information and scoring confirmed."
        )

    def approved(initiator, recommender, offender):
        review = recommended(initiator, recommender, offender)
        return services.review_approve(
            actor=staff.approving, review=review, comments="Classification approved.", today=today
        )

    def awaiting_approval(offender):
        return recommended(staff.colleague(0), staff.recommending, offender)

    def awaiting_recommendation(offender):
        return submitted(staff.prison, offender, comments="Prisoner's records checked; no corrections.")

    def awaiting_submission(offender):
        return initiate(staff.prison, offender, comments="Review due.")

    def awaiting_advice(offender):
        return approved(staff.colleague(1), staff.recommending_colleague(), offender)

    def sent_back(offender):
        review = submitted(staff.prison, offender)
        return services.review_send_back(
            actor=staff.recommending,
            review=review,
            reason="Check A.5.2: the unit manager's file notes for last month are not counted.",
        )

    def advised(offender):
        review = approved(staff.colleague(2), staff.recommending, offender)
        return services.review_advise(
            actor=staff.prison,
            review=review,
            advised_on=timezone.localdate(),
            prisoner_signed=True,
            comments="Copy given to the prisoner and a copy filed.",
        )

    def awaiting_approval_with_override(offender):
        review = initiate(staff.colleague(1), offender, reason="change")
        internal, external = review.recommended_categories
        review = services.review_submit(
            actor=staff.colleague(1),
            review=review,
            override_external_category="A" if external == "B" else "B",
            override_reason="Information from the unit manager about the prisoner's associations, "
            "not yet in the records, calls for another external category.",
        )
        return services.review_recommend(actor=staff.recommending_colleague(), review=review)

    def referred_back(offender):
        review = approved(staff.colleague(0), staff.recommending_colleague(), offender)
        return services.review_refer_back(
            actor=staff.prison,
            review=review,
            discrepancy="The prisoner's record still shows the previous external category.",
        )

    def cancelled(offender):
        review = initiate(staff.colleague(2), offender)
        return services.review_cancel(
            actor=staff.recommending, review=review, reason="Started in error: the review is not due yet."
        )

    return [
        ("awaiting the approving officer", awaiting_approval),
        ("awaiting the recommending officer", awaiting_recommendation),
        ("awaiting the prison officer's check and submission", awaiting_submission),
        ("approved, awaiting advice to the prisoner", awaiting_advice),
        ("referred back to the approving officer", referred_back),
        ("sent back to the prison officer", sent_back),
        ("advised", advised),
        ("awaiting approval, with a recommended override", awaiting_approval_with_override),
        ("cancelled", cancelled),
        ("awaiting the recommending officer", awaiting_recommendation),
    ]


def seed_demo_reviews(*, today: datetime.date) -> Counter:
    """Reviews at the demo prison at different steps, made through the services by the demo logins
    and their colleagues. Adds none if the demo prison already has reviews (a second seeding)."""
    made: Counter = Counter()
    prison = Office.objects.filter(code=DEMO_PRISON_CODE).first()
    staff = _demo_prison_staff(prison) if prison else None
    if staff is None or active_instrument() is None:
        return made
    prisoner_ids = demo_prison_prisoners(prison)
    if Review.objects.filter(offender_id__in=prisoner_ids).exists():
        return made
    offenders = Offender.objects.in_bulk(prisoner_ids)
    for (label, take_it_there), offender_id in zip(_scenarios(staff, today), prisoner_ids, strict=False):
        take_it_there(offenders[offender_id])
        made[label] += 1
    return made


def seed_classification(*, seed: int, today: datetime.date, counts: Counter) -> None:
    """The hook seed_demo calls: prisoners' classifications and records, the demo reviews, and
    every prisoner's next review date (which the daily task would otherwise compute overnight)."""
    seed_classification_records(seed=seed, today=today, counts=counts)
    reviews = seed_demo_reviews(today=today)
    if reviews:
        counts["classification reviews"] += sum(reviews.values())
    schedule_refresh(today=today)
    bulk.analyze([ReviewSchedule])
