"""Informal workers by how permanent their work is (``members.Permanence``: a market trader keeps a stall
for years, an ojek driver moves, a farm labourer works by the season), and the segments a branch has not
reached yet.

For each regency/city a branch serves and each permanence class: the **potential** (the regency's informal
workers, the staff figure in force or the population estimate of ``progress.office_market``, times the
class's share in force, ``PermanenceShare``: the regency's own figure, else the default), the informal
participants **registered** there in that class and those **active** (their standing today), and the
**unreached** (potential minus registered, never below nothing), ranked from the largest. Every line
carries its arithmetic.

The counts are one GROUP BY over the branch's informal participants (found by the participants' branch
index, with their standing): a read of one branch, growing with its participants, not the country's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Substr

from jaring.members.models import Participant, Permanence
from jaring.monitoring.models import PermanenceShare
from jaring.monitoring.progress import informal_share, staff_potentials
from jaring.monitoring.targets import served_regencies
from jaring.org.models import Office
from jaring.org.queries import office_subtree
from jaring.regions.models import Region
from jaring.rules.money import round_half_up

CLASSES = tuple(Permanence.values)


@dataclass(frozen=True)
class Share:
    permanence: str
    share: Decimal
    source: str
    uncertain: bool
    regional: bool  # the regency's own figure (else the default)


def shares_in_force(regencies: list[str], as_of: date) -> dict[str, dict[str, Share]]:
    """Regency -> permanence -> the share in force on ``as_of``: the regency's own latest figure where
    staff set one, else the latest default."""
    rows = PermanenceShare.objects.filter(effective_from__lte=as_of).filter(
        Q(region__isnull=True) | Q(region_id__in=regencies)
    )
    default: dict[str, Share] = {}
    own: dict[str, dict[str, Share]] = {}
    for row in rows.order_by("effective_from"):  # the latest in force wins
        share = Share(row.permanence, row.share, row.source, row.uncertain, row.region_id is not None)
        if row.region_id is None:
            default[row.permanence] = share
        else:
            own.setdefault(row.region_id, {})[row.permanence] = share
    return {regency: own.get(regency) or default for regency in regencies}


@dataclass(frozen=True)
class Segment:
    """One regency/city and permanence class of a branch."""

    regency: str
    regency_name: str
    permanence: str
    workers: int  # the regency's informal workers
    workers_source: str  # "staff" or "estimate"
    share: Share | None
    registered: int
    active: int

    @property
    def potential(self) -> int:
        return round_half_up(self.workers * self.share.share) if self.share else 0

    @property
    def unreached(self) -> int:
        return max(self.potential - self.registered, 0)

    def arithmetic(self) -> str:
        if self.share is None:
            return f"no share for {self.permanence}: potential 0; registered {self.registered:,}"
        return (
            f"{self.workers:,} informal workers ({self.workers_source}) x {self.share.share} "
            f"= {self.potential:,} potential - {self.registered:,} registered = {self.unreached:,} unreached"
        )


@dataclass(frozen=True)
class PermanenceReport:
    office: Office
    as_of: date
    segments: tuple[Segment, ...]  # ranked: the most unreached first

    def by_class(self) -> dict[str, tuple[int, int, int]]:
        """Permanence class -> (potential, registered, active) over the branch's regencies."""
        totals = {permanence: [0, 0, 0] for permanence in CLASSES}
        for segment in self.segments:
            row = totals.setdefault(segment.permanence, [0, 0, 0])
            row[0] += segment.potential
            row[1] += segment.registered
            row[2] += segment.active
        return {permanence: tuple(row) for permanence, row in totals.items()}


def regency_workers(regencies: list[str], as_of: date) -> dict[str, tuple[int, str]]:
    """Regency -> (informal workers, "staff" or "estimate"): the staff figure in force, else population x
    the employed per resident x the informal share in force (``progress.office_market``'s rule)."""
    staff = {code: row.workers for code, row in staff_potentials(as_of, regencies).items()}
    share = informal_share(as_of)
    found = {}
    for code, population in Region.objects.filter(code__in=regencies).values_list("code", "population"):
        if code in staff:
            found[code] = (staff[code], "staff")
        elif share is not None:
            found[code] = (round_half_up(share.share * share.employed * (population or 0)), "estimate")
        else:
            found[code] = (0, "estimate")
    return found


def permanence_report(office: Office, *, as_of: date) -> PermanenceReport:
    """The branch's segments by regency/city and permanence class, the most unreached first."""
    regencies = served_regencies(office)
    names = dict(Region.objects.filter(code__in=regencies).values_list("code", "name"))
    workers = regency_workers(regencies, as_of)
    shares = shares_in_force(regencies, as_of)
    counts = (
        Participant.objects.filter(office__in=office_subtree(office), segment=Participant.Segment.BPU)
        .annotate(regency=Substr("village_id", 1, 5))
        .values_list("regency", "permanence")
        .annotate(
            registered=Count("pk"),
            active=Count("pk", filter=Q(standing__status=Participant.Status.ACTIVE)),
        )
        .order_by()
    )
    counted = {(regency, permanence): (n, active) for regency, permanence, n, active in counts}
    segments = [
        Segment(
            regency=regency,
            regency_name=names.get(regency, regency),
            permanence=permanence,
            workers=workers.get(regency, (0, "estimate"))[0],
            workers_source=workers.get(regency, (0, "estimate"))[1],
            share=shares.get(regency, {}).get(permanence),
            registered=counted.get((regency, permanence), (0, 0))[0],
            active=counted.get((regency, permanence), (0, 0))[1],
        )
        for regency in regencies
        for permanence in CLASSES
    ]
    segments.sort(key=lambda s: (-s.unreached, s.regency, CLASSES.index(s.permanence)))
    return PermanenceReport(office=office, as_of=as_of, segments=tuple(segments))


def segment_as_dict(segment: Segment) -> dict:
    return {
        "regency": segment.regency,
        "regency_name": segment.regency_name,
        "permanence": segment.permanence,
        "informal_workers": segment.workers,
        "workers_source": segment.workers_source,
        "share": None if segment.share is None else str(segment.share.share),
        "share_source": None if segment.share is None else segment.share.source,
        "share_uncertain": None if segment.share is None else segment.share.uncertain,
        "potential": segment.potential,
        "registered": segment.registered,
        "active": segment.active,
        "unreached": segment.unreached,
        "arithmetic": segment.arithmetic(),
    }
