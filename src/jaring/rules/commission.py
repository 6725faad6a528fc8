"""Perisai agent rules kept as data: the commission (a pluggable calculator) and the lifecycle thresholds.

A commission rule has a ``kind`` naming its calculator (``CALCULATORS``) and the calculator's parameters;
a lifecycle rule holds the idle and rejoin thresholds. Both are in force for a span of months.
``load_agent_rulebook`` turns ``data/perisai.json`` or database rows into an ``AgentRuleBook``, which
answers which rule is in force for a month.

The arithmetic of a statement:

- every ledger entry the agent is credited with earns ``line_commission(amount)`` under the rule in force
  in the month it was paid (one rounding per entry, so an entry's commission is a fact of its own);
- a reversal earns exactly minus what its payment earned, in the month of the reversal;
- the month's bonus is ``bonus(acquisitions)`` under the rule in force for the statement month;
- total = commission + bonus; what is payable also takes any negative balance of the previous statement.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from itertools import pairwise
from typing import Any, Protocol

from jaring.rules.money import round_half_up
from jaring.rules.months import Month

__all__ = [
    "CALCULATORS",
    "AgentRuleBook",
    "Calculator",
    "CommissionRule",
    "Figures",
    "LifecycleRule",
    "NoAgentRule",
    "ShareOfCollections",
    "default_agent_rulebook",
    "figures",
    "is_idle",
    "load_agent_rulebook",
    "rejoin_from",
]


class NoAgentRule(LookupError):
    """No commission or lifecycle rule is in force for the month asked about."""


class Calculator(Protocol):
    """What a commission calculator answers. ``line_commission_sql`` must give the same numbers as
    ``line_commission`` for integer amounts (the bulk job computes lines in SQL)."""

    def counts(self, entry_kind: str) -> bool: ...

    def line_commission(self, amount: int) -> int: ...

    def line_commission_sql(self, amount_sql: str) -> str: ...

    def bonus(self, acquisitions: int) -> int: ...


@dataclass(frozen=True)
class ShareOfCollections:
    """A share of what the agent's participants paid (each entry rounded half up at the rupiah), plus a
    flat bonus in a month with at least ``bonus_min_acquisitions`` new participants."""

    share: Fraction
    entry_kinds: frozenset[str]
    bonus_amount: int
    bonus_min_acquisitions: int

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ShareOfCollections:
        share = Fraction(Decimal(str(params["share"])))
        if not 0 <= share <= 1:
            raise ValueError(f"a commission share is between 0 and 1, not {params['share']}")
        bonus_amount = int(params.get("bonus_amount", 0))
        threshold = int(params.get("bonus_min_acquisitions", 0))
        if bonus_amount < 0 or threshold < 0:
            raise ValueError("the bonus and its threshold cannot be negative")
        return cls(
            share=share,
            entry_kinds=frozenset(params.get("entry_kinds", ("contribution", "deposit"))),
            bonus_amount=bonus_amount,
            bonus_min_acquisitions=threshold,
        )

    def counts(self, entry_kind: str) -> bool:
        return entry_kind in self.entry_kinds

    def line_commission(self, amount: int) -> int:
        """The share of one ledger entry, rounded half up at the rupiah; a negative amount (a reversal)
        gives exactly minus what the positive amount gives."""
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise TypeError(f"amount must be an int number of rupiah, not {type(amount).__name__}")
        earned = round_half_up(self.share * abs(amount))
        return -earned if amount < 0 else earned

    def line_commission_sql(self, amount_sql: str) -> str:
        """The same as ``line_commission`` as an SQL expression of integers (integer division of
        non-negative integers truncates alike on SQLite and PostgreSQL)."""
        n, d = self.share.numerator, self.share.denominator
        return (
            f"(CASE WHEN ({amount_sql}) < 0 THEN -1 ELSE 1 END) * "
            f"((ABS({amount_sql}) * {2 * n} + {d}) / {2 * d})"
        )

    def bonus(self, acquisitions: int) -> int:
        if self.bonus_min_acquisitions <= 0 or self.bonus_amount == 0:
            return 0
        return self.bonus_amount if acquisitions >= self.bonus_min_acquisitions else 0


# A new kind of commission is a class with the four methods of ``Calculator`` and a ``from_params``
# class method, registered here under the name its rules use in ``kind``.
CALCULATORS: dict[str, Any] = {"share_of_collections": ShareOfCollections}


@dataclass(frozen=True)
class CommissionRule:
    """A commission rule in force from ``valid_from`` to ``valid_to`` (inclusive; None: open)."""

    code: str
    kind: str
    valid_from: Month
    valid_to: Month | None
    params: Mapping[str, Any] = field(default_factory=dict)
    partner_kinds: frozenset[str] = frozenset({"agent_network"})
    uncertain: bool = False
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"rule {self.code} ends ({self.valid_to}) before it starts ({self.valid_from})")
        if self.kind not in CALCULATORS:
            raise ValueError(f"rule {self.code}: unknown commission kind {self.kind!r}")
        object.__setattr__(self, "calculator", CALCULATORS[self.kind].from_params(self.params))

    def covers(self, month: Month) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)


@dataclass(frozen=True)
class LifecycleRule:
    """Lifecycle thresholds in force from ``valid_from``: ``idle_months`` consecutive months without an
    acquisition and without a collection deactivate an agent, who may rejoin ``rejoin_after_months`` later."""

    code: str
    valid_from: Month
    valid_to: Month | None
    idle_months: int
    rejoin_after_months: int
    partner_kinds: frozenset[str] = frozenset({"agent_network"})
    uncertain: bool = False
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"rule {self.code} ends ({self.valid_to}) before it starts ({self.valid_from})")
        if self.idle_months < 1 or self.rejoin_after_months < 0:
            raise ValueError(f"rule {self.code}: idle months must be at least 1, rejoin months not negative")

    def covers(self, month: Month) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)


class _Timeline:
    def __init__(self, rules: Iterable, what: str) -> None:
        self.rules = tuple(sorted(rules, key=lambda rule: rule.valid_from))
        for earlier, later in pairwise(self.rules):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                raise ValueError(f"{what} rules {earlier.code} and {later.code} overlap")
        self._starts = [rule.valid_from.index for rule in self.rules]
        self.what = what

    def at(self, month: Month):
        at = bisect.bisect_right(self._starts, month.index) - 1
        if at < 0 or not self.rules[at].covers(month):
            raise NoAgentRule(f"no {self.what} rule is in force for {month}")
        return self.rules[at]


class AgentRuleBook:
    """The commission and lifecycle rules over time; rules of one sort must not overlap."""

    def __init__(self, commission: Iterable[CommissionRule], lifecycle: Iterable[LifecycleRule]) -> None:
        self._commission = _Timeline(commission, "commission")
        self._lifecycle = _Timeline(lifecycle, "lifecycle")

    @property
    def commission_rules(self) -> tuple[CommissionRule, ...]:
        return self._commission.rules

    @property
    def lifecycle_rules(self) -> tuple[LifecycleRule, ...]:
        return self._lifecycle.rules

    def commission_for(self, month: Month) -> CommissionRule:
        """The commission rule in force for ``month``; NoAgentRule if there is none."""
        return self._commission.at(month)

    def lifecycle_for(self, month: Month) -> LifecycleRule:
        """The lifecycle rule in force for ``month``; NoAgentRule if there is none."""
        return self._lifecycle.at(month)


@dataclass(frozen=True)
class Figures:
    """A statement's money: collected (net of reversals), commission, bonus, total = commission + bonus,
    carried (a negative balance from the previous statement, <= 0) and payable = total + carried."""

    collected: int
    commission: int
    bonus: int
    carried: int = 0

    @property
    def total(self) -> int:
        return self.commission + self.bonus

    @property
    def payable(self) -> int:
        return self.total + self.carried


def figures(
    lines: Iterable[tuple[int, int]], *, acquisitions: int, calculator: Calculator, carried: int = 0
) -> Figures:
    """The figures of a month from its lines ``(amount, commission)`` and its acquisitions."""
    if carried > 0:
        raise ValueError("only a negative balance is carried into a statement")
    collected = commission = 0
    for amount, earned in lines:
        collected += amount
        commission += earned
    return Figures(collected, commission, calculator.bonus(acquisitions), carried)


def is_idle(active_months: Iterable[Month], *, through: Month, rule: LifecycleRule) -> bool:
    """Whether none of the ``rule.idle_months`` months ending with ``through`` is among
    ``active_months`` (months with an acquisition or a collection)."""
    window = {through - back for back in range(rule.idle_months)}
    return not window.intersection(active_months)


def rejoin_from(deactivated: Month, *, rule: LifecycleRule) -> Month:
    """The first month an agent deactivated in ``deactivated`` may rejoin."""
    return deactivated + rule.rejoin_after_months


def _month(text: str | None) -> Month | None:
    return Month.parse(text) if text else None


def commission_rule_from(entry: Mapping[str, Any]) -> CommissionRule:
    reserved = {"code", "kind", "valid_from", "valid_to", "partner_kinds", "uncertain", "source", "note"}
    return CommissionRule(
        code=entry["code"],
        kind=entry["kind"],
        valid_from=Month.parse(entry["valid_from"]),
        valid_to=_month(entry.get("valid_to")),
        params={key: value for key, value in entry.items() if key not in reserved},
        partner_kinds=frozenset(entry.get("partner_kinds", ("agent_network",))),
        uncertain=bool(entry.get("uncertain")),
        source=entry.get("source", ""),
        note=entry.get("note", ""),
    )


def lifecycle_rule_from(entry: Mapping[str, Any]) -> LifecycleRule:
    return LifecycleRule(
        code=entry["code"],
        valid_from=Month.parse(entry["valid_from"]),
        valid_to=_month(entry.get("valid_to")),
        idle_months=int(entry["idle_months"]),
        rejoin_after_months=int(entry["rejoin_after_months"]),
        partner_kinds=frozenset(entry.get("partner_kinds", ("agent_network",))),
        uncertain=bool(entry.get("uncertain")),
        source=entry.get("source", ""),
        note=entry.get("note", ""),
    )


def load_agent_rulebook(data: Mapping[str, Any]) -> AgentRuleBook:
    """An ``AgentRuleBook`` from data shaped like ``data/perisai.json``."""
    return AgentRuleBook(
        [commission_rule_from(entry) for entry in data.get("commission", [])],
        [lifecycle_rule_from(entry) for entry in data.get("lifecycle", [])],
    )


def packaged_agent_rules() -> dict[str, Any]:
    text = resources.files("jaring.rules").joinpath("data/perisai.json").read_text(encoding="utf-8")
    return json.loads(text)


def default_agent_rulebook() -> AgentRuleBook:
    """The rules shipped in ``data/perisai.json``."""
    return load_agent_rulebook(packaged_agent_rules())
