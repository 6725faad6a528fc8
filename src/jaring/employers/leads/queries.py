"""Reads of leads that the pages, the CLI and the reports share: who sees which lead, finding one by its
number, and the hand-over yield per outlet and branch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When

from jaring.accounts.scope import Scope
from jaring.channels.models import Outlet
from jaring.common.clock import start_of_day
from jaring.employers.models import EmployerBillPayment, Employment, Lead
from jaring.org.models import Office
from jaring.org.queries import in_office_subtree
from jaring.rules.business_ids import IdentifierError, parse_nib
from jaring.rules.employer_number import employer_seq
from jaring.rules.months import Month


def leads_in_scope(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    """The leads a user may see: national roles all; office staff the leads their subtree handed over
    or handed to an outlet reporting to it; a teller the leads handed to their outlet (and its child
    outlets); nobody else any."""
    qs = Lead.objects.all() if qs is None else qs
    if scope.is_national:
        return qs
    if scope.office is not None:
        return qs.filter(
            in_office_subtree(scope.office, via="office")
            | in_office_subtree(scope.office, via="outlet__office")
        )
    if scope.outlet is not None:
        return qs.filter(outlet_id__in=scope.outlet_ids)
    return qs.none()


def lead_seq(text: str) -> int | None:
    """The id inside a lead number (``L000000018``; the L may be left out or lower case), or None when
    the text is not one (a mistyped check digit included)."""
    text = (text or "").strip().upper().removeprefix("L")
    try:
        return employer_seq(text)
    except ValueError:
        return None


def lead_find(text: str, queryset: QuerySet | None = None) -> Lead | None:
    """The lead with this number among ``queryset`` (default: all), or the lead of the company with
    this NIB (its open lead, else its latest); None when there is none."""
    qs = (Lead.objects.all() if queryset is None else queryset).select_related(
        "office", "outlet", "employer", "village"
    )
    seq = lead_seq(text)
    if seq is not None:
        return qs.filter(pk=seq).first()
    try:
        nib = parse_nib(text or "")
    except IdentifierError:
        return None
    return qs.filter(nib=nib).order_by(_open_first(), "-handed_at", "-id").first()


def _open_first():
    return Case(When(status__in=Lead.OPEN, then=Value(0)), default=Value(1))


def lead_as_dict(lead: Lead, *, show_phone=None) -> dict:
    """What the CLI's JSON and the pages' exports say of a lead (``show_phone`` masks the phone for
    roles that may not see it)."""
    return {
        "number": lead.number,
        "name": lead.name,
        "nib": lead.nib or None,
        "contact_name": lead.contact_name or None,
        "phone": (show_phone(lead.phone) if show_phone else lead.phone) or None,
        "village_code": lead.village_id,
        "office": lead.office.code,
        "outlet": lead.outlet.code,
        "status": lead.status,
        "status_changed_at": lead.status_changed_at.isoformat(),
        "note": lead.note or None,
        "employer": lead.employer.number if lead.employer_id else None,
        "handed_at": lead.handed_at.isoformat(),
    }


# -- the yield of hand-overs ------------------------------------------------------------------------------


@dataclass
class YieldRow:
    """What the leads handed over in a period became, for one outlet or branch (or all of them)."""

    code: str
    name: str
    handed: int = 0
    not_contacted: int = 0
    contacted: int = 0
    registered: int = 0
    declined: int = 0
    workers: int = 0
    paid: int = 0

    @property
    def open(self) -> int:
        return self.not_contacted + self.contacted

    @property
    def conversion(self) -> Decimal | None:
        """Registered per lead handed over, in percent half-up to 0.1; None when none was handed."""
        if not self.handed:
            return None
        return (Decimal(self.registered * 100) / self.handed).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "handed": self.handed,
            "contacted": self.contacted,
            "registered": self.registered,
            "declined": self.declined,
            "open": self.open,
            "conversion": str(self.conversion) if self.conversion is not None else None,
            "workers": self.workers,
            "paid": self.paid,
        }


@dataclass
class LeadYield:
    start: date
    end: date
    outlets: list[YieldRow]
    branches: list[YieldRow]
    total: YieldRow

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "outlets": [row.as_dict() for row in self.outlets],
            "branches": [row.as_dict() for row in self.branches],
            "total": self.total.as_dict(),
        }


def lead_yield(
    *,
    office: Office | None = None,
    outlet: Outlet | None = None,
    start: date,
    end: date,
    scope: Scope | None = None,
) -> LeadYield:
    """The leads handed over from ``start`` to ``end`` (days in Jakarta, both included), by their status
    now, per outlet they were handed to and per branch that handed them over: ``office`` keeps the
    leads of that office subtree (handed by it or to its outlets), ``outlet`` those handed to that
    outlet; ``scope`` narrows to what a user sees. For the leads
    registered: the workers their employers employ on ``end`` (jobs running in its month) and what
    those employers paid on their bills up to ``end``. Three GROUP BY statements whatever the number of
    leads."""
    cohort = Lead.objects.filter(
        handed_at__gte=start_of_day(start), handed_at__lt=start_of_day(end + timedelta(days=1))
    )
    if office is not None:
        cohort = cohort.filter(
            in_office_subtree(office, via="office") | in_office_subtree(office, via="outlet__office")
        )
    if outlet is not None:
        cohort = cohort.filter(outlet=outlet)
    if scope is not None:
        cohort = leads_in_scope(scope, cohort)

    keys = ("outlet_id", "outlet__code", "outlet__name", "office_id", "office__code", "office__name")
    counts = cohort.order_by().values(*keys, "status").annotate(n=Count("id"))
    month = Month.from_date(end)
    running = Q(first_month__lte=month) & (Q(last_month__isnull=True) | Q(last_month__gte=month))
    converted = cohort.filter(status=Lead.Status.REGISTERED)
    workers = (
        Employment.objects.filter(running, employer__leads__in=converted.values("pk"))
        .order_by()
        .values(outlet=F("employer__leads__outlet_id"), office=F("employer__leads__office_id"))
        .annotate(n=Count("id"))
    )
    paid = (
        EmployerBillPayment.objects.filter(
            paid_at__lt=start_of_day(end + timedelta(days=1)),
            bill__employer__leads__in=converted.values("pk"),
        )
        .order_by()
        .values(outlet=F("bill__employer__leads__outlet_id"), office=F("bill__employer__leads__office_id"))
        .annotate(amount=Sum("amount"))
    )

    by_outlet: dict[int, YieldRow] = {}
    by_office: dict[int, YieldRow] = {}
    total = YieldRow(code="", name="")
    for row in counts:
        places = (
            by_outlet.setdefault(row["outlet_id"], YieldRow(row["outlet__code"], row["outlet__name"])),
            by_office.setdefault(row["office_id"], YieldRow(row["office__code"], row["office__name"])),
            total,
        )
        status = "not_contacted" if row["status"] == Lead.Status.HANDED_OVER else row["status"]
        for place in places:
            place.handed += row["n"]
            setattr(place, status, getattr(place, status) + row["n"])
    for row in workers:
        for place in (by_outlet[row["outlet"]], by_office[row["office"]], total):
            place.workers += row["n"]
    for row in paid:
        for place in (by_outlet[row["outlet"]], by_office[row["office"]], total):
            place.paid += row["amount"] or 0
    return LeadYield(
        start=start,
        end=end,
        outlets=sorted(by_outlet.values(), key=lambda r: r.code),
        branches=sorted(by_office.values(), key=lambda r: r.code),
        total=total,
    )
