"""Two openings at once: the lock lets exactly one of two overlapping cycles (or two cycles of one name) open."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from assessments.models import KPI, AssessmentCycle
from assessments.services.opening import open_cycle
from tests.integration.test_cycles import assessed_org

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*names):
    """Open a yearly 2026 cycle of each name from threads started together; the outcomes, by name."""
    start = threading.Barrier(len(names))
    outcomes = {}

    def worker(name):
        try:
            start.wait()
            open_cycle(
                name=name,
                kpi_cycle=KPI.Cycle.YEARLY,
                starts_on=datetime.date(2026, 1, 1),
                ends_on=datetime.date(2026, 12, 31),
            )
            outcomes[name] = "opened"
        except ValidationError as error:
            outcomes[name] = error.messages
        except Exception as error:  # noqa: BLE001 - any other failure in a thread must fail the test
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("names", [("甲", "乙"), ("同名", "同名 ")], ids=["overlapping", "same name"])
def test_of_two_cycles_opened_at_once_that_cannot_both_open_exactly_one_does(names):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (CI runs on it); SQLite serialises whole transactions")
    assessed_org()

    outcomes = at_once(*names)

    assert sorted(outcome == "opened" for outcome in outcomes.values()) == [False, True]
    (refused,) = [outcome for outcome in outcomes.values() if outcome != "opened"]
    assert isinstance(refused, list), refused
    assert AssessmentCycle.objects.count() == 1
