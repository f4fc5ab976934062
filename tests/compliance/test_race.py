"""Two unacceptable failures of the same person recorded at the same moment, on two real database
connections: both outcomes are recorded and the second failure joins the action the first started
(one action being considered per person), rather than the second outcome failing on the unique
constraint of considered actions."""

import threading
import time

import pytest
from django.db import connection, transaction

from appointments.models import Appointment, AppointmentStatus
from appointments.services import outcome_record
from compliance.models import EnforcementAction, EnforcementStatus, Recommendation
from tests.appointments.conftest import nz

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_failures_recorded_at_once_make_one_action_with_both(
    arrange, probation_officer, offender, sentence, rules
):
    first = arrange(nz(2025, 3, 3))
    second = arrange(nz(2025, 3, 10))
    first_recorded, release = threading.Event(), threading.Event()
    errors: dict[str, BaseException] = {}

    def record_first():
        try:
            with transaction.atomic():
                outcome_record(
                    actor=probation_officer,
                    appointment=Appointment.objects.get(pk=first.pk),
                    outcome=AppointmentStatus.FAILED_UNACCEPTABLE,
                )
                first_recorded.set()
                release.wait(timeout=10)  # still uncommitted while the second is recorded
        except BaseException as error:  # noqa: BLE001  (reported by the test below)
            errors["first"] = error
            first_recorded.set()
        finally:
            connection.close()

    def record_second():
        try:
            first_recorded.wait(timeout=10)
            outcome_record(
                actor=probation_officer,
                appointment=Appointment.objects.get(pk=second.pk),
                outcome=AppointmentStatus.FAILED_UNACCEPTABLE,
            )
        except BaseException as error:  # noqa: BLE001
            errors["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=record_first), threading.Thread(target=record_second)]
    for thread in threads:
        thread.start()
    first_recorded.wait(timeout=10)
    time.sleep(1)  # the second is now waiting on the first's transaction
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == {}
    assert set(Appointment.objects.values_list("status", flat=True)) == {
        AppointmentStatus.FAILED_UNACCEPTABLE
    }
    action = EnforcementAction.objects.get(offender=offender)
    assert action.status == EnforcementStatus.CONSIDERED
    assert (action.failures_in_window, action.recommendation) == (2, Recommendation.BREACH)
