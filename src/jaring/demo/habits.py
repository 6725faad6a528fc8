"""How demo participants pay, as plans the loader replays through the payment services.

A habit says in which months a participant pays and for how many months at a time; the services decide
which months each payment covers (arrears first, a restart after a lapse) and what it costs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from jaring.rules.months import Month

# The lapse rule needs more than 3 unpaid months; a stopper stops at least this many months before today.
_LAPSE_GAP = 4

HABIT_WEIGHTS = {"monthly": 24, "quarterly": 30, "ahead": 10, "stops": 20, "returns": 6, "never": 10}
# Runners signed up at a fun run often never pay again; app drivers pay monthly through the app.
EVENT_HABIT_WEIGHTS = {"monthly": 20, "quarterly": 10, "ahead": 4, "stops": 36, "returns": 6, "never": 24}
DRIVER_HABIT_WEIGHTS = {"monthly": 60, "quarterly": 10, "ahead": 4, "stops": 18, "returns": 4, "never": 4}

DEPOSIT_AMOUNTS = (2_000, 2_500, 3_000, 4_000, 5_000)


@dataclass(frozen=True)
class Stretch:
    """From ``first`` to ``last``: in every month not yet covered, pay for ``months`` months."""

    first: Month
    last: Month
    months: int


@dataclass(frozen=True)
class Habit:
    name: str
    stretches: tuple[Stretch, ...]


def habit_choose(rng: random.Random, *, registered: Month, current: Month, weights: dict[str, int]) -> Habit:
    """A paying habit for someone registered in ``registered``, replayed up to ``current``.

    "stops" pays for a while and stops early enough to be lapsed by ``current``; "returns" stops, lapses
    and pays again; when there are too few months for that, they pay once or monthly instead.
    """
    name = rng.choices(list(weights), weights=list(weights.values()))[0]
    span = current - registered
    if name == "monthly":
        return Habit(name, (Stretch(registered, current, 1),))
    if name == "quarterly":
        return Habit(name, (Stretch(registered, current, 3),))
    if name == "ahead":
        return Habit(name, (Stretch(registered, current, rng.choice((6, 12))),))
    if name == "never":
        return Habit(name, ())
    if name == "stops":
        months = rng.choice((1, 1, 3))
        latest = span - _LAPSE_GAP - (months - 1)
        if latest < 0:
            return Habit(name, (Stretch(registered, registered, 1),))
        stop = registered + rng.randint(0, latest)
        return Habit(name, (Stretch(registered, stop, months),))
    # "returns": pays monthly, lapses, and restarts (coverage restarts at the month of the new payment).
    if span < _LAPSE_GAP + 2:
        return Habit("monthly", (Stretch(registered, current, 1),))
    stop = registered + rng.randint(0, span - _LAPSE_GAP - 2)
    restart = stop + rng.randint(_LAPSE_GAP + 1, current - stop)
    return Habit(name, (Stretch(registered, stop, 1), Stretch(restart, current, 1)))


def pay_day(rng: random.Random, month: Month, registered: date) -> date:
    """The day a participant pays for ``month``: on the day of registration in its month, otherwise
    mostly by the 15th (the due date), sometimes later."""
    if month == Month.from_date(registered):
        return registered
    day = rng.randint(1, 15) if rng.random() < 0.8 else rng.randint(16, 28)
    return date(month.year, month.month, day)


def deposit_days(rng: random.Random, *, registered: date, today: date) -> list[tuple[date, int]]:
    """A market trader's collections: a small amount every few days from registration, a few dozen
    times, never after ``today``."""
    collections = []
    day = registered
    for _ in range(rng.randint(20, 45)):
        if day > today:
            break
        collections.append((day, rng.choice(DEPOSIT_AMOUNTS)))
        day += timedelta(days=rng.randint(2, 6))
    return collections
