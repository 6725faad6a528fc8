"""Worklists: which list a worker who pays for themselves is on, and how likely they are to lapse.

How far behind a worker is counts the unpaid months up to the current month, this month included
(``unpaid = current - last paid month``, the month before registration when nothing was ever paid), as the
reminders count it (``rules.reminders``). The arrears window is the coverage policy's ``arrears_months``,
given by the caller, never restated here:

- ``due``: only this month is unpaid (due by the 15th);
- ``arrears``: earlier months are unpaid too, and may still be paid;
- ``lapsing``: the last month before the membership lapses (``unpaid == arrears_months``);
- ``lapsed``: more than that; paying again reactivates, coverage restarting at the month of payment.

The **lapse-risk score** (0 to 100) is a sum of parts anyone can check against the worker's history, each
shown beside the total: how far behind the worker is, how often they stopped paying before, and how short
their paying history is. It ranks a list so the worker most likely to drop out is called first; it is a
rule of thumb for a field agent's day, not a model fitted to outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Worklist(StrEnum):
    DUE = "due"
    ARREARS = "arrears"
    LAPSING = "lapsing"
    LAPSED = "lapsed"


def worklist_of(unpaid: int, *, arrears_months: int) -> Worklist | None:
    """The list a worker with ``unpaid`` unpaid months is on; None when nothing is unpaid."""
    if unpaid <= 0:
        return None
    if unpaid == 1:
        return Worklist.DUE
    if unpaid < arrears_months:
        return Worklist.ARREARS
    if unpaid == arrears_months:
        return Worklist.LAPSING
    return Worklist.LAPSED


@dataclass(frozen=True)
class RiskWeights:
    per_unpaid_month: int = 15  # up to arrears_months + 1 months: a lapsed worker scores the most here
    per_earlier_stop: int = 10  # each covered run that ended before the last one
    earlier_stops_counted: int = 3
    short_history_months: int = 6  # fewer months paid than this in all ...
    per_month_short: int = 2  # ... adds this for each month missing


@dataclass(frozen=True)
class RiskPart:
    name: str  # "behind", "stopped_before", "short_history"
    points: int
    count: int  # the months or stops the points come from


@dataclass(frozen=True)
class Risk:
    total: int
    parts: tuple[RiskPart, ...]


def lapse_risk(
    *, unpaid: int, arrears_months: int, runs: int, months_paid: int, weights: RiskWeights = RiskWeights()
) -> Risk:
    """The score of a worker ``unpaid`` months behind, whose history holds ``runs`` covered runs and
    ``months_paid`` covered months in all."""
    behind = max(0, min(unpaid, arrears_months + 1))
    stops = max(0, min(runs - 1, weights.earlier_stops_counted))
    short = max(0, weights.short_history_months - max(months_paid, 0))
    parts = (
        RiskPart("behind", behind * weights.per_unpaid_month, behind),
        RiskPart("stopped_before", stops * weights.per_earlier_stop, stops),
        RiskPart("short_history", short * weights.per_month_short, short),
    )
    return Risk(min(100, sum(part.points for part in parts)), parts)
