"""The rules in force over a span of months: contribution schedules, adjustments, coverage policies.

These are plain values; ``rates.RateBook`` finds which apply to a month and prices it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from jaring.rules.months import Month
from jaring.rules.programmes import Programme, format_programmes


def check_income(income: object) -> int:
    """``income`` itself if it is a non-negative int number of rupiah; TypeError or ValueError otherwise."""
    if not isinstance(income, int) or isinstance(income, bool):
        raise TypeError(f"income must be an int number of rupiah, not {type(income).__name__}")
    if income < 0:
        raise ValueError(f"income cannot be negative ({income})")
    return income


@dataclass(frozen=True)
class Schedule:
    """The rates in force from ``valid_from`` to ``valid_to`` (inclusive; None = until further notice).

    Each programme is priced either as a share of declared income (``percent``, a fraction: 0.01 = 1 %)
    or as a flat monthly amount (``flat``), never both.
    """

    code: str
    valid_from: Month
    valid_to: Month | None
    percent: Mapping[Programme, Decimal]
    flat: Mapping[Programme, int]
    min_income: int
    max_income: int | None
    source: str
    uncertain: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", MappingProxyType(dict(self.percent)))
        object.__setattr__(self, "flat", MappingProxyType(dict(self.flat)))
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(
                f"schedule {self.code} ends ({self.valid_to}) before it starts ({self.valid_from})"
            )
        both = set(self.percent) & set(self.flat)
        if both:
            raise ValueError(
                f"schedule {self.code} prices {format_programmes(both)} both as percent and flat"
            )
        for programme, rate in self.percent.items():
            if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0:
                raise ValueError(f"schedule {self.code}: {programme} rate must be a non-negative Decimal")
        for programme, amount in self.flat.items():
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                raise ValueError(f"schedule {self.code}: {programme} flat amount must be a non-negative int")
        if self.max_income is not None and self.max_income < self.min_income:
            raise ValueError(f"schedule {self.code}: maximum income is below the minimum")

    def covers(self, month: Month) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)

    def exact_amount(self, programme: Programme, income: int) -> Fraction:
        """The unrounded monthly contribution for ``programme`` at ``income``; ValueError if not priced."""
        if programme in self.percent:
            return Fraction(self.percent[programme]) * income
        if programme in self.flat:
            return Fraction(self.flat[programme])
        raise ValueError(f"schedule {self.code} has no rate for {programme}")


@dataclass(frozen=True)
class Adjustment:
    """A temporary multiplier on some programmes for contribution months ``valid_from``..``valid_to``.

    ``factor`` multiplies the normal amount (0.01 = a 99 % cut, 0.5 = a 50 % cut). It does not apply
    when the contribution is paid by a payer of a kind in ``exempt_payer_kinds`` (e.g. "APBD", "APBN").
    """

    code: str
    valid_from: Month
    valid_to: Month
    programmes: frozenset[Programme]
    factor: Decimal
    exempt_payer_kinds: frozenset[str]
    uncertain: bool
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "programmes", frozenset(Programme(p) for p in self.programmes))
        object.__setattr__(self, "exempt_payer_kinds", frozenset(self.exempt_payer_kinds))
        if self.valid_to < self.valid_from:
            raise ValueError(
                f"adjustment {self.code} ends ({self.valid_to}) before it starts ({self.valid_from})"
            )
        if not isinstance(self.factor, Decimal) or not self.factor.is_finite() or self.factor < 0:
            raise ValueError(f"adjustment {self.code}: factor must be a non-negative Decimal")

    def applies(self, month: Month, payer_kind: str | None) -> bool:
        """True when this adjustment changes what is due for ``month`` when ``payer_kind`` pays."""
        in_force = self.valid_from <= month <= self.valid_to
        return in_force and (payer_kind is None or payer_kind not in self.exempt_payer_kinds)


@dataclass(frozen=True)
class CoveragePolicy:
    """The paying rules in force from ``valid_from`` until the next policy starts."""

    valid_from: Month
    arrears_months: int = 3
    payment_month_counts: tuple[int, ...] = (1, 3, 6, 12)
    restore_cover_for_past_events: bool = False
    # How far ahead of the server clock a stated moment (paid at, registered at) may be and still count
    # as now: the clocks of tills, partner systems and phones drift. Later moments are refused.
    clock_skew_seconds: int = 300
    # How many days back a stated moment may lie for a sender who may not state history (a teller, a
    # partner's key without the ``history`` scope): a settlement file, an offline device syncing, a
    # payment taken yesterday. Older moments are refused as ``too_old`` unless the sender may state
    # history (the operator's command line, an administrator's upload, a key with ``history``).
    late_record_days: int = 7
    # How far ahead of the month of payment a participant may be covered: a payment whose last month lies
    # further is refused (a till retrying with fresh references cannot buy months without end), and a
    # deposit stops buying months there and keeps the balance.
    months_ahead_max: int = 12
    # The ages (in whole years on the day of registration) at which a worker may register; None: no limit.
    registration_age_min: int | None = None
    registration_age_max: int | None = None
    source: str = ""
    uncertain: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "payment_month_counts", tuple(self.payment_month_counts))
        if self.arrears_months < 0:
            raise ValueError("arrears_months cannot be negative")
        if not self.payment_month_counts or min(self.payment_month_counts) < 1:
            raise ValueError("payment_month_counts must be positive month counts")
        if self.late_record_days < 0:
            raise ValueError("late_record_days cannot be negative")
        if self.months_ahead_max < max(self.payment_month_counts):
            raise ValueError("months_ahead_max must allow the longest payment")
        low, high = self.registration_age_min, self.registration_age_max
        if low is not None and high is not None and low > high:
            raise ValueError("registration_age_min is above registration_age_max")

    def registration_age_problem(self, age: int) -> str | None:
        """ "young" or "old" when a worker of ``age`` whole years may not register under this policy."""
        if self.registration_age_min is not None and age < self.registration_age_min:
            return "young"
        if self.registration_age_max is not None and age > self.registration_age_max:
            return "old"
        return None
