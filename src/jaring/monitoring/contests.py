"""Writing contests: ``contest_define`` creates or updates one from its declaration (the YAML of
``jaring contest define``); ``contest_outlets`` says which outlets take part."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jaring.channels.models import Outlet
from jaring.monitoring.models import Contest, ContestPeriod, ContestPrize

SPEC_KEYS = {"code", "name", "metric", "segment", "outlets", "periods", "prizes", "tie_break", "note"}
SELECTOR_KEYS = {"partner", "codes", "region"}


def contest_outlets(contest: Contest) -> QuerySet[Outlet]:
    """The eligible outlets: those matching every selector of the contest (partner code or kind, region
    code prefix, explicit list), resolved now."""
    outlets = Outlet.objects.all()
    if contest.partner:
        outlets = outlets.filter(Q(partner__code__iexact=contest.partner) | Q(partner__kind=contest.partner))
    if contest.region_prefix:
        prefix = contest.region_prefix.rstrip(".")
        outlets = outlets.filter(Q(region__code=prefix) | Q(region__code__startswith=f"{prefix}."))
    if contest.pk and contest.outlets.exists():
        outlets = outlets.filter(pk__in=contest.outlets.values("pk"))
    return outlets.order_by("code")


def parse_rupiah(value, field: str) -> int:
    """A prize as written in a declaration: ``20000000``, ``20_000_000`` or ``"Rp20.000.000"``."""
    if isinstance(value, bool):
        raise ValidationError({field: _("A prize is a whole number of rupiah.")})
    if isinstance(value, int):
        amount = value
    else:
        text = str(value).strip().removeprefix("Rp").replace(".", "").replace(",", "").replace(" ", "")
        if not text.isdigit():
            raise ValidationError(
                {field: _("A prize is a whole number of rupiah, not %(v)s.") % {"v": value}}
            )
        amount = int(text)
    if amount < 0:
        raise ValidationError({field: _("A prize cannot be negative.")})
    return amount


def _day(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise ValidationError(
            {field: _("Write the date as YYYY-MM-DD, not %(v)s.") % {"v": value}}
        ) from error


def _periods(spec: dict) -> list[tuple[str, date, date, list[int]]]:
    periods = spec.get("periods") or []
    if not isinstance(periods, list) or not periods:
        raise ValidationError({"periods": _("A contest needs at least one period.")})
    default_prizes = spec.get("prizes") or []
    found = []
    for number, period in enumerate(periods, start=1):
        if not isinstance(period, dict) or not period.get("code"):
            raise ValidationError({"periods": _("Period %(n)s needs a code.") % {"n": number}})
        code = str(period["code"])
        start = _day(period.get("start"), f"periods.{code}.start")
        end = _day(period.get("end"), f"periods.{code}.end")
        if end < start:
            raise ValidationError({f"periods.{code}": _("The period ends before it starts.")})
        prizes = [
            parse_rupiah(value, f"periods.{code}.prizes")
            for value in (period.get("prizes") if "prizes" in period else default_prizes) or []
        ]
        found.append((code, start, end, prizes))
    found.sort(key=lambda item: item[1])
    codes = [item[0] for item in found]
    if len(set(codes)) != len(codes):
        raise ValidationError({"periods": _("Two periods have the same code.")})
    for before, after in pairwise(found):
        if after[1] <= before[2]:
            raise ValidationError(
                {"periods": _("Periods %(a)s and %(b)s overlap.") % {"a": before[0], "b": after[0]}}
            )
    return found


@transaction.atomic
def contest_define(*, spec: dict) -> Contest:
    """Creates the contest ``spec["code"]`` or brings it in line with ``spec``: name, metric, eligible
    outlets, periods (matched by code; periods no longer declared are removed) and prize tables."""
    if not isinstance(spec, dict):
        raise ValidationError(
            _("A contest is declared as a mapping of code, name, metric, outlets, periods.")
        )
    if unknown := sorted(set(spec) - SPEC_KEYS):
        raise ValidationError({"contest": _("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)}})
    code, name = str(spec.get("code") or "").strip(), str(spec.get("name") or "").strip()
    errors = {}
    if not code:
        errors["code"] = [_("A contest needs a code.")]
    if not name:
        errors["name"] = [_("A contest needs a name.")]
    metric = spec.get("metric", Contest.Metric.NEW_REGISTRATIONS)
    if metric not in Contest.Metric.values:
        errors["metric"] = [
            _("Unknown metric %(m)s: use %(all)s.") % {"m": metric, "all": ", ".join(Contest.Metric.values)}
        ]
    tie_break = spec.get("tie_break", Contest.TieBreak.FIRST_TO_REACH)
    if tie_break not in Contest.TieBreak.values:
        errors["tie_break"] = [_("Unknown tie-break %(t)s.") % {"t": tie_break}]
    selector = spec.get("outlets") or {}
    if not isinstance(selector, dict) or not selector or set(selector) - SELECTOR_KEYS:
        errors["outlets"] = [_("Choose outlets by partner, codes or region, e.g. {partner: pos}.")]
        selector = {}
    if errors:
        raise ValidationError(errors)
    periods = _periods(spec)
    codes = [str(c) for c in selector.get("codes") or []]
    outlets = list(Outlet.objects.filter(code__in=codes))
    if missing := sorted(set(codes) - {outlet.code for outlet in outlets}):
        raise ValidationError({"outlets": _("Unknown outlets: %(codes)s.") % {"codes": ", ".join(missing)}})
    contest, _created = Contest.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "metric": metric,
            "segment": str(spec.get("segment", "BPU") or ""),
            "partner": str(selector.get("partner") or ""),
            "region_prefix": str(selector.get("region") or ""),
            "tie_break": tie_break,
        },
    )
    contest.outlets.set(outlets)
    contest.periods.exclude(code__in=[item[0] for item in periods]).delete()
    for period_code, start, end, prizes in periods:
        period, _created = ContestPeriod.objects.update_or_create(
            contest=contest, code=period_code, defaults={"start": start, "end": end}
        )
        period.prizes.all().delete()
        ContestPrize.objects.bulk_create(
            ContestPrize(period=period, rank=rank, amount=amount)
            for rank, amount in enumerate(prizes, start=1)
        )
    return contest
