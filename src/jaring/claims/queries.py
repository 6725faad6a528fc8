"""Reads of claims that the pages (and the API) share: the claims a user may see, a branch's queue with
what is due today and what is late in working days, and the dashboard's figures. Every read goes through
the claim table's own indexes (the queue's ``(office, state, due_on)``), never through the ledger."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth

from jaring.accounts.scope import Scope, scope_for
from jaring.claims.models import Claim
from jaring.common.clock import ZONE
from jaring.org.queries import office_subtree
from jaring.rules.months import Month
from jaring.rules.workdays import working_days_between

# A claim waiting for someone: its documents, its verification, its decision or its payment.
OPEN_STATES = (Claim.State.SUBMITTED, Claim.State.COMPLETE, Claim.State.VERIFIED, Claim.State.APPROVED)
# The rows a queue section lists (its count is always whole).
SECTION_LIMIT = 200


def _scope(user_or_scope) -> Scope:
    return user_or_scope if isinstance(user_or_scope, Scope) else scope_for(user_or_scope)


def claims_visible(user_or_scope, qs: QuerySet | None = None) -> QuerySet:
    """The claims a user sees: every claim for the national roles (administrators, head-office analysts,
    auditors, finance), the claims of their office subtree for regional and branch staff (the claim's
    ``office``: the branch serving the participant), none for tellers, agents and payers."""
    scope = _scope(user_or_scope)
    qs = Claim.objects.all() if qs is None else qs
    if scope.is_national:
        return qs
    if scope.office is not None:
        return qs.filter(office_id__in=office_subtree(scope.office).values("pk"))
    return qs.none()


def claim_offices(user_or_scope) -> list[int] | None:
    """The offices whose queue a user works on: None for everywhere (national roles), else the ids of
    the office subtree (an empty list for roles that see no claim)."""
    scope = _scope(user_or_scope)
    if scope.is_national:
        return None
    if scope.office is not None:
        return list(office_subtree(scope.office).values_list("pk", flat=True))
    return []


@dataclass(frozen=True)
class Late:
    claim: Claim
    working_days: int  # working days after the due day, up to today


@dataclass
class Section:
    """One part of the queue: its claims (at most ``SECTION_LIMIT``) and how many there are in all."""

    claims: list = field(default_factory=list)
    total: int = 0


@dataclass
class Queue:
    today: date
    due_today: Section
    late: Section  # of ``Late``, the latest first
    waiting_documents: Section
    to_verify: Section
    to_decide: Section
    to_pay: Section

    def sections(self) -> list[tuple[str, Section]]:
        return [
            ("due_today", self.due_today),
            ("late", self.late),
            ("waiting_documents", self.waiting_documents),
            ("to_verify", self.to_verify),
            ("to_decide", self.to_decide),
            ("to_pay", self.to_pay),
        ]


def _holidays(first: date, last: date) -> set[date]:
    from jaring.reminders.queries import holidays_in

    return set(holidays_in(range(first.year, last.year + 1)))


def claims_queue(
    office_ids: Collection[int] | None, today: date, *, kind: str = "", limit: int = SECTION_LIMIT
) -> Queue:
    """The open claims of ``office_ids`` (None: every office) as a branch works them on ``today``: due
    today, late (the due day passed unpaid, with the working days since), waiting for documents, to
    verify, to decide and to pay; ``kind`` narrows to JKK, JKM or JHT. Each section reads the queue's
    index (office, state, due_on)."""
    open_claims = Claim.objects.filter(state__in=OPEN_STATES)
    if office_ids is not None:
        open_claims = open_claims.filter(office_id__in=list(office_ids))
    if kind:
        open_claims = open_claims.filter(kind=kind)
    open_claims = open_claims.select_related("participant", "office")

    def section(qs: QuerySet, order: tuple[str, ...]) -> Section:
        return Section(list(qs.order_by(*order)[:limit]), qs.count())

    late = section(open_claims.filter(due_on__lt=today), ("due_on", "number"))
    if late.claims:
        holidays = _holidays(min(c.due_on for c in late.claims), today)
        late.claims = [Late(c, working_days_between(c.due_on, today, holidays)) for c in late.claims]
    by_state = lambda state: section(open_claims.filter(state=state), ("due_on", "submitted_at", "number"))  # noqa: E731
    return Queue(
        today=today,
        due_today=section(open_claims.filter(due_on=today), ("number",)),
        late=late,
        waiting_documents=section(
            open_claims.filter(state=Claim.State.SUBMITTED), ("submitted_at", "number")
        ),
        to_verify=by_state(Claim.State.COMPLETE),
        to_decide=by_state(Claim.State.VERIFIED),
        to_pay=by_state(Claim.State.APPROVED),
    )


def participant_claims(participant) -> QuerySet:
    """A participant's claims, the latest first (the index (participant, submitted_at))."""
    return Claim.objects.filter(participant_id=participant.pk).order_by("-submitted_at", "-id")


# -- the dashboard ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindFigures:
    kind: str
    label: str
    by_state: dict[str, int]  # state -> claims
    claims: int
    amount_approved: int  # approved or paid
    amount_paid: int


@dataclass(frozen=True)
class MonthOnTime:
    month: Month
    paid: int
    on_time: int
    amount: int

    @property
    def share(self) -> Decimal | None:
        """The share paid by the due day, in percent with one decimal (None for a month without any)."""
        if not self.paid:
            return None
        return (Decimal(self.on_time) * 100 / self.paid).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Dashboard:
    kinds: list[KindFigures]
    months: list[MonthOnTime]

    @property
    def claims(self) -> int:
        return sum(k.claims for k in self.kinds)

    @property
    def amount_paid(self) -> int:
        return sum(k.amount_paid for k in self.kinds)

    @property
    def on_time(self) -> MonthOnTime:
        return MonthOnTime(
            month=self.months[-1].month if self.months else Month.from_date(date.today()),
            paid=sum(m.paid for m in self.months),
            on_time=sum(m.on_time for m in self.months),
            amount=sum(m.amount for m in self.months),
        )


def claims_dashboard(claims: QuerySet, *, since: date | None = None) -> Dashboard:
    """Claims (of ``claims``, already scoped) by kind and state with their amounts, and per month of
    payment the claims paid and those paid on time (the payment's day in Jakarta no later than the due
    day), from ``since`` on. Two grouped reads."""
    counts: dict[str, dict[str, int]] = {kind: {} for kind in Claim.Kind.values}
    approved: dict[str, int] = dict.fromkeys(Claim.Kind.values, 0)
    paid: dict[str, int] = dict.fromkeys(Claim.Kind.values, 0)
    grouped = claims.order_by().values("kind", "state").annotate(n=Count("id"), amount=Sum("amount"))
    for row in grouped:
        counts[row["kind"]][row["state"]] = row["n"]
        if row["state"] in (Claim.State.APPROVED, Claim.State.PAID):
            approved[row["kind"]] += row["amount"] or 0
        if row["state"] == Claim.State.PAID:
            paid[row["kind"]] += row["amount"] or 0
    kinds = [
        KindFigures(
            kind=kind,
            label=str(label),
            by_state={state: counts[kind].get(state, 0) for state in Claim.State.values},
            claims=sum(counts[kind].values()),
            amount_approved=approved[kind],
            amount_paid=paid[kind],
        )
        for kind, label in Claim.Kind.choices
    ]
    paid_claims = claims.filter(state=Claim.State.PAID, paid_at__isnull=False)
    if since is not None:
        paid_claims = paid_claims.filter(paid_at__date__gte=since)
    on_time = Case(
        When(Q(due_on__isnull=False) & Q(paid_at__date__lte=F("due_on")), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    monthly = (
        paid_claims.order_by()
        .annotate(month=TruncMonth("paid_at", tzinfo=ZONE))
        .values("month")
        .annotate(n=Count("id"), on_time=Sum(on_time), amount=Sum("amount"))
        .order_by("month")
    )
    months = [
        MonthOnTime(Month.from_date(row["month"]), row["n"], row["on_time"] or 0, row["amount"] or 0)
        for row in monthly
    ]
    return Dashboard(kinds=kinds, months=months)
