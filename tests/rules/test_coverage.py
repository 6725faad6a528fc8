from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jaring.rules.coverage import (
    Run,
    Standing,
    is_covered,
    months_for_payment,
    paid_through,
    runs_from_months,
    standing_at,
)
from jaring.rules.months import Month, months_between
from jaring.rules.schedules import CoveragePolicy

POLICY = CoveragePolicy(valid_from=Month.parse("2015-07"))


def m(text: str) -> Month:
    return Month.parse(text)


def paid(first: str, last: str) -> tuple[Run, ...]:
    return runs_from_months(months_between(m(first), m(last)))


def test_consecutive_months_merge_into_runs():
    months = [m("2024-05"), m("2024-01"), m("2024-02"), m("2024-03"), m("2024-02")]
    assert runs_from_months(months) == (Run(m("2024-01"), m("2024-03")), Run(m("2024-05"), m("2024-05")))
    assert runs_from_months([]) == ()


def test_runs_join_across_the_year_end():
    assert runs_from_months([m("2024-12"), m("2025-01")]) == (Run(m("2024-12"), m("2025-01")),)


def test_a_run_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Run(m("2024-05"), m("2024-04"))


def test_covered_means_inside_some_run():
    runs = paid("2024-01", "2024-03") + paid("2024-06", "2024-06")
    assert [is_covered(runs, m(f"2024-{n:02d}")) for n in range(1, 8)] == [
        True, True, True, False, False, True, False
    ]  # fmt: skip
    assert paid_through(runs) == m("2024-06")
    assert paid_through(()) is None


def test_a_covered_month_is_active():
    assert (
        standing_at(paid("2024-01", "2024-05"), registered=m("2024-01"), month=m("2024-05"))
        is Standing.ACTIVE
    )


def test_three_unpaid_months_are_arrears():
    runs = paid("2024-01", "2024-01")
    assert standing_at(runs, registered=m("2024-01"), month=m("2024-04")) is Standing.ARREARS


def test_four_unpaid_months_lapse():
    runs = paid("2024-01", "2024-01")
    assert standing_at(runs, registered=m("2024-01"), month=m("2024-05")) is Standing.LAPSED


def test_a_participant_who_never_paid_lapses_in_the_fourth_month_after_registering():
    registered = m("2024-01")
    assert standing_at((), registered=registered, month=m("2024-03")) is Standing.ARREARS
    assert standing_at((), registered=registered, month=m("2024-04")) is Standing.LAPSED


def test_the_arrears_allowance_is_a_parameter():
    runs = paid("2024-01", "2024-01")
    assert standing_at(runs, registered=m("2024-01"), month=m("2024-03"), arrears_months=1) is Standing.LAPSED


def test_standing_before_registration_is_a_mistake():
    with pytest.raises(ValueError, match="before registration"):
        standing_at((), registered=m("2024-05"), month=m("2024-04"))


def test_an_active_participant_pays_ahead_from_the_month_after_paid_through():
    runs = paid("2024-01", "2024-05")
    months = months_for_payment(runs, registered=m("2024-01"), current=m("2024-05"), count=3, policy=POLICY)
    assert months == (m("2024-06"), m("2024-07"), m("2024-08"))


def test_a_participant_in_arrears_pays_the_oldest_unpaid_month_first():
    runs = paid("2024-01", "2024-01")
    months = months_for_payment(runs, registered=m("2024-01"), current=m("2024-04"), count=6, policy=POLICY)
    assert months == tuple(months_between(m("2024-02"), m("2024-07")))


def test_lapsed_participant_restarts_coverage_at_current_month():
    runs = paid("2024-01", "2024-01")
    months = months_for_payment(runs, registered=m("2024-01"), current=m("2024-05"), count=1, policy=POLICY)
    assert months == (m("2024-05"),)


def test_a_new_participant_starts_paying_from_the_registration_month():
    months = months_for_payment((), registered=m("2024-05"), current=m("2024-05"), count=1, policy=POLICY)
    assert months == (m("2024-05"),)


def test_a_participant_paid_far_ahead_keeps_extending():
    runs = paid("2024-01", "2024-12")
    months = months_for_payment(runs, registered=m("2024-01"), current=m("2024-03"), count=1, policy=POLICY)
    assert months == (m("2025-01"),)


@pytest.mark.parametrize("count", [0, 2, 24])
def test_only_the_allowed_month_counts_can_be_paid(count):
    with pytest.raises(ValueError, match="1, 3, 6, 12"):
        months_for_payment((), registered=m("2024-01"), current=m("2024-01"), count=count, policy=POLICY)


month_indexes = st.integers(min_value=Month.of(2023, 1).index, max_value=Month.of(2025, 12).index)
month_sets = st.lists(month_indexes.map(Month), max_size=30)
policies = st.builds(
    CoveragePolicy,
    valid_from=st.just(m("2015-07")),
    arrears_months=st.integers(0, 6),
    payment_month_counts=st.sets(st.integers(1, 12), min_size=1).map(lambda s: tuple(sorted(s))),
)


@given(st.data(), month_sets)
def test_runs_do_not_depend_on_the_order_of_the_months(data, months):
    shuffled = data.draw(st.permutations(months))
    assert runs_from_months(shuffled) == runs_from_months(months)


@given(month_sets)
def test_runs_cover_exactly_the_months_given(months):
    runs = runs_from_months(months)
    covered = [month for run in runs for month in months_between(run.first, run.last)]
    assert len(covered) == len(set(covered))
    assert set(covered) == set(months)
    assert all(later.first - earlier.last >= 2 for earlier, later in pairwise(runs))


@given(month_sets, month_indexes.map(Month))
def test_standing_is_active_exactly_when_the_month_is_covered(months, month):
    runs = runs_from_months(months)
    registered = min([month, *months])
    assert (standing_at(runs, registered=registered, month=month) is Standing.ACTIVE) == (
        month in set(months)
    )


@given(month_sets, month_indexes.map(Month), month_indexes.map(Month), policies, st.data())
def test_a_payment_buys_consecutive_uncovered_months_never_too_far_back(
    months, registered, current, policy, data
):
    runs = runs_from_months(months)
    count = data.draw(st.sampled_from(policy.payment_month_counts))
    bought = months_for_payment(runs, registered=registered, current=current, count=count, policy=policy)
    assert len(bought) == count
    assert all(later - earlier == 1 for earlier, later in pairwise(bought))
    assert not any(is_covered(runs, month) for month in bought)
    last = paid_through(runs)
    assert last is None or bought[0] > last
    assert bought[0] >= current - policy.arrears_months


@given(month_sets, month_indexes.map(Month), policies, st.data())
def test_paying_after_a_lapse_starts_at_the_current_month(months, current, policy, data):
    runs = runs_from_months(month for month in months if month < current)
    registered = min([current, *months])
    assume(
        standing_at(runs, registered=registered, month=current, arrears_months=policy.arrears_months)
        is Standing.LAPSED
    )
    count = data.draw(st.sampled_from(policy.payment_month_counts))
    bought = months_for_payment(runs, registered=registered, current=current, count=count, policy=policy)
    assert bought[0] == current


@given(month_sets, month_indexes.map(Month), policies, st.data())
def test_a_participant_not_lapsed_continues_right_after_the_last_paid_month(months, current, policy, data):
    runs = runs_from_months(months)
    registered = min([current, *months])
    last = paid_through(runs) or registered - 1
    assume(current - last <= policy.arrears_months)
    count = data.draw(st.sampled_from(policy.payment_month_counts))
    bought = months_for_payment(runs, registered=registered, current=current, count=count, policy=policy)
    assert bought[0] == last + 1


@given(
    st.sets(st.integers(min_value=24_000, max_value=24_060), max_size=30),
    st.sets(st.integers(min_value=24_000, max_value=24_060), min_size=1, max_size=12),
)
def test_adding_months_to_runs_equals_building_runs_from_all_months(old, new):
    from jaring.rules.coverage import runs_with

    runs = runs_from_months(Month(i) for i in old)
    assert runs_with(runs, [Month(i) for i in new]) == runs_from_months(Month(i) for i in old | new)
