"""The diary and office calendar at scale (issue 15, `make bench`): an office whose officers each
hold `cases` cases (60 by default) with a weekly appointment for each, built in one transaction
that is rolled back, then the officer's diary (a day and a week) and the office calendar (a day and
a week) timed with demo/bench.py's measure_url: median and p95, query counts, and the ratio to the
page's own SELECTs run raw. The query counts must not depend on the number of cases: the same
pages are also timed with a single case each, and `constant_queries` compares the two."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from allocation.models import CaseAllocation, CaseRole
from appointments.models import Appointment, AppointmentStatus, AppointmentTransition
from appointments.services import ZONE
from demo.bench import Result, format_table, measure_url
from offenders.models import Offender
from sentences.models import Sentence, SentenceType
from staff.models import Office, OfficeKind, StaffMember
from staff.roles import Role

APPOINTMENTS_BENCH_CASES = 60
APPOINTMENTS_BENCH_OFFICERS = 5


class _RollBack(Exception):
    pass


@dataclass
class AppointmentsBench:
    cases: int
    officers: int
    results: list[Result]
    small_queries: dict[str, int]

    @property
    def constant_queries(self) -> bool:
        return all(result.max_queries == self.small_queries[result.name] for result in self.results)


def _build(*, cases: int, officers: int, tag: str):
    """An office, `officers` probation officers each with `cases` cases on supervision and a
    weekly appointment per case this week (some past with an outcome), written in bulk."""
    User = get_user_model()
    today = timezone.localdate(timezone=ZONE)
    monday = today - datetime.timedelta(days=today.weekday())
    office = Office.objects.create(
        code=f"BA{tag}", name=f"Bench appointments {tag}", kind=OfficeKind.PROBATION
    )
    court = Office.objects.filter(kind=OfficeKind.COURT).first() or Office.objects.create(
        code=f"BAC{tag}", name="Bench court", kind=OfficeKind.COURT
    )
    group = Group.objects.get(name=Role.PROBATION_OFFICER)
    users = User.objects.bulk_create(
        User(username=f"bench-appt-{tag}-{n}", first_name="Bench", last_name=f"Officer {n}")
        for n in range(officers)
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=u.pk, group_id=group.pk) for u in users
    )
    staff = StaffMember.objects.bulk_create(
        StaffMember(user=u, staff_number=f"BA{tag}{n:04d}", office=office) for n, u in enumerate(users)
    )
    offenders = Offender.objects.bulk_create(
        Offender(
            # Nine digits: the demo's PRNs are eight, spread over every eight-digit number, so at
            # national size any eight-digit PRN may be taken (96, 97 and 90 are the other benches').
            prn=f"95{int(tag)}{n:06d}",
            family_name=f"Bench{n}",
            given_names="Case",
            date_of_birth=datetime.date(1990, 1, 1),
            gender="M",
            home_office=office,
        )
        for n in range(cases * officers)
    )
    sentences = Sentence.objects.bulk_create(
        Sentence(
            offender=o,
            sentence_type=SentenceType.SUPERVISION,
            court=court,
            order_date=today - datetime.timedelta(days=90),
            start_date=today - datetime.timedelta(days=90),
            end_date=today + datetime.timedelta(days=275),
            managing_office=office,
        )
        for o in offenders
    )
    CaseAllocation.objects.bulk_create(
        CaseAllocation(
            offender=o,
            staff=staff[n // cases],
            sentence=s,
            role=CaseRole.SUPERVISING_OFFICER,
            started_on=today - datetime.timedelta(days=80),
        )
        for n, (o, s) in enumerate(zip(offenders, sentences, strict=True))
    )
    now = timezone.now()
    rows = []
    for n, offender in enumerate(offenders):
        starts = datetime.datetime.combine(
            monday + datetime.timedelta(days=n % 5), datetime.time(8 + n % 9, 0), tzinfo=ZONE
        )
        rows.append(
            Appointment(
                offender=offender,
                officer=staff[n // cases],
                office=office,
                kind="programme_session" if n % 6 == 0 else "office_visit",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=45),
                location="Group room" if n % 6 == 0 else f"Room {n % 4}",
                status=AppointmentStatus.ATTENDED if starts < now and n % 2 else AppointmentStatus.SCHEDULED,
            )
        )
    Appointment.objects.bulk_create(rows)
    AppointmentTransition.objects.bulk_create(
        AppointmentTransition(appointment=row, from_status="", to_status=AppointmentStatus.SCHEDULED)
        for row in rows
    )
    return office, users[0], staff[0]


def _pages(office, officer) -> list[tuple[str, str, dict]]:
    diary = reverse("appointments:diary", args=[officer.pk])
    calendar = reverse("appointments:office", args=[office.pk])
    return [
        ("Diary, today", diary, {}),
        ("Diary, this week", diary, {"view": "week"}),
        ("Office calendar, today", calendar, {}),
        ("Office calendar, this week", calendar, {"view": "week"}),
    ]


def run_appointments_bench(
    *, cases: int = APPOINTMENTS_BENCH_CASES, officers: int = APPOINTMENTS_BENCH_OFFICERS, runs: int = 10
) -> AppointmentsBench:
    """Time the pages with one case per officer, then with `cases`; everything is rolled back."""
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    results: list[Result] = []
    small: dict[str, int] = {}
    try:
        with transaction.atomic(), override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
            for size, tag in ((1, "1"), (cases, "2")):
                office, user, member = _build(cases=size, officers=officers, tag=tag)
                client = Client(raise_request_exception=False)
                client.force_login(user)
                for name, url, query in _pages(office, member):
                    result = Result(name=name, role=Role.PROBATION_OFFICER.label)
                    measure_url(result, client, url, query, runs=1 if size == 1 else runs)
                    if size == 1:
                        small[name] = result.max_queries
                    else:
                        results.append(result)
            raise _RollBack
    except _RollBack:
        pass
    return AppointmentsBench(cases=cases, officers=officers, results=results, small_queries=small)


def format_appointments(outcome: AppointmentsBench) -> str:
    lines = [format_table(outcome.results)]
    for result in outcome.results:
        lines.append(
            f"{result.name}: {result.max_queries} queries with {outcome.cases} cases per officer, "
            f"{outcome.small_queries[result.name]} with 1"
        )
    lines.append("Constant queries: " + ("yes" if outcome.constant_queries else "NO"))
    return "\n".join(lines)
