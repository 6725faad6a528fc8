"""The Paritrana score's arithmetic, plain Python (no database): each criterion's value normalised to
0..100 against its full marks, times its weight, is its contribution; the score is the sum of the
contributions. Every figure is rounded to two decimals (half up) *before* it is added, so the breakdown a
page prints adds up to the score exactly.

No official weights were found (DOMAIN.md, "Local governments"): the weights and the full marks are data,
an ``OutreachRule`` of kind ``paritrana`` (shipped as "jaring default, no official weights found"), read
by ``outreach.paritrana_queries`` and changed through ``outreach.paritrana_services``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# The criteria, in the order a breakdown lists them, with their group.
POLICY, IMPLEMENTATION, PERFORMANCE, INTERVIEW = "policy", "implementation", "performance", "interview"
CRITERIA: dict[str, str] = {
    "regulation": POLICY,  # a regional regulation (perda/perkada) issued: 1 or 0
    "budget": POLICY,  # a regional budget line for contributions in the year: 1 or 0
    "wage_earners": IMPLEMENTATION,  # active wage earners, % of the wage-earning workforce
    "informal": IMPLEMENTATION,  # active informal participants, % of the informal workforce
    "employers": IMPLEMENTATION,  # employers registered per 1,000 of the wage-earning workforce
    "growth": PERFORMANCE,  # active participants, % change over the same month a year before
    "interview": INTERVIEW,  # the panel's interview score, 0..100
}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """``value`` rounded to two decimals, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_number(value) -> Decimal | None:
    """A weight, a full mark or a score as typed ("12,5", "12.5", 12): a finite Decimal with at most two
    decimals, or None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and number != cents(number):
        return None
    return cents(number)


def normalise(value: Decimal | None, full: Decimal) -> Decimal:
    """``value`` as marks out of 100: ``value / full x 100``, at least 0 and at most 100 (a value at or
    beyond its full marks gets 100; a value not measured, None, gets 0)."""
    if value is None or full <= 0:
        return Decimal("0.00")
    return cents(min(HUNDRED, max(Decimal(0), Decimal(value) / full * HUNDRED)))


def weights_total(weights: Mapping[str, Decimal]) -> Decimal:
    return sum((Decimal(weights.get(name, 0)) for name in CRITERIA), Decimal(0))


@dataclass(frozen=True)
class Line:
    """One criterion of a score: its value (None: not measured), the full marks that value is out of,
    the marks (0..100), the weight (% of the score) and the contribution (marks x weight / 100)."""

    criterion: str
    group: str
    value: Decimal | None
    full: Decimal
    marks: Decimal
    weight: Decimal
    contribution: Decimal

    def as_dict(self) -> dict:
        return {
            "criterion": self.criterion,
            "group": self.group,
            "value": None if self.value is None else str(self.value),
            "full_marks": str(self.full),
            "marks": str(self.marks),
            "weight": str(self.weight),
            "contribution": str(self.contribution),
            "arithmetic": self.arithmetic,
        }

    @property
    def arithmetic(self) -> str:
        shown = "-" if self.value is None else str(self.value)
        return (
            f"min(100, {shown} / {self.full} x 100) = {self.marks}; "
            f"{self.marks} x {self.weight} % = {self.contribution}"
        )


@dataclass(frozen=True)
class Score:
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        """The sum of the contributions (each already rounded): the breakdown adds up to it."""
        return sum((line.contribution for line in self.lines), Decimal("0.00"))

    @property
    def arithmetic(self) -> str:
        return " + ".join(str(line.contribution) for line in self.lines) + f" = {self.total}"

    def by_group(self) -> dict[str, Decimal]:
        groups: dict[str, Decimal] = {}
        for line in self.lines:
            groups[line.group] = groups.get(line.group, Decimal("0.00")) + line.contribution
        return groups


def score(
    values: Mapping[str, Decimal | None], weights: Mapping[str, Decimal], full: Mapping[str, Decimal]
) -> Score:
    """The score of one region: for each criterion its marks (``normalise(value, full)``) times its weight
    (a percentage; the weights are expected to add up to 100), each contribution rounded to two decimals.
    A criterion missing from ``values`` is not measured (0 marks)."""
    lines = []
    for name, group in CRITERIA.items():
        value = values.get(name)
        value = None if value is None else cents(Decimal(value))
        full_marks = Decimal(full[name])
        marks = normalise(value, full_marks)
        weight = Decimal(weights[name])
        lines.append(Line(name, group, value, full_marks, marks, weight, cents(marks * weight / HUNDRED)))
    return Score(tuple(lines))


def share_percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (two decimals), None when there is no whole."""
    if whole <= 0:
        return None
    return cents(Decimal(part) * HUNDRED / Decimal(whole))


def per_thousand(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return cents(Decimal(part) * 1000 / Decimal(whole))


def growth_percent(now: int, before: int) -> Decimal | None:
    """The change from ``before`` to ``now`` in percent of ``before``; None when there was nothing before
    (a growth from nothing has no percentage)."""
    if before <= 0:
        return None
    return cents(Decimal(now - before) * HUNDRED / Decimal(before))
