"""The Paritrana score's writes: a weight set from a month (``paritrana_weights_set``) and the panel's
interview score of a region and year (``interview_set``). One path for the pages, the CLI, the back
office and the demo; every field is judged first, every problem told at once per field with a stable
code, and nothing is written when any is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.accounts.services import audited_save
from jaring.common.clock import local_date
from jaring.common.errors import Problem, problems_error
from jaring.outreach import paritrana
from jaring.outreach.models import OutreachRule, PanelInterview
from jaring.outreach.paritrana_queries import LEVELS, regions_in_scope
from jaring.regions.models import Region
from jaring.rules.months import Month

FIRST_YEAR = 2017  # the first Paritrana Award (DOMAIN.md)
STAFF_SOURCE = "set by staff, no official weights found"


def weights_problems(weights: Mapping, full_marks: Mapping | None = None) -> tuple[dict, dict, list[Problem]]:
    """Reads a weight for every criterion (a percentage, 0..100, at most two decimals) and, when given,
    the full marks (above 0): the parsed weights and full marks and the problems, per field (the
    criterion's name; ``weights`` for a set that does not add up to 100 %)."""
    problems: list[Problem] = []
    parsed: dict[str, Decimal] = {}
    weights = weights if isinstance(weights, Mapping) else {}
    for name in paritrana.CRITERIA:
        raw = weights.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            problems.append(Problem(name, "required", _("The weight is required.")))
            continue
        number = paritrana.parse_number(raw)
        if number is None:
            problems.append(Problem(name, "invalid", _("Enter a number with at most two decimals.")))
        elif not 0 <= number <= 100:
            problems.append(Problem(name, "range", _("A weight is between 0 and 100 %.")))
        else:
            parsed[name] = number
    unknown = sorted(set(weights) - set(paritrana.CRITERIA))
    if unknown:
        problems.append(
            Problem("weights", "unknown", _("Unknown criterion %(names)s.") % {"names": ", ".join(unknown)})
        )
    if len(parsed) == len(paritrana.CRITERIA) and (total := paritrana.weights_total(parsed)) != 100:
        problems.append(
            Problem(
                "weights",
                "sum",
                _("The weights add up to %(total)s %%, not 100 %%.") % {"total": total.normalize()},
            )
        )
    full: dict[str, Decimal] = {}
    if full_marks is not None:
        marks = full_marks if isinstance(full_marks, Mapping) else {}
        for name in paritrana.CRITERIA:
            number = paritrana.parse_number(marks.get(name))
            if number is None or number <= 0:
                problems.append(Problem(f"full_{name}", "invalid", _("Full marks are a number above 0.")))
            else:
                full[name] = number
    return parsed, full, problems


def paritrana_data_check(data) -> None:
    """The data of a ``paritrana`` outreach rule (the back office): ``weights`` and ``full_marks`` for
    every criterion, the weights adding up to 100. Raises a per-field ``ValidationError``."""
    data = data if isinstance(data, Mapping) else {}
    _weights, _full, problems = weights_problems(data.get("weights") or {}, data.get("full_marks") or {})
    if problems:
        raise problems_error([Problem("data", p.code, f"{p.field}: {p.message}") for p in problems])


def _as_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


@transaction.atomic
def paritrana_weights_set(
    *,
    weights: Mapping,
    valid_from,
    full_marks: Mapping | None = None,
    source: str = "",
    note: str = "",
    actor=None,
) -> OutreachRule:
    """Puts a weight set in force from the month ``valid_from`` (a ``Month`` or ``YYYY-MM``): a new
    ``paritrana`` rule, or the one starting that month corrected. The full marks are those in force then
    unless given. Per-field ``ValidationError`` (a weight missing, not a number, outside 0..100, a set
    not adding up to 100 %, a bad month); nothing written then."""
    from jaring.outreach.paritrana_queries import weights_in_force

    parsed, full, problems = weights_problems(weights, full_marks)
    month = None
    if isinstance(valid_from, Month):
        month = valid_from
    else:
        try:
            month = Month.parse(str(valid_from or "").strip())
        except (ValueError, TypeError):
            problems.append(Problem("valid_from", "invalid", _("Enter a month as YYYY-MM.")))
    if month is not None and month.year < FIRST_YEAR:
        problems.append(
            Problem("valid_from", "invalid", _("Paritrana started in %(year)s.") % {"year": FIRST_YEAR})
        )
        month = None
    if not full and month is not None and not problems:
        current = weights_in_force(month)
        if current is None:
            problems.append(Problem("full_marks", "required", _("No full marks are in force: give them.")))
        else:
            full = current.full
    if problems:
        raise problems_error(problems)
    data = {
        "weights": {name: _as_text(parsed[name]) for name in paritrana.CRITERIA},
        "full_marks": {name: _as_text(full[name]) for name in paritrana.CRITERIA},
    }
    rule = OutreachRule.objects.filter(kind=OutreachRule.Kind.PARITRANA, valid_from=month).first()
    if rule is None:
        rule = OutreachRule(kind=OutreachRule.Kind.PARITRANA, code=f"paritrana-{month}", valid_from=month)
    rule.data = data
    rule.source = (source or "").strip()[:200] or STAFF_SOURCE
    rule.note = (note or "").strip()
    rule.uncertain = True
    what = Said(gettext_noop("Paritrana weights from %(month)s saved"), {"month": str(month)})
    return audited_save(rule, actor=actor, summary="", what=what)


@transaction.atomic
def interview_set(
    *, region_code, year, score, note: str = "", actor=None, scope=None, now: datetime | None = None
) -> PanelInterview:
    """Records the panel's interview score (0..100, at most two decimals) of a province or regency/city
    (in ``scope`` when given) for a year from 2017 up to this one; a second entry for the same region and
    year replaces the first (audited before and after)."""
    problems: list[Problem] = []
    code = (region_code or "").strip() if isinstance(region_code, str) else ""
    region = None
    if not code:
        problems.append(Problem("region", "required", _("The region is required.")))
    else:
        region = Region.objects.filter(code=code).first()
        if region is None:
            problems.append(
                Problem("region", "unknown", _("Region %(code)s does not exist.") % {"code": code})
            )
        elif region.level not in LEVELS:
            problems.append(
                Problem("region", "level", _("Paritrana scores provinces and regencies/cities only."))
            )
            region = None
        elif scope is not None and not regions_in_scope(scope).filter(code=code).exists():
            problems.append(
                Problem("region", "outside", _("Region %(code)s is outside your area.") % {"code": code})
            )
            region = None
    today = local_date(now)
    try:
        year_number = int(str(year).strip())
    except (TypeError, ValueError):
        problems.append(Problem("year", "invalid", _("Enter a year.")))
        year_number = None
    if year_number is not None and not FIRST_YEAR <= year_number <= today.year:
        problems.append(
            Problem(
                "year",
                "invalid",
                _("A year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": today.year},
            )
        )
    number = paritrana.parse_number(score)
    if score is None or (isinstance(score, str) and not score.strip()):
        problems.append(Problem("score", "required", _("The interview score is required.")))
    elif number is None:
        problems.append(Problem("score", "invalid", _("Enter a number with at most two decimals.")))
    elif not 0 <= number <= 100:
        problems.append(Problem("score", "range", _("An interview score is between 0 and 100.")))
    note = " ".join(str(note or "").split())
    if len(note) > 300:
        problems.append(
            Problem("note", "invalid", _("The text is longer than %(most)s characters.") % {"most": 300})
        )
    if problems:
        raise problems_error(problems)
    stored = PanelInterview.objects.select_for_update().filter(region=region, year=year_number).first()
    before = PanelInterview.objects.filter(pk=stored.pk).values().get() if stored else None
    entered_by = user_of(actor)
    interview = stored or PanelInterview(region=region, year=year_number)
    interview.score, interview.note = number, note
    interview.entered_at = now or timezone.now()
    interview.entered_by = entered_by if getattr(entered_by, "pk", None) else None
    interview.save()
    said = Said(
        gettext_noop("Paritrana interview of %(region)s for %(year)s: %(score)s"),
        {"region": region.code, "year": year_number, "score": str(number)},
    )
    audit(
        actor, "update" if stored else "create", obj=interview, before=before, after=interview, summary=said
    )
    return interview
