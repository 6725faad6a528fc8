"""Agent quality: retention cohorts, a quality-adjusted ranking, and signals of gaming with their evidence.

Agents are paid on what they bring in, so counting acquisitions alone rewards signing up people who never
pay. These reads say how many of an agent's participants paid and stayed, and point branch staff at the
patterns that gaming leaves behind.

Every read is set-based: a handful of grouped queries over participants, coverage runs and the tallies,
whatever the number of agents (a national page covers 20,000), never a query per agent. Each function takes
the agents to read as a queryset already narrowed to the user's scope, and returns plain dataclasses that
the pages and their exports share.

Words used here and on the pages:

- **acquired** in month M: the agent's participants whose first valid registration fell in M;
- **paid**: covered for at least one month (a reversed only payment is not a payment);
- **active** in month M: covered in M (a coverage run contains M);
- **retention at k months** of a cohort (an agent's acquisitions of month M): the share of them active in
  month M + k. It is read once month M + k is over; until then the cohort has no figure for k. The
  coverage is read as it stands now, so an arrears payment made later fills an earlier month in.

Thresholds are effective-dated rule rows (``AgentRule`` of kind ``quality``, seeded from
``quality_thresholds.json``, changed in the back office): see ``Thresholds``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaring.channels.models import Agent, Outlet
from jaring.common.clock import end_of_day, local_date, start_of_day
from jaring.common.rules import entry_in_force, rule_entries
from jaring.contributions.models import CoverageRun
from jaring.contributions.queries import covered_after
from jaring.members.models import Participant
from jaring.monitoring.models import Contest, ContestPeriod
from jaring.perisai.models import AgentRule
from jaring.rules.months import Month
from jaring.tallies.models import Tally

HORIZONS = (3, 6, 12)
_RULE_KEYS = frozenset({"code", "valid_from", "valid_to", "uncertain", "source", "note"})
THRESHOLDS_FILE = Path(__file__).with_name("quality_thresholds.json")
# Months a participant may stay unpaid before lapsing when the rate book cannot be read (rules.coverage).
DEFAULT_ARREARS_MONTHS = 3


# -- thresholds -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """The knobs of the quality reads, in force from ``effective_from``.

    - ``ranking_months``: the ranking counts acquisitions of the last so many months (this one included);
      ``ranking_horizon``: the retention reading (months after acquisition) it weighs them by.
    - never paid: an agent is flagged when at least ``never_paid_min`` of their participants registered
      ``never_paid_days`` days ago or earlier have never paid, and they are at least ``never_paid_share``
      of those registrations.
    - shared phone: ``shared_phone_min`` or more of one agent's participants give the same phone number.
    - burst: in the last ``burst_days`` days of a contest period the agent registered at least
      ``burst_min`` people at a daily rate at least ``burst_ratio`` times their daily average over the
      whole period.
    - quick lapse: at least ``quick_lapse_min`` of the agent's participants paid at most
      ``quick_lapse_max_months`` months and have lapsed since, and they are at least ``quick_lapse_share``
      of the agent's paying participants old enough to have lapsed.
    - probable duplicates: of an agent's (or an outlet's) acquisitions registered in the last
      ``duplicates_days`` days, at least ``duplicates_min`` are the later record of a probable duplicate
      still open or decided as the same person, and they are at least ``duplicates_share`` of them.
    """

    effective_from: date
    source: str = ""
    code: str = ""
    ranking_months: int = 12
    ranking_horizon: int = 3
    never_paid_days: int = 60
    never_paid_min: int = 5
    never_paid_share: Decimal = Decimal("0.5")
    shared_phone_min: int = 5
    burst_days: int = 7
    burst_ratio: Decimal = Decimal("3")
    burst_min: int = 10
    quick_lapse_max_months: int = 1
    quick_lapse_min: int = 3
    quick_lapse_share: Decimal = Decimal("0.5")
    duplicates_days: int = 365
    duplicates_min: int = 3
    duplicates_share: Decimal = Decimal("0.1")

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> Thresholds:
        """The thresholds of one rule entry (``common.rules``: the row's data with its code and window),
        in force from the first day of its ``valid_from`` month. A threshold the entry does not name keeps
        its default; a name that is no threshold is refused (ValueError)."""
        known = {f.name: f for f in fields(cls) if f.name not in {"effective_from", "source", "code"}}
        unknown = set(entry) - set(known) - _RULE_KEYS
        if unknown:
            raise ValueError(f"unknown quality thresholds: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {
            "effective_from": Month.parse(str(entry["valid_from"])).first_day(),
            "source": entry.get("source") or "",
            "code": entry.get("code") or "",
        }
        for name, value in entry.items():
            if name not in known:
                continue
            kind = known[name].type
            if kind == "Decimal":
                values[name] = Decimal(str(value))
            elif kind == "int":
                values[name] = int(value)
            else:
                values[name] = value
        return cls(**values)


def thresholds_seed_data() -> dict[str, list[dict]]:
    """The shipped thresholds (``quality_thresholds.json``) as rule entries, ``{"quality": [...]}``: what
    the data migration copies into ``AgentRule`` rows."""
    return {"quality": json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))["quality"]}


def thresholds_in_force(day: date | None = None) -> Thresholds:
    """The thresholds in force on ``day`` (default today), read from the rule rows (one query): the row
    with the latest first month on or before the month of ``day``; before the first row, the first. A
    database without any such row (emptied by a test's flush) reads the shipped ones."""
    day = day or local_date()
    entries = rule_entries(AgentRule.objects.filter(kind=AgentRule.Kind.QUALITY)).get("quality")
    entries = entries or thresholds_seed_data()["quality"]
    entry = entry_in_force(entries, Month.from_date(day))
    if entry is None:
        entry = min(entries, key=lambda e: Month.parse(str(e["valid_from"])))
    return Thresholds.from_entry(entry)


# -- an agent's figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What an agent has brought in, as of a day: acquisitions (all, and in the month of the day), how
    many of them paid, and how many are active (covered) in that month."""

    acquired: int = 0
    this_month: int = 0
    paid: int = 0
    active: int = 0

    @property
    def paid_pct(self) -> Decimal | None:
        return percent(self.paid, self.acquired)

    @property
    def active_pct(self) -> Decimal | None:
        return percent(self.active, self.acquired)


def agent_figures(agents: QuerySet[Agent], *, as_of: date | None = None) -> dict[int, Figures]:
    """``Figures`` per agent id (agents without participants are missing: use ``Figures()``). Two
    queries whatever the number of agents."""
    current = Month.from_date(as_of or local_date())
    acquired = Participant.objects.filter(agent_id__in=_ids(agents), registered_month__lte=current)
    counts = (
        acquired.values_list("agent_id")
        .annotate(
            n=Count("pk"),
            this_month=Count("pk", filter=Q(registered_month=current)),
            paid=Count("pk", filter=Q(standing__paid_through__isnull=False)),
        )
        .order_by()
    )
    active = dict(
        CoverageRun.objects.filter(
            participant__in=acquired, first_month__lte=current, last_month__gte=current
        )
        .values_list("participant__agent_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        agent_id: Figures(acquired=n, this_month=this_month, paid=paid, active=active.get(agent_id, 0))
        for agent_id, n, this_month, paid in counts
    }


# -- retention cohorts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """How many of a cohort were active ``horizon`` months after their acquisition month; ``active`` is
    None while that month is not over."""

    horizon: int
    active: int | None
    acquired: int

    @property
    def pct(self) -> Decimal | None:
        return None if self.active is None else percent(self.active, self.acquired)


@dataclass(frozen=True)
class Cohort:
    """An agent's acquisitions of one month and what became of them."""

    agent_id: int
    month: Month
    acquired: int
    paid: int
    readings: tuple[Reading, ...]

    @property
    def paid_pct(self) -> Decimal | None:
        return percent(self.paid, self.acquired)

    def reading(self, horizon: int) -> Reading:
        return next(reading for reading in self.readings if reading.horizon == horizon)


def agent_cohorts(agents: QuerySet[Agent], *, as_of: date | None = None) -> list[Cohort]:
    """The retention cohorts of ``agents``: one per agent and month in which they acquired someone, newest
    month first. Four queries whatever the number of agents."""
    current = Month.from_date(as_of or local_date())
    acquired = Participant.objects.filter(agent_id__in=_ids(agents), registered_month__lte=current)
    sizes = (
        acquired.values_list("agent_id", "registered_month")
        .annotate(n=Count("pk"), paid=Count("pk", filter=Q(standing__paid_through__isnull=False)))
        .order_by()
    )
    active: dict[tuple[int, Month, int], int] = {}
    for horizon in HORIZONS:
        for agent_id, month, n in _active_after(acquired, horizon, current):
            active[(agent_id, month, horizon)] = n
    cohorts = [
        Cohort(
            agent_id=agent_id,
            month=month,
            acquired=n,
            paid=paid,
            readings=tuple(
                Reading(
                    horizon=horizon,
                    active=active.get((agent_id, month, horizon), 0) if month + horizon < current else None,
                    acquired=n,
                )
                for horizon in HORIZONS
            ),
        )
        for agent_id, month, n, paid in sizes
    ]
    cohorts.sort(key=lambda cohort: (cohort.agent_id, -cohort.month.index))
    return cohorts


def _active_after(participants: QuerySet[Participant], horizon: int, current: Month):
    """(agent id, acquisition month, how many were covered ``horizon`` months later) for the cohorts of
    ``participants`` whose reading month is over. Runs of one participant never overlap, so counting runs
    that contain the month counts participants."""
    runs = covered_after(participants, horizon, current)
    return runs.values_list("participant__agent_id", "participant__registered_month").annotate(n=Count("pk"))


# -- the quality-adjusted ranking -----------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """One agent's line of the ranking.

    ``score`` = acquisitions x share that paid x share of the payers still active ``horizon`` months
    after their acquisition month = paid x retained / due. Only payers whose reading month is over count
    in the retention (``due``); while none is due it is taken as 100 % (``retention_known`` False).
    """

    rank: int
    count_rank: int
    agent: Agent
    acquired: int
    paid: int
    due: int
    retained: int
    score: Decimal

    @property
    def paid_pct(self) -> Decimal | None:
        return percent(self.paid, self.acquired)

    @property
    def retention_known(self) -> bool:
        return self.due > 0

    @property
    def retention_pct(self) -> Decimal | None:
        return percent(self.retained, self.due)

    @property
    def arithmetic(self) -> str:
        """The sum behind the score, as the page and the export print it."""
        retention = f"{self.retained}/{self.due}" if self.due else "1"
        return f"{self.acquired} x {self.paid}/{self.acquired or 1} x {retention} = {self.score}"


@dataclass(frozen=True)
class Ranking:
    first_month: Month
    last_month: Month
    horizon: int
    rows: list[Ranked]


def agent_ranking(
    agents: QuerySet[Agent], *, as_of: date | None = None, thresholds: Thresholds | None = None
) -> Ranking:
    """Ranks ``agents`` by quality-adjusted acquisitions (``Ranked.score``) over the last
    ``ranking_months`` months up to ``as_of``: highest first; equal scores share a rank (1, 2, 2, 4) and
    are listed by acquisitions, then code. ``count_rank`` is the rank by acquisitions alone, so a page
    can show who falls when quality counts. Agents without acquisitions are listed last. Three queries."""
    as_of = as_of or local_date()
    thresholds = thresholds or thresholds_in_force(as_of)
    current = Month.from_date(as_of)
    first = current - (thresholds.ranking_months - 1)
    horizon = thresholds.ranking_horizon
    window = Participant.objects.filter(
        agent_id__in=_ids(agents), registered_month__gte=first, registered_month__lte=current
    )
    paying = Q(standing__paid_through__isnull=False)
    figures = {
        agent_id: (n, paid, due)
        for agent_id, n, paid, due in window.values_list("agent_id")
        .annotate(
            n=Count("pk"),
            paid=Count("pk", filter=paying),
            due=Count("pk", filter=paying & Q(registered_month__lt=current - horizon)),
        )
        .order_by()
    }
    retained: dict[int, int] = defaultdict(int)
    for agent_id, _month, n in _active_after(window, horizon, current):
        retained[agent_id] += n
    unranked = []
    for agent in agents.select_related("outlet").order_by():
        acquired, paid, due = figures.get(agent.pk, (0, 0, 0))
        kept = retained.get(agent.pk, 0)
        score = quality_score(paid=paid, due=due, retained=kept)
        unranked.append(Ranked(0, 0, agent, acquired, paid, due, kept, score))
    by_count = sorted(unranked, key=lambda line: -line.acquired)
    count_rank = {
        line.agent.pk: rank
        for line, rank in zip(by_count, _ranks([line.acquired for line in by_count]), strict=True)
    }
    unranked.sort(key=lambda line: (-line.score, -line.acquired, line.agent.code))
    ranks = _ranks([line.score for line in unranked])
    rows = [
        replace(line, rank=rank, count_rank=count_rank[line.agent.pk])
        for line, rank in zip(unranked, ranks, strict=True)
    ]
    return Ranking(first_month=first, last_month=current, horizon=horizon, rows=rows)


def quality_score(*, paid: int, due: int, retained: int) -> Decimal:
    """Quality-adjusted acquisitions: acquisitions x share that paid x share of the payers still active
    at the reading = ``paid`` x ``retained`` / ``due``, to one decimal (half up). While no payer is due
    for the reading the retention counts as 1, so a new agent is judged on paying alone."""
    score = Decimal(paid * retained) / due if due else Decimal(paid)
    return score.quantize(Decimal("0.1"), ROUND_HALF_UP)


def _ranks(values: list) -> list[int]:
    """Competition ranks of values already in order (1, 2, 2, 4)."""
    ranks: list[int] = []
    for index, value in enumerate(values):
        ranks.append(ranks[-1] if index and value == values[index - 1] else index + 1)
    return ranks


# -- signals of gaming ----------------------------------------------------------------------------------

NEVER_PAID, SHARED_PHONE, BURST, QUICK_LAPSE = "never_paid", "shared_phone", "burst", "quick_lapse"
DUPLICATES = "duplicates"
SIGNAL_KINDS = {
    NEVER_PAID: gettext_lazy("Registrations that never pay"),
    SHARED_PHONE: gettext_lazy("Many participants sharing one phone number"),
    BURST: gettext_lazy("Burst of registrations at the end of a contest period"),
    QUICK_LAPSE: gettext_lazy("Registered and lapsed at once"),
    DUPLICATES: gettext_lazy("Acquisitions that are probable duplicates"),
}


@dataclass(frozen=True)
class Signal:
    """One agent flagged for one kind of pattern. ``evidence`` selects the participants that show it
    (apply it to a queryset already narrowed to the user's scope); ``figures`` says why, with the sums."""

    kind: str
    agent: Agent
    count: int
    figures: str
    evidence: Q
    pairs: tuple[int, ...] = ()  # the probable-duplicate pairs behind a ``duplicates`` signal

    @property
    def label(self) -> str:
        return str(SIGNAL_KINDS[self.kind])


def agent_signals(
    agents: QuerySet[Agent],
    *,
    as_of: date | None = None,
    thresholds: Thresholds | None = None,
    kinds: tuple[str, ...] = tuple(SIGNAL_KINDS),
) -> list[Signal]:
    """Every signal raised for ``agents`` on ``as_of``, by kind then agent code. A few grouped queries per
    kind (one per contest period for bursts), whatever the number of agents."""
    as_of = as_of or local_date()
    thresholds = thresholds or thresholds_in_force(as_of)
    detectors = {
        NEVER_PAID: _never_paid,
        SHARED_PHONE: _shared_phone,
        BURST: _bursts,
        QUICK_LAPSE: _quick_lapses,
        DUPLICATES: lambda agents, as_of, t: _duplicates("agent", _ids(agents), as_of, t),
    }
    found: list[tuple] = []
    for kind in kinds:
        # a hit is (agent id, count, figures, evidence), with the pairs behind it for duplicates
        found.extend((kind, *hit, ())[:6] for hit in detectors[kind](agents, as_of, thresholds))
    by_id = Agent.objects.select_related("outlet").in_bulk({hit[1] for hit in found})
    signals = [
        Signal(kind=kind, agent=by_id[agent_id], count=count, figures=text, evidence=evidence, pairs=pairs)
        for kind, agent_id, count, text, evidence, pairs in found
    ]
    order = list(SIGNAL_KINDS)
    signals.sort(key=lambda signal: (order.index(signal.kind), signal.agent.code))
    return signals


def _never_paid(agents, as_of: date, t: Thresholds):
    cutoff = end_of_day(as_of - timedelta(days=t.never_paid_days))
    old = Participant.objects.filter(agent_id__in=_ids(agents), registered_at__lte=cutoff)
    never = Q(standing__paid_through__isnull=True)
    rows = (
        old.values_list("agent_id")
        .annotate(total=Count("pk"), never=Count("pk", filter=never))
        .filter(never__gte=t.never_paid_min)
        .order_by()
    )
    for agent_id, total, count in rows:
        if Decimal(count) / total >= t.never_paid_share:
            text = _(
                "%(count)s of %(total)s participants registered %(days)s or more days ago never paid "
                "(%(pct)s %%; flagged from %(min)s and %(share)s %%)"
            ) % {
                "count": count,
                "total": total,
                "days": t.never_paid_days,
                "pct": percent(count, total),
                "min": t.never_paid_min,
                "share": share_text(t.never_paid_share),
            }
            yield agent_id, count, text, Q(agent_id=agent_id, registered_at__lte=cutoff) & never


def _shared_phone(agents, as_of: date, t: Thresholds):
    rows = (
        Participant.objects.filter(agent_id__in=_ids(agents), registered_at__lte=end_of_day(as_of))
        .exclude(phone="")
        .values_list("agent_id", "phone")
        .annotate(n=Count("pk"))
        .filter(n__gte=t.shared_phone_min)
        .order_by("agent_id", "-n", "phone")
    )
    phones: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for agent_id, phone, n in rows:
        phones[agent_id].append((phone, n))
    for agent_id, shared in phones.items():
        count = sum(n for _phone, n in shared)
        text = _(
            "%(count)s participants share %(phones)s phone number(s), at most %(most)s on one "
            "(flagged from %(min)s on one number)"
        ) % {"count": count, "phones": len(shared), "most": shared[0][1], "min": t.shared_phone_min}
        evidence = Q(agent_id=agent_id, phone__in=[phone for phone, _n in shared])
        yield agent_id, count, text, evidence


def _bursts(agents, as_of: date, t: Thresholds):
    """Compares, per contest period, the agent's registrations in its last ``burst_days`` days with their
    daily average over the whole period (up to ``as_of`` while it runs). Every contest period counts,
    whether or not the agent's outlet takes part: a rush at a period's end is worth a look either way.
    Read from the tallies (registrations per agent per day)."""
    registration_contests = Contest.objects.filter(
        metric__in=[Contest.Metric.NEW_REGISTRATIONS, Contest.Metric.FIRST_PAID_REGISTRATIONS]
    )
    periods = ContestPeriod.objects.filter(
        contest__in=registration_contests, start__lte=as_of, end__lt=as_of + timedelta(days=t.burst_days)
    ).select_related("contest")
    hits: dict[int, list[tuple[ContestPeriod, int, int, Decimal, date, date]]] = defaultdict(list)
    for period in periods:
        through = min(period.end, as_of)
        tail_start = max(period.start, period.end - timedelta(days=t.burst_days - 1))
        if tail_start > through:
            continue
        tallies = Tally.objects.filter(
            kind=Tally.Kind.REGISTERED, agent_id__in=_ids(agents), day__gte=period.start, day__lte=through
        )
        if period.contest.segment:
            tallies = tallies.filter(segment=period.contest.segment)
        rows = (
            tallies.values_list("agent_id")
            .annotate(total=Sum("count"), tail=Sum("count", filter=Q(day__gte=tail_start)))
            .filter(tail__gte=t.burst_min)
            .order_by()
        )
        days = (through - period.start).days + 1
        tail_days = (through - tail_start).days + 1
        for agent_id, total, tail in rows:
            ratio = (Decimal(tail) / tail_days) / (Decimal(total) / days)
            if ratio >= t.burst_ratio:
                hits[agent_id].append((period, tail, total, ratio, tail_start, through))
    for agent_id, bursts in hits.items():
        texts, evidence = [], Q()
        for period, tail, total, ratio, tail_start, through in bursts:
            texts.append(
                _(
                    "%(contest)s %(period)s: %(tail)s registrations in its last %(days)s days against "
                    "%(total)s in %(all)s days, %(ratio)s times the daily average (flagged from %(min)s "
                    "and %(limit)s times)"
                )
                % {
                    "contest": period.contest.code,
                    "period": period.code,
                    "tail": tail,
                    "days": (through - tail_start).days + 1,
                    "total": total,
                    "all": (through - period.start).days + 1,
                    "ratio": ratio.quantize(Decimal("0.1"), ROUND_HALF_UP),
                    "min": t.burst_min,
                    "limit": t.burst_ratio,
                }
            )
            evidence |= Q(registered_at__gte=start_of_day(tail_start), registered_at__lte=end_of_day(through))
        yield agent_id, sum(burst[1] for burst in bursts), "; ".join(texts), Q(agent_id=agent_id) & evidence


def _quick_lapses(agents, as_of: date, t: Thresholds):
    current = Month.from_date(as_of)
    lapsed_before = current - _arrears_months(current)
    paying = Participant.objects.filter(
        agent_id__in=_ids(agents), standing__paid_through__isnull=False, registered_month__lt=lapsed_before
    )
    quick = _quickly_lapsed(lapsed_before, t.quick_lapse_max_months)
    rows = (
        paying.values_list("agent_id")
        .annotate(total=Count("pk"), quick=Count("pk", filter=quick))
        .filter(quick__gte=t.quick_lapse_min)
        .order_by()
    )
    for agent_id, total, count in rows:
        if Decimal(count) / total >= t.quick_lapse_share:
            text = _(
                "%(count)s of %(total)s paying participants paid at most %(months)s month(s) and lapsed "
                "(%(pct)s %%; flagged from %(min)s and %(share)s %%)"
            ) % {
                "count": count,
                "total": total,
                "months": t.quick_lapse_max_months,
                "pct": percent(count, total),
                "min": t.quick_lapse_min,
                "share": share_text(t.quick_lapse_share),
            }
            yield agent_id, count, text, Q(agent_id=agent_id, registered_month__lt=lapsed_before) & quick


def _duplicates(by: str, owners: QuerySet, as_of: date, t: Thresholds):
    """(owner id, count, figures, evidence, pair ids) for each agent or outlet (``by``) of ``owners`` (a
    queryset of their ids) whose acquisitions of the window are often the later record of a probable
    duplicate. Two grouped reads: the acquisitions of the window by owner, and the flagged owners' pairs."""
    window = {
        "registered_at__gte": start_of_day(as_of - timedelta(days=t.duplicates_days - 1)),
        "registered_at__lte": end_of_day(as_of),
    }
    later = Q(pk__in=_later_of_pairs().values("later"))
    rows = (
        Participant.objects.filter(**{f"{by}_id__in": owners}, **window)
        .values_list(f"{by}_id")
        .annotate(total=Count("pk"), duplicated=Count("pk", filter=later))
        .filter(duplicated__gte=t.duplicates_min)
        .order_by()
    )
    flagged = {
        owner: (count, total) for owner, total, count in rows if Decimal(count) / total >= t.duplicates_share
    }
    if not flagged:
        return
    pairs: dict[int, list[int]] = defaultdict(list)
    acquired = Participant.objects.filter(**{f"{by}_id__in": list(flagged)}, **window)
    for pair_id, owner in (
        _later_of_pairs()
        .filter(later__in=acquired.values("pk"))
        .annotate(owner=_of_later(f"{by}_id"))
        .values_list("pk", "owner")
        .order_by("-score", "pk")
    ):
        pairs[owner].append(pair_id)
    for owner, (count, total) in flagged.items():
        text = _(
            "%(count)s of %(total)s acquisitions of the last %(days)s days are the later record of a "
            "probable duplicate (%(pct)s %%; %(pairs)s pair(s) open or decided as the same person; flagged "
            "from %(min)s and %(share)s %%)"
        ) % {
            "count": count,
            "total": total,
            "days": t.duplicates_days,
            "pct": percent(count, total),
            "pairs": len(pairs[owner]),
            "min": t.duplicates_min,
            "share": share_text(t.duplicates_share),
        }
        evidence = Q(**{f"{by}_id": owner}, **window) & later
        yield owner, count, text, evidence, tuple(pairs[owner])


def _of_later(column: str):
    """The participant ``column`` of the later record of a pair: the one registered later, the second
    (the higher id) when both were registered at the same moment."""
    return Case(
        When(first__registered_at__gt=F("second__registered_at"), then=F(f"first__{column}")),
        default=F(f"second__{column}"),
    )


def _later_of_pairs() -> QuerySet:
    """Probable duplicates still open or decided as the same person, with ``later``: the id of their
    later record, the acquisition a duplicate was credited to. A pair decided as different people is no
    longer evidence."""
    from jaring.members.models import ProbableDuplicate

    states = [ProbableDuplicate.State.OPEN, ProbableDuplicate.State.SAME]
    return ProbableDuplicate.objects.filter(state__in=states).annotate(later=_of_later("id")).order_by()


@dataclass(frozen=True)
class OutletSignal:
    """An outlet flagged because its acquisitions (by its tellers and its agents alike) are often probable
    duplicates; ``evidence`` selects those participants, ``pairs`` are the pairs."""

    kind: str
    outlet: Outlet
    count: int
    figures: str
    evidence: Q
    pairs: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return str(SIGNAL_KINDS[self.kind])


def outlet_signals(
    outlets: QuerySet[Outlet], *, as_of: date | None = None, thresholds: Thresholds | None = None
) -> list[OutletSignal]:
    """The outlets of ``outlets`` whose acquisitions are often probable duplicates (the signals of gaming
    that an outlet, not only an agent, can raise), by outlet code. Three queries whatever the number of
    outlets."""
    as_of = as_of or local_date()
    thresholds = thresholds or thresholds_in_force(as_of)
    found = list(_duplicates("outlet", outlets.order_by().values("pk"), as_of, thresholds))
    by_id = Outlet.objects.in_bulk({hit[0] for hit in found})
    signals = [
        OutletSignal(DUPLICATES, by_id[outlet_id], count, text, evidence, pairs)
        for outlet_id, count, text, evidence, pairs in found
    ]
    signals.sort(key=lambda signal: signal.outlet.code)
    return signals


def _quickly_lapsed(lapsed_before: Month, max_months: int) -> Q:
    """Agent-acquired participants who paid, covered at most ``max_months`` months in all, and whose last
    covered month is before ``lapsed_before`` (so they have lapsed). The months are summed once, grouped
    over the runs of lapsed participants, not per row."""
    short = (
        CoverageRun.objects.filter(
            participant__agent_id__isnull=False, participant__standing__paid_through__lt=lapsed_before
        )
        .values("participant_id")
        .annotate(
            months=Sum(ExpressionWrapper(F("last_month") - F("first_month") + 1, output_field=IntegerField()))
        )
        .filter(months__lte=max_months)
        .values("participant_id")
    )
    return Q(standing__paid_through__isnull=False, standing__paid_through__lt=lapsed_before, pk__in=short)


def _arrears_months(month: Month) -> int:
    from jaring.contributions.queries import ratebook

    try:
        return ratebook().policy_for(month).arrears_months
    except (LookupError, ValueError):
        return DEFAULT_ARREARS_MONTHS


# -- shared helpers -------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal (None when ``whole`` is 0)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def share_text(share: Decimal) -> str:
    """A share (0.5) as the percent figure people write (50)."""
    return f"{(share * 100).normalize():f}"


def _ids(agents: QuerySet[Agent]) -> QuerySet:
    return agents.order_by().values("pk")
