"""Writing targets and the potential market: ``target_set``, ``potential_set``, ``informal_share_set``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jaring.channels.models import Agent, Outlet
from jaring.monitoring.models import InformalShare, PotentialMarket, Target
from jaring.org.models import BranchArea, Office
from jaring.regions.models import Region


def year_period(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@transaction.atomic
def target_set(
    *,
    metric: str,
    start: date,
    end: date,
    value: int,
    office: Office | None = None,
    outlet: Outlet | None = None,
    agent: Agent | None = None,
    segment: str = "BPU",
    note: str = "",
) -> Target:
    """Sets (creates or replaces the value of) the target of one office, outlet or agent for a metric,
    segment and period."""
    errors = {}
    if sum(owner is not None for owner in (office, outlet, agent)) != 1:
        errors["owner"] = [_("A target belongs to exactly one office, outlet or agent.")]
    if metric not in Target.Metric.values:
        errors["metric"] = [
            _("Unknown metric %(m)s: use %(all)s.") % {"m": metric, "all": ", ".join(Target.Metric.values)}
        ]
    if end < start:
        errors["end"] = [_("The period ends before it starts.")]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        errors["value"] = [_("A target is a whole number, zero or more.")]
    if segment and segment not in ("BPU", "PU", "JAKON", "PMI"):
        errors["segment"] = [_("Unknown segment %(s)s.") % {"s": segment}]
    if errors:
        raise ValidationError(errors)
    target, _created = Target.objects.update_or_create(
        office=office,
        outlet=outlet,
        agent=agent,
        metric=metric,
        segment=segment,
        start=start,
        end=end,
        defaults={"value": value, "note": note},
    )
    return target


def served_regencies(office: Office) -> list[str]:
    """The regency/city codes served by the branches in the office's subtree (every regency/city of the
    country for the head office)."""
    if office.parent_id is None:
        return list(Region.objects.filter(level=Region.Level.REGENCY).values_list("code", flat=True))
    return list(
        BranchArea.objects.filter(office__path__startswith=office.path)
        .order_by("regency_id")
        .values_list("regency_id", flat=True)
    )


def spread(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up exactly (largest
    remainder; equal remainders go to the first key)."""
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    shares = {key: divmod(total * weight, weight_sum) for key, weight in weights.items()}
    parts = {key: whole for key, (whole, _remainder) in shares.items()}
    left = total - sum(parts.values())
    for key in sorted(shares, key=lambda k: (-shares[k][1], k))[:left]:
        parts[key] += 1
    return parts


@transaction.atomic
def potential_set(
    *,
    workers: int,
    effective_from: date,
    region: Region | None = None,
    office: Office | None = None,
    source: str = "",
    except_regencies: frozenset[str] = frozenset(),
) -> list[PotentialMarket]:
    """Loads a staff figure of the potential market: for one regency/city, or for an office, spread over
    the regencies/cities its branches serve (minus ``except_regencies``) in proportion to population."""
    if (region is None) == (office is None):
        raise ValidationError({"region": _("Give a regency/city or an office.")})
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 0:
        raise ValidationError({"workers": _("The potential is a whole number of workers, zero or more.")})
    if region is not None:
        if region.level != Region.Level.REGENCY:
            raise ValidationError({"region": _("A potential figure is loaded for a regency/city.")})
        figures = {region.code: workers}
    else:
        codes = [code for code in served_regencies(office) if code not in except_regencies]
        population = dict(
            Region.objects.filter(code__in=codes).values_list("code", "population").order_by("code")
        )
        weights = {code: population.get(code) or 0 for code in codes}
        if not sum(weights.values()):
            raise ValidationError({"office": _("The office serves no regency/city with a population.")})
        figures = spread(workers, weights)
        source = source or _("spread over %(office)s by population") % {"office": office.code}
    rows = []
    for code, figure in figures.items():
        row, _created = PotentialMarket.objects.update_or_create(
            region_id=code, effective_from=effective_from, defaults={"workers": figure, "source": source}
        )
        rows.append(row)
    return rows


def parse_share(text) -> Decimal:
    try:
        share = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError({"share": _("A share is a number between 0 and 1.")}) from error
    exponent = share.as_tuple().exponent
    if not isinstance(exponent, int) or not 0 <= share <= 1:
        raise ValidationError({"share": _("A share is a number between 0 and 1.")})
    if exponent < -4:
        raise ValidationError({"share": _("A share has at most four decimals.")})
    return share


@transaction.atomic
def informal_share_set(*, share: Decimal, effective_from: date, source: str = "") -> InformalShare:
    """Sets the informal-worker share of the population in force from ``effective_from``."""
    share = parse_share(share)
    row, _created = InformalShare.objects.update_or_create(
        effective_from=effective_from, defaults={"share": share, "source": source}
    )
    return row
