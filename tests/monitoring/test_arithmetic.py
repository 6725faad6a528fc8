"""The arithmetic of monitoring and the way reports write it: exact growth, run rates, ranking with ties
and prize splits, Indonesian number and date formats."""

from datetime import date
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from jaring.monitoring.arithmetic import (
    ACHIEVED,
    AT_RISK,
    MISSED,
    NO_DATA,
    NOT_STARTED,
    ON_TRACK,
    Calendar,
    Entry,
    Growth,
    first_reached,
    rank_entries,
    run_rate,
    target_verdict,
)
from jaring.monitoring.formatting import JSON, Style

ID = Style("id")


def test_growth_is_the_ratio_minus_one_and_shows_its_sum():
    growth = Growth(16_000, 2_500)
    assert growth.pct == Decimal("540.0")
    assert JSON.growth(growth) == "16,000 / 2,500 - 1 = 540 %"
    assert ID.growth(Growth(6_400, 1_000)) == "6.400 / 1.000 - 1 = 540 %"
    assert ID.growth(Growth(2_100, 1_650)) == "2.100 / 1.650 - 1 = 27,3 %"
    assert Growth(19_840, 16_000).pct == Decimal("24.0")


def test_growth_from_nothing_is_undefined_not_infinite():
    assert Growth(10, 0).pct is None
    assert JSON.growth(Growth(10, 0)) == "10 / 0: -"


def test_a_fall_is_negative_growth():
    assert Growth(50, 200).pct == Decimal("-75.0")


def test_run_rate_continues_the_pace_to_the_end_of_the_period():
    calendar = Calendar(date(2019, 1, 1), date(2019, 12, 31), date(2019, 7, 31))
    assert (calendar.elapsed_days, calendar.total_days) == (212, 365)
    assert run_rate(30_000, calendar) == 51_651  # 30,000 / 212 x 365 = 51,650.9...
    assert target_verdict(target=60_293, achievement=30_000, projection=51_651, calendar=calendar) == AT_RISK
    assert target_verdict(target=51_651, achievement=30_000, projection=51_651, calendar=calendar) == ON_TRACK


def test_a_level_projects_the_change_since_the_period_began():
    calendar = Calendar(date(2024, 1, 1), date(2024, 12, 31), date(2024, 6, 30))  # 182 of 366 days
    assert run_rate(1_182, calendar, baseline=1_000) == 1_000 + 366


def test_verdicts_before_and_after_the_period():
    before = Calendar(date(2024, 1, 1), date(2024, 12, 31), date(2023, 12, 31))
    after = Calendar(date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 5))
    assert run_rate(0, before) is None
    assert target_verdict(target=10, achievement=0, projection=None, calendar=before) == NOT_STARTED
    assert target_verdict(target=10, achievement=10, projection=10, calendar=after) == ACHIEVED
    assert target_verdict(target=10, achievement=9, projection=9, calendar=after) == MISSED
    assert target_verdict(target=10, achievement=None, projection=None, calendar=after) == NO_DATA


def test_equal_values_are_ranked_by_who_reached_them_first():
    placed = rank_entries(
        [
            Entry("B", 5, date(2024, 3, 9)),
            Entry("A", 5, date(2024, 3, 2)),
            Entry("C", 9),
            Entry("D", 0),
        ],
        [300, 200, 100, 50],
    )
    assert [(p.entry.key, p.rank, p.prize) for p in placed] == [
        ("C", 1, 300),
        ("A", 2, 200),
        ("B", 3, 100),
        ("D", 4, 0),  # nothing registered, nothing won
    ]


def test_a_complete_tie_shares_the_rank_and_splits_its_prizes():
    placed = rank_entries(
        [Entry("X", 7, date(2024, 1, 5)), Entry("Y", 7, date(2024, 1, 5)), Entry("Z", 3)], [1_000, 501, 100]
    )
    assert [(p.entry.key, p.rank, p.prize, p.shared) for p in placed] == [
        ("X", 1, 750, True),
        ("Y", 1, 750, True),  # (1,000 + 501) / 2, rounded down to the rupiah
        ("Z", 3, 100, False),
    ]


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=30))
def test_ranks_never_pay_out_more_than_the_prize_table(values):
    prizes = [1_000, 700, 500, 300]
    placed = rank_entries([Entry(f"O{i:02d}", v) for i, v in enumerate(values)], prizes)
    assert sum(p.prize for p in placed) <= sum(prizes)
    assert [p.entry.value for p in placed] == sorted(values, reverse=True)
    assert all(p.rank <= q.rank for p, q in pairwise(placed))


def test_first_reached_is_the_first_day_the_running_total_hits_the_final_value():
    daily = [(date(2024, 1, 3), 2), (date(2024, 1, 1), 3), (date(2024, 1, 9), 0)]
    assert first_reached(daily, 5) == date(2024, 1, 3)
    # Reversals can take a total above its final value and back: the first day it got there counts.
    assert first_reached([(date(2024, 1, 1), 10), (date(2024, 1, 2), -4)], 6) == date(2024, 1, 1)


def test_indonesian_formats():
    assert ID.rupiah(1_234_567) == "Rp1.234.567"
    assert ID.rupiah(-1_000) == "-Rp1.000"
    assert ID.count(2_381) == "2.381"
    assert ID.day(date(2023, 10, 24)) == "24 Oktober 2023"
    assert ID.percent(Decimal("12.5")) == "12,5 %"
    assert ID.percent(Decimal("540.0")) == "540 %"
    assert ID.word("rank") == "Peringkat"
    assert Style("en").day(date(2023, 10, 24)) == "24 October 2023"
    assert JSON.rupiah(20_000_000) == "Rp20,000,000"


@given(st.integers(1, 10**6), st.integers(1, 10**9))
def test_a_small_share_keeps_two_significant_digits_and_never_reads_zero(part, whole):
    from decimal import Decimal
    from fractions import Fraction

    from jaring.monitoring.arithmetic import percent, small_percent

    fraction = Fraction(part, whole)
    shown = small_percent(fraction)
    if fraction * 100 >= 1:
        assert shown == percent(fraction)
    else:
        exact = Decimal(part * 100) / Decimal(whole)
        assert shown > 0
        assert len(shown.normalize().as_tuple().digits) <= 2
        assert abs(shown - exact) <= exact * Decimal("0.05")
