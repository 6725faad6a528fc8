"""Which worklist a worker is on, and the lapse-risk score: its parts add up, stay within 0..100, and
rank a worker further behind (or who stopped before) above one who is not."""

from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.worklist import Worklist, lapse_risk, worklist_of

unpaid = st.integers(min_value=-3, max_value=40)
arrears = st.integers(min_value=1, max_value=12)
runs = st.integers(min_value=0, max_value=20)
months = st.integers(min_value=0, max_value=240)


def test_the_lists_follow_the_arrears_window():
    assert [worklist_of(n, arrears_months=3) for n in range(6)] == [
        None,
        Worklist.DUE,
        Worklist.ARREARS,
        Worklist.LAPSING,
        Worklist.LAPSED,
        Worklist.LAPSED,
    ]
    # a longer window (the policy is data): more months stay in arrears before the last one
    assert worklist_of(3, arrears_months=6) == Worklist.ARREARS
    assert worklist_of(6, arrears_months=6) == Worklist.LAPSING


@given(unpaid, arrears, runs, months)
def test_the_score_is_the_sum_of_its_parts_within_bounds(unpaid, arrears, runs, months):
    risk = lapse_risk(unpaid=unpaid, arrears_months=arrears, runs=runs, months_paid=months)
    assert 0 <= risk.total <= 100
    assert risk.total == min(100, sum(part.points for part in risk.parts))
    assert [part.name for part in risk.parts] == ["behind", "stopped_before", "short_history"]


@given(unpaid, arrears, runs, months)
def test_being_further_behind_or_having_stopped_before_never_lowers_the_score(unpaid, arrears, runs, months):
    risk = lapse_risk(unpaid=unpaid, arrears_months=arrears, runs=runs, months_paid=months)
    behind = lapse_risk(unpaid=unpaid + 1, arrears_months=arrears, runs=runs, months_paid=months)
    stopped = lapse_risk(unpaid=unpaid, arrears_months=arrears, runs=runs + 1, months_paid=months)
    longer = lapse_risk(unpaid=unpaid, arrears_months=arrears, runs=runs, months_paid=months + 1)
    assert behind.total >= risk.total and stopped.total >= risk.total and longer.total <= risk.total


def test_a_worker_two_months_behind_who_stopped_once_and_paid_four_months():
    risk = lapse_risk(unpaid=2, arrears_months=3, runs=2, months_paid=4)
    assert [(part.points, part.count) for part in risk.parts] == [(30, 2), (10, 1), (4, 2)]
    assert risk.total == 44
