"""Fraud signals of claims: claims a branch should look at twice, each with the evidence it was raised on.

- ``death_soon_after_start``: a death within the rule's ``death_within_months`` of the participant's
  registration or of a reactivation (coverage restarting after a lapse): people register, or pay again,
  for someone about to die.
- ``shared_account``: one bank account named for heirs of ``shared_account_heirs`` or more different
  participants: one person collecting several families' benefits.
- ``paid_after_incident``: the month of an accident or death bought by a payment made after it (arrears
  paid once the worker was hurt or dead), whether the claim was refused for it or covered anyway.
- ``same_incident_twice``: one participant's incident of one kind on one day claimed more than once
  (through two channels, or again after a refusal).

A signal is not a finding: it says what to check. Thresholds are claim rules (kind ``fraud``) in force on
the day of the incident (or today, for the shared accounts). Every read is one query over an index: the
claims' participant index, the heirs' account index, the coverage runs and payments by participant.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime

from django.db.models import Count, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from jaring.claims.models import Claim, ClaimRule, Heir
from jaring.claims.rulebook import ClaimBook, NoRule, claim_rules
from jaring.common.clock import ZONE, local_date
from jaring.contributions.models import CoverageRun, Payment
from jaring.contributions.queries import ratebook
from jaring.members.models import Participant
from jaring.rules import claims as rules
from jaring.rules.months import Month
from jaring.rules.participant_number import participant_number


def mask_account(number: str) -> str:
    """A bank account number cut to its last four digits: ``***********2345``."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


@dataclass(frozen=True)
class Signal:
    """A signal: its name, the claims it names, and (in each kind's fields) the evidence."""

    claims: tuple[str, ...]
    signal = ""

    def as_dict(self) -> dict:
        return {"signal": self.signal, **asdict(self)}

    def summary(self) -> str:
        return "; ".join(f"{f.name} {getattr(self, f.name)}" for f in fields(self) if f.name != "claims")


@dataclass(frozen=True)
class DeathSoonAfterStart(Signal):
    participant: str
    start: str  # "registration" or "reactivation"
    started_on: date
    incident_at: datetime
    months_after: int  # whole calendar months from the start's month to the death's
    within_months: int
    signal = "death_soon_after_start"


@dataclass(frozen=True)
class SharedAccount(Signal):
    bank: str
    account: str  # masked
    participants: tuple[str, ...]
    threshold: int
    signal = "shared_account"


@dataclass(frozen=True)
class PaidAfterIncident(Signal):
    participant: str
    state: str
    incident_at: datetime
    month: str
    cover_reason: str
    paid_at: datetime | None  # the first payment made after the incident that bought its month
    paid_months: str  # what that payment bought, "2024-07..2024-09"
    signal = "paid_after_incident"


@dataclass(frozen=True)
class SameIncidentTwice(Signal):
    participant: str
    kind: str
    day: date
    states: tuple[str, ...]  # each claim's, in the order of ``claims``
    signal = "same_incident_twice"


def claim_signals(*, today: date | None = None) -> list[Signal]:
    """Every signal raised by the claims recorded, those of a claim together, in claim number order."""
    book = claim_rules()
    today = today or local_date()
    found: list[Signal] = [
        *deaths_soon_after_start(book=book),
        *shared_accounts(book=book, today=today),
        *paid_after_incident(),
        *same_incident_twice(),
    ]
    return sorted(found, key=lambda signal: (signal.claims, signal.signal))


def _threshold(book: ClaimBook, name: str, day: date) -> int | None:
    try:
        value = book.rule(ClaimRule.Kind.FRAUD, day).get(name)
    except NoRule:
        return None
    return int(value) if value is not None else None


def _months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = Month.from_date(day) + months
    return date(month.year, month.month, min(day.day, calendar.monthrange(month.year, month.month)[1]))


def deaths_soon_after_start(*, book: ClaimBook | None = None) -> list[DeathSoonAfterStart]:
    """Death claims within ``death_within_months`` of the participant's registration or of the latest
    reactivation before the death: a coverage run that begins after more unpaid months than the coverage
    policy's arrears allow (a lapse; the first run counted from the month of registration)."""
    book = book or claim_rules()
    deaths = list(
        Claim.objects.filter(death=True).values_list("number", "participant_id", "incident_at").order_by()
    )
    if not deaths:
        return []
    ids = {participant_id for _number, participant_id, _at in deaths}
    registered = dict(Participant.objects.filter(pk__in=ids).values_list("pk", "registered_at"))
    runs: dict[int, list[tuple[Month, Month]]] = defaultdict(list)
    for participant_id, first, last in (
        CoverageRun.objects.filter(participant_id__in=ids)
        .order_by("participant_id", "first_month")
        .values_list("participant_id", "first_month", "last_month")
    ):
        runs[participant_id].append((first, last))
    found = []
    for number, participant_id, incident_at in deaths:
        day = local_date(incident_at)
        within = _threshold(book, "death_within_months", day)
        if within is None or participant_id not in registered:
            continue
        start, started_on = "registration", local_date(registered[participant_id])
        arrears = ratebook().policy_for(Month.from_date(day)).arrears_months
        covered_to = Month.from_date(started_on) - 1
        for first, last in runs[participant_id]:
            if first.first_day() > day:
                break
            if first - covered_to - 1 > arrears:
                start, started_on = "reactivation", first.first_day()
            covered_to = max(covered_to, last)
        if day < _months_after(started_on, within):
            found.append(
                DeathSoonAfterStart(
                    claims=(number,),
                    participant=participant_number(participant_id),
                    start=start,
                    started_on=started_on,
                    incident_at=incident_at,
                    months_after=Month.from_date(day) - Month.from_date(started_on),
                    within_months=within,
                )
            )
    return found


def shared_accounts(*, book: ClaimBook | None = None, today: date | None = None) -> list[SharedAccount]:
    """Bank accounts named for heirs of ``shared_account_heirs`` or more different participants (one
    grouped read of the heirs' account index)."""
    book = book or claim_rules()
    threshold = _threshold(book, "shared_account_heirs", today or local_date())
    if threshold is None:
        return []
    accounts = list(
        Heir.objects.values("bank", "account_number")
        .annotate(participants=Count("claim__participant_id", distinct=True))
        .filter(participants__gte=threshold)
        .values_list("bank", "account_number")
        .order_by()
    )
    if not accounts:
        return []
    named: Q = Q()
    for bank, account in accounts:
        named |= Q(bank=bank, account_number=account)
    claims: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for bank, account, number, participant_id in Heir.objects.filter(named).values_list(
        "bank", "account_number", "claim__number", "claim__participant_id"
    ):
        claims[(bank, account)][number] = participant_id
    return [
        SharedAccount(
            claims=tuple(sorted(by_claim)),
            bank=bank,
            account=mask_account(account),
            participants=tuple(sorted({participant_number(pk) for pk in by_claim.values()})),
            threshold=threshold,
        )
        for (bank, account), by_claim in sorted(claims.items())
    ]


def paid_after_incident() -> list[PaidAfterIncident]:
    """Accident and death claims whose month was bought by a payment made after the incident (not
    reversed), or refused because it was (cover reason ``paid_after``)."""
    claims = list(
        Claim.objects.filter(kind__in=(Claim.Kind.JKK, Claim.Kind.JKM))
        .annotate(cover_reason=KT("decision__cover__reason"))
        .values_list("number", "participant_id", "incident_at", "state", "cover_reason")
        .order_by()
    )
    if not claims:
        return []
    ids = {participant_id for _n, participant_id, *_rest in claims}
    earliest = min(incident_at for _n, _p, incident_at, *_rest in claims)
    later: dict[int, list[tuple[int, datetime, Month, int]]] = defaultdict(list)
    reversed_ids = set()
    # each entry at the moment its money was first paid (an entry moved by a merge keeps it)
    for pk, participant_id, kind, paid_at, first, months, reverses in (
        Payment.objects.filter(participant_id__in=ids)
        .annotate(first_paid_at=Coalesce("originally_paid_at", "paid_at"))
        .filter(first_paid_at__gt=earliest)
        .values_list("pk", "participant_id", "kind", "first_paid_at", "first_month", "months", "reverses_id")
        .order_by("first_paid_at", "pk")
    ):
        if kind == Payment.Kind.REVERSAL:
            reversed_ids.add(reverses)
        elif months:
            later[participant_id].append((pk, paid_at, first, months))
    found = []
    for number, participant_id, incident_at, state, cover_reason in claims:
        month = Month.from_date(local_date(incident_at))
        buying = next(
            (
                (paid_at, first, months)
                for pk, paid_at, first, months in later[participant_id]
                if pk not in reversed_ids and paid_at > incident_at and first <= month <= first + (months - 1)
            ),
            None,
        )
        refused_for_it = state == Claim.State.REJECTED and cover_reason == rules.PAID_AFTER
        if buying is None and not refused_for_it:
            continue
        paid_at, first, months = buying if buying else (None, None, 0)
        found.append(
            PaidAfterIncident(
                claims=(number,),
                participant=participant_number(participant_id),
                state=state,
                incident_at=incident_at,
                month=str(month),
                cover_reason=cover_reason or "",
                paid_at=paid_at,
                paid_months=f"{first}..{first + (months - 1)}" if first is not None else "",
            )
        )
    return found


def same_incident_twice() -> list[SameIncidentTwice]:
    """One participant's incident of one kind on one day (Jakarta) claimed more than once."""
    day = TruncDate("incident_at", tzinfo=ZONE)
    groups = list(
        Claim.objects.annotate(day=day)
        .values("participant_id", "kind", "day")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .values_list("participant_id", "kind", "day")
        .order_by()
    )
    if not groups:
        return []
    wanted = {(participant_id, kind, when) for participant_id, kind, when in groups}
    claims: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    for number, participant_id, kind, when, state in (
        Claim.objects.filter(participant_id__in={group[0] for group in groups})
        .annotate(day=day)
        .values_list("number", "participant_id", "kind", "day", "state")
        .order_by("number")
    ):
        if (participant_id, kind, when) in wanted:
            claims[(participant_id, kind, when)].append((number, state))
    return [
        SameIncidentTwice(
            claims=tuple(number for number, _state in made),
            participant=participant_number(participant_id),
            kind=kind,
            day=when,
            states=tuple(state for _number, state in made),
        )
        for (participant_id, kind, when), made in sorted(claims.items())
    ]


def signal_title(signal: Signal) -> str:
    """What a signal means, in the reader's language."""
    titles = {
        DeathSoonAfterStart.signal: _("Death soon after registration or reactivation"),
        SharedAccount.signal: _("One bank account for heirs of several participants"),
        PaidAfterIncident.signal: _("Month of the incident paid after the incident"),
        SameIncidentTwice.signal: _("The same incident claimed more than once"),
    }
    return titles[signal.signal]


__all__ = [
    "DeathSoonAfterStart",
    "PaidAfterIncident",
    "SameIncidentTwice",
    "SharedAccount",
    "Signal",
    "claim_signals",
    "deaths_soon_after_start",
    "mask_account",
    "paid_after_incident",
    "same_incident_twice",
    "shared_accounts",
    "signal_title",
]
