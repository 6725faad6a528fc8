"""Reads the desk pages need beyond the shared queries: today's work at an outlet, what a new
registration will cost, and what a deposit would buy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet, Sum

from jaring.accounts.scope import Scope
from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date, month_of, start_of_day
from jaring.contributions.models import Deposit, Payment
from jaring.contributions.queries import ParticipantStatus, coverage_runs, participant_status_now, ratebook
from jaring.desk.coverage import months_owed
from jaring.members.models import Participant
from jaring.rules.coverage import months_for_payment, runs_with
from jaring.rules.months import Month
from jaring.rules.programmes import Programme, parse_programmes
from jaring.rules.rates import MonthPrice, Price
from jaring.rules.schedules import CoveragePolicy

# A deposit preview lists at most this many months (a mistyped amount would otherwise list hundreds).
PREVIEW_MONTHS = 24


def registrations_today(scope: Scope, *, outlet: Outlet, agent: Agent | None) -> QuerySet:
    """Today's registrations (Jakarta) at ``outlet``, or by ``agent`` when the user is an agent."""
    since = start_of_day(local_date())
    registered = Participant.objects.filter(registered_at__gte=since).select_related("outlet")
    registered = registered.filter(agent=agent) if agent else registered.filter(outlet=outlet)
    return scope.participants(registered).order_by("-registered_at", "-pk")


def payments_today(scope: Scope, *, outlet: Outlet, agent: Agent | None) -> QuerySet:
    """Today's ledger entries (Jakarta) taken at ``outlet``, or by ``agent`` when the user is an agent."""
    since = start_of_day(local_date())
    entries = Payment.objects.filter(paid_at__gte=since).select_related("participant")
    entries = entries.filter(agent=agent) if agent else entries.filter(outlet=outlet)
    return scope.payments(entries).order_by("-paid_at", "-pk")


def desk_standing(participant: Participant) -> tuple[ParticipantStatus, tuple[Month, ...], CoveragePolicy]:
    """The participant's standing today, the unpaid months a payment now would still cover (arrears
    first), and the coverage policy in force. From the coverage runs kept beside the ledger, as the
    partner API's status: the runs a payment taken now is priced from, read in one indexed statement
    (the participant page reads the ledger itself once, for its list)."""
    status = participant_status_now(participant)
    current = month_of()
    policy = ratebook().policy_for(current)
    owed = months_owed(status.runs, registered=participant.registered_month, current=current, policy=policy)
    if status.merged_into:  # a merged record owes nothing: the survivor does
        owed = ()
    return status, owed, policy


def registration_prices(
    *, income: int, programmes: frozenset[Programme], at: datetime | None = None
) -> list[tuple[int, Price]]:
    """What the first payment of a worker registered now costs for each allowed number of months (1, 3,
    6, 12), each month priced by the rate book's rules for that month."""
    book = ratebook()
    current = month_of(at)
    policy = book.policy_for(current)
    prices = []
    for count in policy.payment_month_counts:
        months = months_for_payment((), registered=current, current=current, count=count, policy=policy)
        prices.append((count, book.price(months[0], count, income=income, programmes=programmes)))
    return prices


@dataclass(frozen=True)
class DepositPreview:
    balance_before: int
    amount: int
    months: tuple[MonthPrice, ...]
    balance_after: int
    more: bool  # the amount buys more months than listed
    next_month: MonthPrice  # the first month the balance would not yet buy


def deposit_preview(participant: Participant, amount: int, *, at: datetime | None = None) -> DepositPreview:
    """What ``deposit_record`` would do with ``amount`` now: the whole months the balance would buy (in
    the order it buys them, arrears first) and the balance left. Reads only."""
    book = ratebook()
    current = month_of(at)
    policy = book.policy_for(current)
    programmes = parse_programmes(participant.programmes)
    runs = coverage_runs(participant)
    balance = participant.standing.deposit_balance + amount
    bought: list[MonthPrice] = []
    while True:
        (month,) = months_for_payment(
            runs, registered=participant.registered_month, current=current, count=1, policy=policy
        )
        price = book.price_month(month, income=participant.declared_income, programmes=programmes)
        if price.total > balance or len(bought) == PREVIEW_MONTHS:
            break
        bought.append(price)
        balance -= price.total
        runs = runs_with(runs, (month,))
    return DepositPreview(
        balance_before=participant.standing.deposit_balance,
        amount=amount,
        months=tuple(bought),
        balance_after=balance,
        more=len(bought) == PREVIEW_MONTHS and price.total <= balance,
        next_month=price,
    )


@dataclass(frozen=True)
class TillFigures:
    """What jaring recorded as taken at a till on a day: counts and rupiah by kind, and the cash the till
    should hold (payments and deposits in, voids out)."""

    payments: int
    payments_amount: int
    deposits: int
    deposits_amount: int
    voids: int
    voids_amount: int  # negative

    @property
    def expected(self) -> int:
        return self.payments_amount + self.deposits_amount + self.voids_amount


def till_figures(*, outlet: Outlet, agent: Agent | None, day) -> TillFigures:
    """The day's (Jakarta) payments, deposits and voids at ``outlet`` (by ``agent`` when the till is an
    agent's), from the indexed (outlet, moment) columns: three small aggregates."""
    since, until = start_of_day(day), start_of_day(day + timedelta(days=1))
    who = {"agent": agent} if agent else {"outlet": outlet}
    entries = Payment.objects.filter(paid_at__gte=since, paid_at__lt=until, **who)
    kinds = {
        kind: (n, amount or 0)
        for kind, n, amount in entries.filter(kind__in=[Payment.Kind.CONTRIBUTION, Payment.Kind.REVERSAL])
        .values_list("kind")
        .annotate(Count("pk"), Sum("amount"))
        .order_by()
    }
    deposits = Deposit.objects.filter(collected_at__gte=since, collected_at__lt=until, **who).aggregate(
        n=Count("pk"), amount=Sum("amount")
    )
    payments, voids = kinds.get(Payment.Kind.CONTRIBUTION, (0, 0)), kinds.get(Payment.Kind.REVERSAL, (0, 0))
    return TillFigures(
        payments=payments[0],
        payments_amount=payments[1],
        deposits=deposits["n"],
        deposits_amount=deposits["amount"] or 0,
        voids=voids[0],
        voids_amount=voids[1],
    )
