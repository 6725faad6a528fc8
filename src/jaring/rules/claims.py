"""Claims decided from the coverage ledger: was the incident in covered time, how many months were
actually paid, what the benefits are, the JHT balance with its yearly yield, who the heirs are in
their legal order. Pure: the services pass the ledger entries and the rules in force (data with their
sources, ``rules/data/claims.json``); every answer carries the moments, months and rules it used.

Coverage is kept by month, but an accident happens at a moment. A month paid before it began covers
all of it. A month paid while it runs, or afterwards as arrears, covers from the moment of payment
when the cover policy says so (``cover_from_payment``, the default): a payment made after the incident
in the same month does not cover it. Whether arrears paid after an incident restore cover for it is
the coverage policy's ``restore_cover_for_past_events`` (default no); whether the first unpaid months
of arrears are covered at all is ``arrears_grace_covered`` (sources disagree; default no).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from jaring.rules.money import round_half_up
from jaring.rules.months import Month

JKK, JKM, JHT = "JKK", "JKM", "JHT"
KINDS = (JKK, JKM, JHT)


@dataclass(frozen=True)
class Entry:
    """A ledger entry as a claim reads it: when it was paid, the months it bought, whether it was
    reversed since (a reversed entry never covered anything), and the JHT part of each month."""

    paid_at: datetime
    first: Month
    months: int
    reversed: bool = False
    jht: int = 0  # the JHT part of the entry, all its months together

    @property
    def last(self) -> Month:
        return self.first + (self.months - 1)

    def buys(self, month: Month) -> bool:
        return self.first <= month <= self.last


@dataclass(frozen=True)
class CoverPolicy:
    """The switches a decision of cover reads (data: the claims rule ``cover`` and the coverage policy)."""

    cover_from_payment: bool = True
    restore_cover_for_past_events: bool = False
    arrears_grace_covered: bool = False
    arrears_months: int = 3


# Why an incident was or was not in covered time (stable codes; the services word them).
PAID_AHEAD = "paid_ahead"  # the month was paid before it began
PAID_BEFORE = "paid_before"  # paid during the month, before the incident
PAID_AFTER = "paid_after"  # paid only after the incident
GRACE = "grace"  # unpaid, within the first months of arrears, and the policy covers them
UNPAID = "unpaid"  # not paid at all (or only by entries reversed since)
RESTORED = "restored"  # paid after the incident, and the policy restores cover for it
WHOLE_MONTH = "whole_month"  # paid in the month, and the policy covers the whole month


@dataclass(frozen=True)
class Cover:
    """The answer to "was the moment covered", with what it was read from."""

    covered: bool
    reason: str
    month: Month
    paid_at: datetime | None = None  # the payment that bought the month (the earliest one not reversed)
    last_covered_before: Month | None = None  # the last month bought by a payment made before the moment
    policy: CoverPolicy = field(default_factory=CoverPolicy)


def cover_at(moment: datetime, entries: Iterable[Entry], policy: CoverPolicy) -> Cover:
    """Whether ``moment`` (timezone-aware, in local time) fell in covered time, from the ledger entries
    of the participant (every one, reversed ones included: they are left out here)."""
    month = Month.from_date(moment.date())
    valid = [entry for entry in entries if not entry.reversed]
    buying = sorted((entry for entry in valid if entry.buys(month)), key=lambda entry: entry.paid_at)
    before = [entry for entry in valid if entry.paid_at <= moment]
    last_before = max((entry.last for entry in before), default=None)

    def answer(covered: bool, reason: str, paid_at: datetime | None = None) -> Cover:
        return Cover(covered, reason, month, paid_at, last_before, policy)

    if buying:
        first = buying[0]
        if first.paid_at.date() < month.first_day():
            return answer(True, PAID_AHEAD, first.paid_at)
        if first.paid_at <= moment:
            return answer(True, PAID_BEFORE, first.paid_at)
        if not policy.cover_from_payment and Month.from_date(first.paid_at.date()) == month:
            return answer(True, WHOLE_MONTH, first.paid_at)
        if policy.restore_cover_for_past_events:
            return answer(True, RESTORED, first.paid_at)
        return answer(False, PAID_AFTER, first.paid_at)
    if (
        policy.arrears_grace_covered
        and last_before is not None
        and month > last_before
        and (month - last_before) <= policy.arrears_months
    ):
        return answer(True, GRACE)
    return answer(False, UNPAID)


def months_paid(
    entries: Iterable[Entry], *, through: Month, paid_by: datetime | None = None
) -> tuple[Month, ...]:
    """The distinct months up to ``through`` bought by entries not reversed (paid by ``paid_by`` when
    given): the contribution period a scholarship's minimum is read against."""
    months: set[Month] = set()
    for entry in entries:
        if entry.reversed or (paid_by is not None and entry.paid_at > paid_by):
            continue
        month = entry.first
        while month <= entry.last and month <= through:
            months.add(month)
            month += 1
    return tuple(sorted(months))


# -- benefits ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """One amount a claim pays: what it is, to whom (``payee``: "heirs", "hospital", "participant"), how
    much, and the arithmetic that made it."""

    component: str
    payee: str
    amount: int
    arithmetic: str
    year: int | None = None  # a scholarship's school year
    beneficiary: str = ""  # a scholarship's child (NIK)


def jkm_lines(benefit: dict) -> list[Line]:
    """A JKM (death not from work) claim: the lump sum, the funeral cost and the periodic benefit paid
    at once, each from the benefit rule in force on the day of death."""
    lines = []
    for component in ("lump_sum", "funeral", "periodic"):
        amount = int(benefit.get(component, 0))
        if amount:
            lines.append(Line(component, "heirs", amount, f"{component} {amount}"))
    return lines


def jkk_lines(benefit: dict, *, declared_income: int, details: dict) -> list[Line]:
    """A JKK (work accident) claim from its details: the hospital's bill (paid to the hospital), days of
    temporary inability (the declared income per day at the rule's shares by month of inability), a
    permanent disability (its percentage of the rule's multiple of the income), or death from the
    accident (the multiple of the income, the funeral cost and the periodic benefit, to the heirs)."""
    lines: list[Line] = []
    bill = int(details.get("medical_bill") or 0)
    if bill:
        lines.append(Line("medical", "hospital", bill, f"hospital bill {bill}"))
    days = int(details.get("inability_days") or 0)
    if days:
        daily = Decimal(declared_income) / 30
        remaining, total, parts = days, Decimal(0), []
        for band in benefit.get("inability", []):
            if remaining <= 0:
                break
            band_months = band.get("months")
            band_days = remaining if band_months is None else min(remaining, int(band_months) * 30)
            share = Decimal(str(band["share"]))
            total += daily * band_days * share
            parts.append(f"{band_days} d x {declared_income}/30 x {share}")
            remaining -= band_days
        amount = round_half_up(total)
        lines.append(Line("inability", "participant", amount, " + ".join(parts)))
    percent = Decimal(str(details.get("disability_percent") or 0))
    if percent and not details.get("death"):
        multiple = int(benefit.get("disability_multiple", 0))
        amount = round_half_up(Decimal(declared_income) * multiple * percent / 100)
        lines.append(
            Line("disability", "participant", amount, f"{percent} % x {multiple} x {declared_income}")
        )
    if details.get("death"):
        multiple = int(benefit.get("death_multiple", 0))
        lines.append(Line("death", "heirs", declared_income * multiple, f"{multiple} x {declared_income}"))
        for component in ("funeral", "periodic"):
            amount = int(benefit.get(component, 0))
            if amount:
                lines.append(Line(component, "heirs", amount, f"{component} {amount}"))
    return lines


@dataclass(frozen=True)
class ScholarshipAnswer:
    granted: bool
    months_paid: int
    months_needed: int
    lines: tuple[Line, ...] = ()
    refusal: str = ""  # "period" (too few months paid), "children" (more than allowed), "age", "total"


def scholarship_year(
    rule: dict,
    *,
    months_paid: int,
    children: Sequence[dict],
    year: int,
    paid_before: dict[str, int] | None = None,
) -> ScholarshipAnswer:
    """One school year of the JKM scholarship: granted when at least the rule's minimum of months was
    paid, for up to ``children_max`` children each at a school level of the rule, younger than its age
    limit and neither married nor working, each up to the rule's total per child (``paid_before``:
    child's NIK -> what earlier years paid). The rule's per-level amount is yearly."""
    needed = int(rule["min_contribution_months"])
    if months_paid < needed:
        return ScholarshipAnswer(False, months_paid, needed, refusal="period")
    if len(children) > int(rule["children_max"]):
        return ScholarshipAnswer(False, months_paid, needed, refusal="children")
    paid_before = paid_before or {}
    levels = rule["levels"]
    total_max = int(rule["total_per_child"])
    lines = []
    for child in children:
        if child.get("married") or child.get("working") or int(child["age"]) >= int(rule["age_limit"]):
            continue
        level = levels[child["level"]]
        already = paid_before.get(child["nik"], 0)
        amount = min(int(level["yearly"]), max(0, total_max - already))
        if amount:
            lines.append(
                Line(
                    "scholarship",
                    "heirs",
                    amount,
                    f"{child['level']} {level['yearly']} ({already} of {total_max} paid before)",
                    year,
                    str(child["nik"]),
                )
            )
    if not lines:
        return ScholarshipAnswer(False, months_paid, needed, refusal="age")
    return ScholarshipAnswer(True, months_paid, needed, tuple(lines))


# -- JHT -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JhtYear:
    year: int
    opening: int
    contributions: int
    rate: Decimal
    yield_: int
    closing: int


def jht_balance(
    contributions: Iterable[tuple[date, int]], *, rates: dict[int, Decimal], through: date
) -> tuple[JhtYear, ...]:
    """The JHT balance year by year up to ``through``: each year's opening balance earns the year's
    declared rate in full, and each contribution the rate for the months left in the year from the
    month after it was paid (a contribution paid in December earns nothing that year); the running
    year earns up to ``through``'s month. Rounded half up to the rupiah once a year. A year without a
    declared rate earns nothing (and says so with a rate of 0)."""
    by_year: dict[int, list[tuple[date, int]]] = {}
    for day, amount in contributions:
        if day <= through:
            by_year.setdefault(day.year, []).append((day, amount))
    if not by_year:
        return ()
    years, balance = [], 0
    for year in range(min(by_year), through.year + 1):
        rate = rates.get(year, Decimal(0))
        end_month = 12 if year < through.year else through.month
        paid = by_year.get(year, [])
        earned = Decimal(balance) * rate * end_month / 12
        for day, amount in paid:
            earned += Decimal(amount) * rate * max(0, end_month - day.month) / 12
        yield_ = round_half_up(earned)
        contributions_year = sum(amount for _day, amount in paid)
        closing = balance + contributions_year + yield_
        years.append(JhtYear(year, balance, contributions_year, rate, yield_, closing))
        balance = closing
    return tuple(years)


def jht_trigger_holds(trigger: dict, *, age: int, months_since_stopped: int | None = None) -> bool:
    """Whether a withdrawal trigger holds: age (``min_age``), or stopping work after a waiting period
    (``waiting_months``); death and permanent disability hold by themselves."""
    if "min_age" in trigger:
        return age >= int(trigger["min_age"])
    if "waiting_months" in trigger:
        return months_since_stopped is not None and months_since_stopped >= int(trigger["waiting_months"])
    return True


# -- heirs ---------------------------------------------------------------------------------------------------
def heirs_in_order(relations: Sequence[str], order: Sequence[str]) -> list[int]:
    """The positions of ``relations`` (one per heir) sorted by the legal order ``order`` (data); the first
    is the heir entitled, the others follow when none of an earlier rank exists."""
    rank = {relation: index for index, relation in enumerate(order)}
    return sorted(range(len(relations)), key=lambda i: (rank.get(relations[i], len(order)), i))


def account_problem(bank: str, account: str, formats: dict[str, dict]) -> str | None:
    """Why ``account`` is not a valid account number at ``bank`` (formats: bank code -> {"digits": [n,
    ...]}), or None. A bank not in the formats takes 6 to 20 digits."""
    if not account.isdigit():
        return "digits"
    lengths = formats.get(bank, {}).get("digits") or list(range(6, 21))
    return None if len(account) in lengths else "length"
