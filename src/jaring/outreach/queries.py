"""Reads of the outreach registry that the pages, the CLI and the exports share: who sees which MoU and
site, the outreach rules in force, an MoU's progress read from the facts, its budget lines (billed,
paid, next year's forecast), the expiring MoUs, each branch's government-run markets against its target,
and a site's yield.

Figures people wait on come from the tallies (registrations, collections, coverage deltas) or from
indexed lookups of a few rows (a payer's bills, a group's members, a collector outlet's deposits of a
few weeks), never from a scan of the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum

from jaring.accounts.scope import Scope
from jaring.common.clock import local_date, start_of_day
from jaring.common.rules import entry_in_force, rule_entries
from jaring.contributions.models import Bill, CoverageRun, Deposit, GroupMembership, Payment
from jaring.contributions.queries import ratebook
from jaring.monitoring import readings
from jaring.org.models import Office
from jaring.org.queries import in_office_subtree
from jaring.outreach.arithmetic import Attainment, Forecast
from jaring.outreach.models import BudgetLine, Commitment, Mou, OutreachRule, Site
from jaring.rules.months import Month
from jaring.rules.programmes import parse_programmes

# The defaults when no rule row is in force (the data migration ships the same figures as rows).
DEFAULT_MARKETS_PER_BRANCH = 2  # DOMAIN.md, Kanwil VII Kalimantan (2014): "at least two" per branch
DEFAULT_LOOKAHEAD_DAYS = 90
HISTORY_MONTHS = 12
COLLECTION_DAYS = 31


# -- scope --------------------------------------------------------------------------------------------------


def mous_in_scope(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    """The MoUs a user sees: national roles all; office staff those signed by an office of their subtree
    and those signed by the offices above theirs (a branch reads its Kanwil's governor MoU, which covers
    its area, but never another branch's); nobody else any."""
    qs = Mou.objects.all() if qs is None else qs
    if scope.is_national:
        return qs
    if scope.office is not None:
        above = [code for code in scope.office.path.split("/") if code][:-1]
        return qs.filter(in_office_subtree(scope.office, via="office") | Q(office__code__in=above))
    return qs.none()


def mous_kept_by(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    """The MoUs a user may change (commitments, budget lines, documents): national roles all; office
    staff those signed by their subtree only."""
    qs = Mou.objects.all() if qs is None else qs
    if scope.is_national:
        return qs
    if scope.office is not None:
        return qs.filter(in_office_subtree(scope.office, via="office"))
    return qs.none()


def sites_in_scope(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    """The sites a user sees: national roles all; office staff the sites their subtree's branches serve."""
    qs = Site.objects.all() if qs is None else qs
    if scope.is_national:
        return qs
    if scope.office is not None:
        return qs.filter(in_office_subtree(scope.office, via="office"))
    return qs.none()


def mou_find(number: str, qs: QuerySet | None = None) -> Mou | None:
    qs = Mou.objects.all() if qs is None else qs
    return (
        qs.select_related("office", "region", "partner").filter(number__iexact=(number or "").strip()).first()
    )


def site_find(code: str, qs: QuerySet | None = None) -> Site | None:
    qs = Site.objects.all() if qs is None else qs
    return (
        qs.select_related("office", "village", "mou", "outlet")
        .filter(code=(code or "").strip().upper())
        .first()
    )


# -- rules --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleFigure:
    """A figure read from an outreach rule: its value and where it came from."""

    value: int
    code: str
    source: str

    def as_dict(self) -> dict:
        return {"value": self.value, "rule": self.code, "source": self.source}


def _rule(kind: str, key: str, default: int, day: date) -> RuleFigure:
    entries = rule_entries(OutreachRule.objects.filter(kind=kind)).get(kind, [])
    entry = entry_in_force(entries, Month.from_date(day))
    if entry is None or not isinstance(entry.get(key), int):
        return RuleFigure(default, "", "default")
    return RuleFigure(entry[key], entry["code"], entry.get("source") or "")


def markets_required(day: date | None = None) -> RuleFigure:
    """Government-run markets each branch should have under an MoU in the month of ``day``."""
    return _rule(
        OutreachRule.Kind.MARKET_TARGET,
        "government_markets_per_branch",
        DEFAULT_MARKETS_PER_BRANCH,
        day or local_date(),
    )


def lookahead_days(day: date | None = None) -> RuleFigure:
    """How many days ahead an MoU about to expire is listed."""
    return _rule(OutreachRule.Kind.MOU_LOOKAHEAD, "days", DEFAULT_LOOKAHEAD_DAYS, day or local_date())


# -- MoUs ---------------------------------------------------------------------------------------------------


def mou_in_force(day: date) -> Q:
    return Q(valid_from__lte=day, valid_to__gte=day)


def mous_expiring(*, scope: Scope | None = None, today: date | None = None) -> tuple[list[Mou], RuleFigure]:
    """The MoUs in force today whose validity ends within the look-ahead (soonest first), and the
    look-ahead read. One indexed range read on the end of validity."""
    today = today or local_date()
    ahead = lookahead_days(today)
    qs = Mou.objects.select_related("office", "region", "partner").filter(
        valid_to__gte=today, valid_to__lte=today + timedelta(days=ahead.value), valid_from__lte=today
    )
    if scope is not None:
        qs = mous_in_scope(scope, qs)
    return list(qs.order_by("valid_to", "number")), ahead


def mou_party_name(mou: Mou) -> str:
    if mou.region_id and mou.party != Mou.Party.MARKET_MANAGER:
        return mou.region.name
    if mou.partner_id:
        return mou.partner.name
    return mou.manager_name


def mou_as_dict(mou: Mou) -> dict:
    return {
        "number": mou.number,
        "title": mou.title,
        "party": mou.party,
        "party_name": mou_party_name(mou),
        "region": mou.region_id,
        "partner": mou.partner.code if mou.partner_id else None,
        "manager_name": mou.manager_name or None,
        "party_signatory": mou.party_signatory or None,
        "office": mou.office.code,
        "office_signatory": mou.office_signatory or None,
        "signed_on": mou.signed_on.isoformat(),
        "valid_from": mou.valid_from.isoformat(),
        "valid_to": mou.valid_to.isoformat(),
    }


@dataclass
class CommitmentProgress:
    """A commitment and what the facts say of it: ``reached`` against ``target``, and how it was read."""

    commitment: Commitment
    reached: int
    basis: str
    attainment: Attainment = field(init=False)

    def __post_init__(self) -> None:
        self.attainment = Attainment(self.reached, self.commitment.target)

    def as_dict(self) -> dict:
        c = self.commitment
        return {
            "kind": c.kind,
            "target": c.target,
            "reached": self.reached,
            "basis": self.basis,
            "met": self.attainment.met,
            "note": c.note or None,
            "done_on": c.done_on.isoformat() if c.done_on else None,
            "reference": c.reference or None,
        }


@dataclass
class BudgetFigures:
    """A budget line with what its payer was billed and paid for months of its year, the group's size,
    and next year's forecast from that size and the rates."""

    line: BudgetLine
    billed: int
    paid: int
    members: int
    members_month: Month
    forecast: Forecast | None
    price_month: Month
    income: int
    forecast_problem: str = ""

    @property
    def remaining(self) -> int:
        return self.line.ceiling - self.paid

    def as_dict(self) -> dict:
        return {
            "payer": self.line.payer.code,
            "year": self.line.year,
            "account": self.line.account or None,
            "ceiling": self.line.ceiling,
            "billed": self.billed,
            "paid": self.paid,
            "remaining": self.remaining,
            "members": self.members,
            "members_month": str(self.members_month),
            "forecast_year": self.line.year + 1,
            "price_month": str(self.price_month),
            "declared_income": self.income,
            "forecast": self.forecast.as_dict() if self.forecast else None,
            "forecast_problem": self.forecast_problem or None,
        }


@dataclass
class MouReport:
    mou: Mou
    commitments: list[CommitmentProgress]
    budget: list[BudgetFigures]
    sites: list[Site]
    groups: list
    members: int
    covered: int
    month: Month
    history: list[tuple[Month, int, int]]  # (month, registrations at the MoU's outlets, active there)

    def as_dict(self) -> dict:
        return {
            "mou": mou_as_dict(self.mou),
            "month": str(self.month),
            "payer_groups": [g.code for g in self.groups],
            "group_members": self.members,
            "group_members_covered": self.covered,
            "sites": [s.code for s in self.sites],
            "commitments": [c.as_dict() for c in self.commitments],
            "budget_lines": [b.as_dict() for b in self.budget],
            "history": [{"month": str(m), "registered": r, "active": a} for m, r, a in self.history],
        }


def _members_in(group_ids: list[int], month: Month) -> QuerySet:
    return GroupMembership.objects.filter(group_id__in=group_ids, first_month__lte=month).filter(
        Q(last_month__isnull=True) | Q(last_month__gte=month)
    )


def group_members(group_ids: list[int], month: Month) -> tuple[int, int]:
    """(members of the groups in ``month``, those of them covered that month): the groups' membership
    rows and the coverage runs of those members, found by their index."""
    if not group_ids:
        return 0, 0
    members = _members_in(group_ids, month)
    count = members.values("participant_id").distinct().count()
    covered = (
        CoverageRun.objects.filter(
            participant_id__in=members.values("participant_id"), first_month__lte=month, last_month__gte=month
        )
        .values("participant_id")
        .distinct()
        .count()
    )
    return count, covered


def budget_figures(line: BudgetLine, *, group_ids: list[int], today: date | None = None) -> BudgetFigures:
    """What the line's payer was billed and paid for the months of the budget year (its bills, and the
    ledger entries paying them found through the bill), the members of the MoU's groups of that payer
    (in December of the year, or this month while the year runs), and next year's forecast: members x
    12 x the January price of the payer's programmes at the minimum declared income, with the payer's
    kind (APBD payers are outside some cuts)."""
    today = today or local_date()
    payer = line.payer
    first, last = Month.of(line.year, 1), Month.of(line.year, 12)
    bills = Bill.objects.filter(payer=payer, month__gte=first, month__lte=last)
    billed = bills.aggregate(s=Sum("amount"))["s"] or 0
    paid = Payment.objects.filter(bill__in=bills.values("pk")).aggregate(s=Sum("amount"))["s"] or 0
    month = min(last, Month.from_date(today))
    of_payer = set(payer.groups.values_list("pk", flat=True))
    # the MoU's groups of this payer; all the payer's groups when the MoU names none of them
    payer_groups = sorted(of_payer.intersection(group_ids) or of_payer)
    members, _covered = group_members(payer_groups, month)
    next_january = Month.of(line.year + 1, 1)
    book = ratebook()
    income, forecast, problem = 0, None, ""
    try:
        schedule = book.schedule_for(next_january)
        income = schedule.min_income
        price = book.price_month(
            next_january, income=income, programmes=parse_programmes(payer.programmes), payer_kind=payer.kind
        )
        forecast = Forecast(members=members, months=12, monthly_price=price.total, ceiling=line.ceiling)
    except LookupError as error:  # no schedule in force then: said, not guessed
        problem = str(error)
    return BudgetFigures(
        line=line,
        billed=billed,
        paid=paid,
        members=members,
        members_month=month,
        forecast=forecast,
        price_month=next_january,
        income=income,
        forecast_problem=problem,
    )


def mou_report(mou: Mou, *, today: date | None = None) -> MouReport:
    """An MoU with each commitment's progress read from the facts, its budget lines, its sites, its payer
    groups' members this month (and how many are covered), and month by month over the last year the
    registrations and active participants at its outlets (the sites' collector outlets and the groups'
    payers' outlets) from the tallies' monthly roll-ups."""
    today = today or local_date()
    month = Month.from_date(today)
    groups = list(mou.payer_groups.select_related("payer").order_by("code"))
    group_ids = [g.pk for g in groups]
    sites = list(mou.sites.select_related("village", "outlet", "office").order_by("code"))
    members, covered = group_members(group_ids, month)
    commitments = []
    budget = []
    for commitment in mou.commitments.order_by("kind", "id"):
        if commitment.kind == Commitment.Kind.COVER_WORKERS:
            reached, basis = members, "group_members"
            for line in commitment.budget_lines.select_related("payer").order_by("year", "payer__code"):
                budget.append(budget_figures(line, group_ids=group_ids, today=today))
        elif commitment.kind == Commitment.Kind.MARKETS:
            reached = sum(1 for s in sites if s.kind in Site.MARKETS)
            basis = "sites"
        else:
            reached, basis = (1 if commitment.done_on else 0), "regulation_issued"
        commitments.append(CommitmentProgress(commitment, reached, basis))
    outlet_ids = sorted(
        {s.outlet_id for s in sites if s.outlet_id} | {g.payer.outlet_id for g in groups if g.payer.outlet_id}
    )
    return MouReport(
        mou=mou,
        commitments=commitments,
        budget=budget,
        sites=sites,
        groups=groups,
        members=members,
        covered=covered,
        month=month,
        history=outlet_history(outlet_ids, today=today),
    )


def outlet_history(
    outlet_ids: list[int], *, today: date, months: int = HISTORY_MONTHS
) -> list[tuple[Month, int, int]]:
    """(month, registrations, active participants) at the outlets for each of the last ``months`` months
    up to today: registrations from the tallies (roll-ups for whole months), active from the coverage
    deltas' roll-up summed up to each month. One read per month for the active counts."""
    if not outlet_ids:
        return []
    last = Month.from_date(today)
    first = last - (months - 1)
    registered: dict[Month, int] = defaultdict(int)
    for m, _channel, value in readings.registrations_by_month_and_channel(
        first.first_day(), today, outlet_id__in=outlet_ids
    ):
        registered[m] += value
    rows = []
    m = first
    while m <= last:
        active = sum(readings.active_by(m, by="outlet_id", outlet_id__in=outlet_ids).values())
        rows.append((m, registered.get(m, 0), active))
        m += 1
    return rows


# -- sites and the market target ----------------------------------------------------------------------------


@dataclass
class SiteFigures:
    site: Site
    registered: int = 0
    active: int = 0
    collected_30d: int = 0
    deposits_30d: int = 0

    @property
    def reach(self) -> int | None:
        """Registered per trader counted, whole percent; None without a count."""
        if not self.site.traders:
            return None
        return self.registered * 100 // self.site.traders

    def as_dict(self) -> dict:
        s = self.site
        return {
            "code": s.code,
            "name": s.name,
            "kind": s.kind,
            "village": s.village_id,
            "office": s.office.code,
            "mou": s.mou.number if s.mou_id else None,
            "outlet": s.outlet.code if s.outlet_id else None,
            "manager_name": s.manager_name or None,
            "traders": s.traders,
            "traders_counted_on": s.traders_counted_on.isoformat() if s.traders_counted_on else None,
            "registered": self.registered,
            "active": self.active,
            "collected_30d": self.collected_30d,
            "deposits_30d": self.deposits_30d,
        }


def site_figures(sites: list[Site], *, today: date | None = None) -> list[SiteFigures]:
    """Each site with what its collector outlet's tallies say: registered there ever, active this month,
    and the rupiah collected (payments and months bought from deposits) and deposited over the last 30
    days. Three GROUP BY reads (tallies, coverage roll-up, deposits by the outlet index) for all sites."""
    today = today or local_date()
    outlet_ids = sorted({s.outlet_id for s in sites if s.outlet_id})
    flows, active, deposits = {}, {}, {}
    if outlet_ids:
        start = today - timedelta(days=29)
        flows = readings.flows_by(start, today, by="outlet_id", outlet_id__in=outlet_ids)
        active = readings.active_by(Month.from_date(today), by="outlet_id", outlet_id__in=outlet_ids)
        deposits = dict(
            Deposit.objects.filter(
                outlet_id__in=outlet_ids,
                collected_at__gte=start_of_day(start),
                collected_at__lt=start_of_day(today + timedelta(days=1)),
            )
            .values_list("outlet_id")
            .annotate(Sum("amount"))
            .order_by()
        )
    answers = []
    for site in sites:
        f = flows.get(site.outlet_id)
        answers.append(
            SiteFigures(
                site=site,
                registered=f.registered if f else 0,
                active=active.get(site.outlet_id, 0),
                collected_30d=f.collected if f else 0,
                deposits_30d=deposits.get(site.outlet_id, 0) or 0,
            )
        )
    return answers


def daily_collection(
    site: Site, *, today: date | None = None, days: int = COLLECTION_DAYS
) -> list[tuple[date, int, int, int]]:
    """(day, deposits taken, rupiah deposited, rupiah of contributions paid) at the site's collector outlet
    for each of the last ``days`` days, newest first: deposits by the outlet's (outlet, collected_at)
    index, contributions from the daily tallies."""
    if not site.outlet_id:
        return []
    today = today or local_date()
    start = today - timedelta(days=days - 1)
    taken: dict[date, tuple[int, int]] = {}
    rows = Deposit.objects.filter(
        outlet_id=site.outlet_id,
        collected_at__gte=start_of_day(start),
        collected_at__lt=start_of_day(today + timedelta(days=1)),
    ).values_list("collected_at", "amount")
    for moment, amount in rows:
        day = local_date(moment)
        n, s = taken.get(day, (0, 0))
        taken[day] = (n + 1, s + amount)
    paid = dict(
        readings.daily_by_outlet(readings.AMOUNT_COLLECTED, start, today, outlet_ids=[site.outlet_id]).get(
            site.outlet_id, []
        )
    )
    answer = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        n, s = taken.get(day, (0, 0))
        if n or paid.get(day):
            answer.append((day, n, s, paid.get(day, 0)))
    return answer


@dataclass
class BranchMarkets:
    office: Office
    attainment: Attainment
    markets: list[str]

    def as_dict(self) -> dict:
        return {
            "office": self.office.code,
            "name": self.office.name,
            **self.attainment.as_dict(),
            "markets": self.markets,
        }


def market_target(
    *, scope: Scope | None = None, today: date | None = None
) -> tuple[list[BranchMarkets], RuleFigure]:
    """Every branch (in ``scope``) with its government-run markets under an MoU in force today against
    the number required (the rule in force this month): "1 of 2". One GROUP BY over the sites."""
    today = today or local_date()
    required = markets_required(today)
    branches = Office.objects.filter(kind=Office.Kind.BRANCH)
    if scope is not None:
        branches = scope.offices(branches)
    counted = Site.objects.filter(
        kind=Site.Kind.GOVERNMENT_MARKET, mou__valid_from__lte=today, mou__valid_to__gte=today
    ).filter(office_id__in=branches.values("pk"))
    codes: dict[int, list[str]] = defaultdict(list)
    for office_id, code in counted.order_by("code").values_list("office_id", "code"):
        codes[office_id].append(code)
    rows = [
        BranchMarkets(
            office, Attainment(len(codes.get(office.pk, [])), required.value), codes.get(office.pk, [])
        )
        for office in branches.order_by("code")
    ]
    return rows, required


def market_counts(sites: QuerySet) -> dict[str, int]:
    return dict(sites.values_list("kind").annotate(Count("id")).order_by())
