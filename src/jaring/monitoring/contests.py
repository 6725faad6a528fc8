"""Contests as declared: ``contest_outlets`` says which outlets take part; ``parse_rupiah`` and
``contest_periods`` read a declaration (the YAML of ``jaring contest define``), which
``monitoring.services.contest_define`` writes."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jaring.channels.models import Outlet
from jaring.monitoring.models import Contest

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


def contest_periods(spec: dict) -> list[tuple[str, date, date, list[int]]]:
    """The declared periods as ``(code, start, end, prizes)`` in date order, checked: codes unique, no
    overlap, prizes in whole rupiah (a period without its own prizes takes the contest's)."""
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
