"""Closing a contest period: its standings are kept as they were, its winners are final, and a record that
arrives late with a date inside it is credited to the first period still open, never by rewriting the
closed one."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from tests.monitoring.conftest import SPRINT

from jaring.accounts.models import AuditEntry
from jaring.monitoring.models import ContestPeriod
from jaring.monitoring.queries import contest_leaderboard, contest_monev
from jaring.monitoring.services import contest_define, contest_period_close
from jaring.tallies.models import Tally
from jaring.tallies.verify import tallies_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The refusals are asserted in English (jaring speaks Indonesian unless asked)."""
    with translation.override("en"):
        yield


def close(contest, code: str, today: date) -> ContestPeriod:
    return contest_period_close(period=contest.periods.get(code=code), today=today, summary="test")


def ranked(board) -> list[tuple]:
    return [(row.rank, row.outlet, row.value, row.carried, row.prize) for row in board.rows]


def test_late_records_dated_in_a_closed_period_are_credited_to_the_open_one(sprint, files):
    w1 = ranked(contest_leaderboard(sprint, "W1", as_of=date(2024, 2, 20)))
    close(sprint, "W1", date(2024, 2, 20))

    # Three registrations of MDN dated 10 February (inside W1) arrive after W1 closed.
    files.registrations([("BRI-MDN", "2024-02-10")] * 3)

    closed = contest_leaderboard(sprint, "W1", as_of=date(2024, 2, 25))
    assert closed.final and ranked(closed) == w1  # nothing moved: MDN still 6, fourth, no prize
    assert ("BRI-MDN", 6) in [(row.outlet, row.value) for row in closed.rows]
    running = contest_leaderboard(sprint, "W2", as_of=date(2024, 2, 25))
    mdn = next(row for row in running.rows if row.outlet == "BRI-MDN")
    assert (mdn.value, mdn.carried) == (2 + 3, 3)  # its own two of 20 February, and the three late ones
    assert running.rows[0].outlet == "BRI-MDN" and not running.final
    # The tallies keep the day the registrations happened: the truth stays, only the ranking is kept.
    assert Tally.objects.filter(day=date(2024, 2, 10), outlet_id=mdn_pk(sprint)).get().count == 3
    assert tallies_verify() == []


def test_each_late_record_is_carried_once_across_closings(sprint, files):
    close(sprint, "W1", date(2024, 2, 20))
    files.registrations([("BRI-MDN", "2024-02-10")] * 3)
    close(sprint, "W2", date(2024, 3, 1))
    w2 = contest_leaderboard(sprint, "W2", as_of=date(2024, 3, 5))
    assert next((row.value, row.carried) for row in w2.rows if row.outlet == "BRI-MDN") == (5, 3)
    assert w2.rows[0].prize == 1_000_000 and w2.rows[0].outlet == "BRI-MDN"

    # Later still, one more dated in W1 and one in W2: no period is open, the closed ones stay.
    files.registrations([("BRI-DPS", "2024-02-10"), ("BRI-DPS", "2024-02-16")])
    assert ranked(contest_leaderboard(sprint, "W2", as_of=date(2024, 3, 9))) == ranked(w2)
    monev = contest_monev(sprint, as_of=date(2024, 3, 9))
    assert [period.total for period in monev.periods] == [26, 6]  # 8 + 6 + 6 + 6 in W1; 1 + 5 in W2


def test_a_new_period_receives_what_is_late_once_the_others_are_closed(sprint, files):
    close(sprint, "W1", date(2024, 2, 20))
    files.registrations([("BRI-JYP", "2024-02-03")] * 2)
    w3 = {"code": "W3", "start": "2024-03-01", "end": "2024-03-15"}
    spec = {**SPRINT, "periods": [*SPRINT["periods"], w3]}
    contest_define(spec=spec)
    close(sprint, "W2", date(2024, 3, 1))  # W2 took the two late ones
    files.registrations([("BRI-JYP", "2024-02-03")])
    w3 = contest_leaderboard(sprint, "W3", as_of=date(2024, 3, 2))
    assert next((row.value, row.carried) for row in w3.rows if row.outlet == "BRI-JYP") == (1, 1)
    w2 = contest_leaderboard(sprint, "W2", as_of=date(2024, 3, 2))
    assert next((row.value, row.carried) for row in w2.rows if row.outlet == "BRI-JYP") == (2, 2)


@pytest.mark.parametrize(
    ("code", "today", "words"),
    [
        ("W1", date(2024, 2, 14), "from the day after"),  # not over yet
        ("W2", date(2024, 3, 1), "Close period W1 first"),  # periods close in order
    ],
)
def test_a_period_closes_only_once_over_and_in_order(sprint, code, today, words):
    with pytest.raises(ValidationError, match=words):
        close(sprint, code, today)
    assert not ContestPeriod.objects.filter(closed_at__isnull=False).exists()


def test_a_closed_period_is_closed_once_and_audited_with_its_winners(sprint):
    close(sprint, "W1", date(2024, 2, 20))
    with pytest.raises(ValidationError, match="already closed"):
        close(sprint, "W1", date(2024, 2, 21))
    entry = AuditEntry.objects.filter(summary__contains="period W1 closed").get()
    assert "1. BRI-DPS 8" in entry.summary and "test" in entry.summary


def test_a_closed_periods_days_and_prizes_cannot_be_declared_again_differently(sprint):
    close(sprint, "W1", date(2024, 2, 20))
    contest_define(spec=SPRINT)  # the same declaration: accepted, nothing changes
    changed = {**SPRINT, "periods": [{**SPRINT["periods"][0], "prizes": [9_000_000]}, SPRINT["periods"][1]]}
    with pytest.raises(ValidationError, match="W1 is closed"):
        contest_define(spec=changed)
    with pytest.raises(ValidationError, match="W1 is closed"):
        contest_define(spec={**SPRINT, "periods": [SPRINT["periods"][1]]})
    assert [p.amount for p in sprint.periods.get(code="W1").prizes.all()] == [3_000_000, 2_000_000, 1_000_000]


def mdn_pk(contest) -> int:
    return contest.outlets.get(code="BRI-MDN").pk
