"""Paying habits of demo participants: plans that stay between registration and today."""

import random
from datetime import date
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from jaring.demo.habits import DEPOSIT_AMOUNTS, HABIT_WEIGHTS, deposit_days, habit_choose, pay_day
from jaring.rules.months import Month

CURRENT = Month.of(2026, 11)


@given(seed=st.integers(0, 2**32), months_ago=st.integers(0, 14))
def test_a_habit_pays_only_between_registration_and_today(seed, months_ago):
    registered = CURRENT - months_ago
    habit = habit_choose(random.Random(seed), registered=registered, current=CURRENT, weights=HABIT_WEIGHTS)
    for stretch in habit.stretches:
        assert registered <= stretch.first <= stretch.last <= CURRENT
        assert stretch.months in (1, 3, 6, 12)
    assert list(habit.stretches) == sorted(habit.stretches, key=lambda stretch: stretch.first)


@given(seed=st.integers(0, 2**32), months_ago=st.integers(6, 14))
def test_a_stopper_stops_long_enough_ago_to_be_lapsed_today(seed, months_ago):
    habit = habit_choose(
        random.Random(seed), registered=CURRENT - months_ago, current=CURRENT, weights={"stops": 1}
    )
    (stretch,) = habit.stretches
    last_covered = stretch.last + stretch.months - 1
    assert CURRENT - last_covered > 3


@given(seed=st.integers(0, 2**32), months_ago=st.integers(6, 14))
def test_a_returner_restarts_after_a_lapse(seed, months_ago):
    habit = habit_choose(
        random.Random(seed), registered=CURRENT - months_ago, current=CURRENT, weights={"returns": 1}
    )
    before, after = habit.stretches
    assert after.first - before.last > 4
    assert after.last == CURRENT


def test_a_payment_in_the_registration_month_is_made_on_the_day_of_registration():
    registered = date(2026, 3, 18)
    assert pay_day(random.Random(1), Month.of(2026, 3), registered) == registered
    assert all(1 <= pay_day(random.Random(n), Month.of(2026, 4), registered).day <= 28 for n in range(50))


def test_daily_collection_is_small_amounts_every_few_days_never_after_today():
    registered, today = date(2026, 6, 1), date(2026, 8, 1)
    collections = deposit_days(random.Random(7), registered=registered, today=today)
    days = [day for day, _ in collections]
    assert days[0] == registered and days[-1] <= today
    assert all(2 <= (later - earlier).days <= 6 for earlier, later in pairwise(days))
    assert all(amount in DEPOSIT_AMOUNTS for _, amount in collections)
    assert 10 <= len(collections) <= 45
