"""Every write of monitoring: targets, the potential market and the informal share, and contests. One
function per action, keyword-only, one transaction each, audited as done by ``actor`` (a request, a user,
or None for the command line, which says who in ``summary``).

Tallies are written with the facts by ``tallies.writer.TallyBatch`` and rebuilt by
``tallies.services.tallies_rebuild``, not here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, snapshot, user_of
from jaring.accounts.models import Action
from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date
from jaring.common.errors import error_dict
from jaring.members.models import Permanence
from jaring.monitoring.closing import close_refusal
from jaring.monitoring.contests import SELECTOR_KEYS, SPEC_KEYS, contest_periods
from jaring.monitoring.models import (
    Contest,
    ContestPeriod,
    ContestPrize,
    ContestStanding,
    InformalShare,
    PermanenceShare,
    PotentialMarket,
    Target,
)
from jaring.monitoring.targets import parse_share, served_regencies, spread
from jaring.org.models import Office
from jaring.regions.models import Region


def _said(message: str, values: dict, summary: str) -> Said:
    """The audit summary: what was done (``message``, marked with ``gettext_noop``, and its values), then
    who or why as the caller put it."""
    return Said(message, values).noted(summary)


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
    actor=None,
    summary: str = "",
) -> Target:
    """Sets (creates or replaces the value of) the target of one office, outlet or agent for a metric,
    segment and period. Audited as done by ``actor`` (a request, a user, or None for the command line:
    say who in ``summary``)."""
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
    before = Target.objects.filter(
        office=office, outlet=outlet, agent=agent, metric=metric, segment=segment, start=start, end=end
    ).first()
    before = snapshot(before)
    target, created = Target.objects.update_or_create(
        office=office,
        outlet=outlet,
        agent=agent,
        metric=metric,
        segment=segment,
        start=start,
        end=end,
        defaults={"value": value, "note": note},
    )
    audit(
        actor,
        Action.CREATE if created else Action.UPDATE,
        obj=target,
        before=before,
        after=target,
        summary=_said(
            gettext_noop("target %(target)s: %(value)s"), {"target": str(target), "value": value}, summary
        ),
    )
    return target


@transaction.atomic
def target_delete(*, target: Target, actor=None, summary: str = "") -> None:
    """Removes a target (one set by mistake); the progress pages stop showing it."""
    before = snapshot(target)
    described = str(target)
    audit(
        actor,
        Action.DELETE,
        obj=target,
        before=before,
        summary=_said(gettext_noop("target %(target)s"), {"target": described}, summary),
    )
    target.delete()


def permanence_shares_set(
    *, shares: dict[str, object], effective_from: date, region_code: str = "", source: str = "", actor=None
) -> list[PermanenceShare]:
    """Sets the share of informal workers in each permanence class from ``effective_from``: for one
    regency/city (``region_code``, staff's figure, which wins there) or as the default of every regency.
    Every class is given and the shares add up to 1; otherwise a per-field error and nothing saved.
    Audited."""
    problems: dict[str, list[str]] = {}
    values: dict[str, Decimal] = {}
    for permanence in Permanence.values:
        try:
            values[permanence] = parse_share(shares.get(permanence, ""))
        except ValidationError:
            problems[permanence] = [_("A share is a number between 0 and 1, with at most four decimals.")]
    if unknown := sorted(set(shares) - set(Permanence.values)):
        problems["shares"] = [_("Unknown classes: %(names)s.") % {"names": ", ".join(unknown)}]
    if not problems and sum(values.values()) != 1:
        problems["shares"] = [
            _("The shares add up to %(sum)s, not 1.") % {"sum": format(sum(values.values()), "f")}
        ]
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code, level=Region.Level.REGENCY).first()
        if region is None:
            problems["region"] = [_("No regency or city has the code %(code)s.") % {"code": region_code}]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        rows = [
            PermanenceShare.objects.update_or_create(
                region=region, permanence=permanence, effective_from=effective_from,
                defaults={"share": share, "source": source.strip()[:255], "uncertain": False},
            )[0]
            for permanence, share in values.items()
        ]  # fmt: skip
        audit(
            actor,
            Action.UPDATE,
            obj=PermanenceShare,
            after={"region": region_code or None, "effective_from": effective_from, "shares": values},
            summary=Said(
                gettext_noop("informal workers by permanence in %(where)s from %(day)s"),
                {"where": region_code or "*", "day": str(effective_from)},
            ),
        )
    return rows


@transaction.atomic
def potential_set(
    *,
    workers: int,
    effective_from: date,
    region: Region | None = None,
    office: Office | None = None,
    source: str = "",
    except_regencies: frozenset[str] = frozenset(),
    actor=None,
    summary: str = "",
) -> list[PotentialMarket]:
    """Loads a staff figure of the potential market: for one regency/city, or for an office, spread over
    the regencies/cities its branches serve (minus ``except_regencies``) in proportion to population.
    Audited as one entry by ``actor``."""
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
    where = region.code if region is not None else office.code
    audit(
        actor,
        Action.UPDATE,
        obj=rows[0] if len(rows) == 1 else PotentialMarket,
        after={"workers": workers, "effective_from": effective_from, "regions": figures},
        summary=_said(
            gettext_noop("potential market of %(where)s: %(workers)s workers from %(day)s"),
            {"where": where, "workers": workers, "day": str(effective_from)},
            summary,
        ),
    )
    return rows


@transaction.atomic
def informal_share_set(
    *,
    share: Decimal,
    effective_from: date,
    employed: Decimal | str = "1",
    source: str = "",
    actor=None,
    summary: str = "",
) -> InformalShare:
    """Sets, from ``effective_from``, the informal share of the employed (``share``) and the employed per
    resident (``employed``; 1 when the share is already one of the whole population)."""
    share, employed = parse_share(share), parse_share(employed)
    if employed == 0:
        raise error_dict("employed", _("The employed per resident is above 0."))
    before = snapshot(InformalShare.objects.filter(effective_from=effective_from).first())
    row, created = InformalShare.objects.update_or_create(
        effective_from=effective_from, defaults={"share": share, "employed": employed, "source": source}
    )
    audit(
        actor,
        Action.CREATE if created else Action.UPDATE,
        obj=row,
        before=before,
        after=row,
        summary=_said(
            gettext_noop("informal share %(share)s, employed %(employed)s, from %(day)s"),
            {"share": str(share), "employed": str(employed), "day": str(effective_from)},
            summary,
        ),
    )
    return row


@transaction.atomic
def contest_define(*, spec: dict, actor=None, summary: str = "") -> Contest:
    """Creates the contest ``spec["code"]`` or brings it in line with ``spec``: name, metric, eligible
    outlets, periods (matched by code; periods no longer declared are removed) and prize tables. Audited
    as done by ``actor`` with the declaration as the record's after."""
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
    periods = contest_periods(spec)
    codes = [str(c) for c in selector.get("codes") or []]
    outlets = list(Outlet.objects.filter(code__in=codes))
    if missing := sorted(set(codes) - {outlet.code for outlet in outlets}):
        raise ValidationError({"outlets": _("Unknown outlets: %(codes)s.") % {"codes": ", ".join(missing)}})
    before = snapshot(Contest.objects.filter(code=code).first())
    contest, created = Contest.objects.update_or_create(
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
    closed = _closed_periods_kept(contest, periods)
    contest.periods.exclude(code__in=[item[0] for item in periods]).delete()
    for period_code, start, end, prizes in periods:
        if period_code in closed:
            continue  # closed: as it was (``_closed_periods_kept`` refused any change)
        period, _created = ContestPeriod.objects.update_or_create(
            contest=contest, code=period_code, defaults={"start": start, "end": end}
        )
        period.prizes.all().delete()
        ContestPrize.objects.bulk_create(
            ContestPrize(period=period, rank=rank, amount=amount)
            for rank, amount in enumerate(prizes, start=1)
        )
    audit(
        actor,
        Action.CREATE if created else Action.UPDATE,
        obj=contest,
        before=before,
        after={**snapshot(contest), "periods": [[p[0], p[1], p[2], p[3]] for p in periods]},
        summary=_said(
            gettext_noop("contest %(code)s (%(periods)s periods)"),
            {"code": contest.code, "periods": len(periods)},
            summary,
        ),
    )
    return contest


def _closed_periods_kept(contest: Contest, declared: list[tuple]) -> set[str]:
    """Refuses a declaration that would remove a closed period or change its days or prizes: its
    winners are final. Returns the codes of the closed periods."""
    by_code = {item[0]: item for item in declared}
    closed = list(contest.periods.filter(closed_at__isnull=False).prefetch_related("prizes"))
    for period in closed:
        item = by_code.get(period.code)
        prizes = [prize.amount for prize in period.prizes.order_by("rank")]
        if item is None or (item[1], item[2], list(item[3])) != (period.start, period.end, prizes):
            raise ValidationError(
                {
                    "periods": _(
                        "Period %(p)s is closed: its days and prizes stay as they were when it closed."
                    )
                    % {"p": period.code}
                }
            )
    return {period.code for period in closed}


@transaction.atomic
def contest_period_close(
    *, period: ContestPeriod, actor=None, summary: str = "", today: date | None = None
) -> ContestPeriod:
    """Closes a period that is over: keeps every eligible outlet's standing as it is now (its value,
    what late records of earlier closed periods carried into it, its rank and prize) and makes its winners
    final. Periods close in order. From then on a late record dated in it is credited to the first
    period still open (``monitoring.closing``). Audited as done by ``actor``."""
    from jaring.monitoring.queries import contest_leaderboard

    period = ContestPeriod.objects.select_for_update().select_related("contest").get(pk=period.pk)
    refusal = close_refusal(period, list(period.contest.periods.all()), today or local_date())
    if refusal:
        raise ValidationError({"period": refusal})
    board = contest_leaderboard(period.contest, period, as_of=today or local_date())
    outlets = dict(
        Outlet.objects.filter(code__in=[row.outlet for row in board.rows]).values_list("code", "pk")
    )
    ContestStanding.objects.bulk_create(
        ContestStanding(
            period=period,
            outlet_id=outlets[row.outlet],
            rank=row.rank,
            value=row.value,
            counted=row.value - row.carried,
            carried=row.carried,
            prize=row.prize,
            shared=row.shared,
            reached=row.reached,
        )
        for row in board.rows
    )
    user = user_of(actor)
    period.closed_at = timezone.now()
    period.closed_by = user if getattr(user, "pk", None) else None
    period.save(update_fields=["closed_at", "closed_by"])
    winners = ", ".join(f"{row.rank}. {row.outlet} {row.value:,}" for row in board.winners) or "-"
    audit(
        actor,
        Action.UPDATE,
        obj=period,
        after={"closed_at": period.closed_at, "standings": len(board.rows), "carried": board.carried},
        summary=_said(
            gettext_noop("contest %(code)s period %(period)s closed; winners %(winners)s"),
            {"code": period.contest.code, "period": period.code, "winners": winners},
            summary,
        ),
    )
    return period
