"""The Paritrana score's reads: the figures of each province and regency/city for a year, where each came
from, and the score over the weights in force (the arithmetic is ``outreach.paritrana``).

Everything a ranking needs is read once per year (``Basis``), whatever the number of regions:

- participants and employers from the tallies' monthly roll-ups **by branch office** (``monitoring.
  readings.active_by`` and ``sums_over``, one GROUP BY each), never from participants or the ledger. A
  region is measured through the branches serving its regencies/cities (``org.BranchArea``): the tallies
  are kept per branch and cannot be split below it, so the area measured is every regency/city those
  branches serve (the page names them), and a regency no branch serves is not measured;
- the workforce from the region table's population x the employed share x the informal share
  (``monitoring.InformalShare`` in force), a staff figure (``monitoring.PotentialMarket``) winning for the
  informal workforce of its regency/city;
- the regulation and the budget from the region's own MoUs (``Commitment`` of kind ``regulation``,
  ``BudgetLine`` of the year), the interview from ``PanelInterview``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jaring.accounts.scope import Scope
from jaring.common.clock import local_date
from jaring.common.rules import entry_in_force, rule_entries
from jaring.monitoring import readings
from jaring.monitoring.progress import informal_share, staff_potentials
from jaring.org.models import BranchArea, Office
from jaring.org.queries import in_office_subtree
from jaring.outreach import paritrana
from jaring.outreach.models import BudgetLine, Commitment, Mou, OutreachRule, PanelInterview
from jaring.regions.models import Region
from jaring.rules.money import round_half_up
from jaring.rules.months import Month

GOVERNMENT_PARTIES = (Mou.Party.PROVINCE, Mou.Party.REGENCY)
LEVELS = (Region.Level.PROVINCE, Region.Level.REGENCY)


@dataclass(frozen=True)
class Weights:
    """The weights (% of the score) and full marks in force, with the rule they come from."""

    code: str
    valid_from: str
    valid_to: str | None
    source: str
    note: str
    uncertain: bool
    weights: dict[str, Decimal]
    full: dict[str, Decimal]

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "source": self.source,
            "note": self.note,
            "uncertain": self.uncertain,
            "weights": {name: str(value) for name, value in self.weights.items()},
            "full_marks": {name: str(value) for name, value in self.full.items()},
            "groups": paritrana.CRITERIA,
        }


def weights_in_force(month: Month) -> Weights | None:
    """The Paritrana rule in force in ``month`` (the latest start on or before it), or None."""
    entries = rule_entries(OutreachRule.objects.filter(kind=OutreachRule.Kind.PARITRANA)).get("paritrana", [])
    entry = entry_in_force(entries, month)
    if entry is None:
        return None
    return Weights(
        code=entry["code"],
        valid_from=entry["valid_from"],
        valid_to=entry["valid_to"],
        source=entry["source"],
        note=entry["note"],
        uncertain=entry["uncertain"],
        weights={name: Decimal(str(entry["weights"][name])) for name in paritrana.CRITERIA},
        full={name: Decimal(str(entry["full_marks"][name])) for name in paritrana.CRITERIA},
    )


def score_month(year: int, today: date | None = None) -> Month | None:
    """The month a year's score reads: December of a past year, the running month of this year; None for
    a year still to come."""
    today = today or local_date()
    if year < today.year:
        return Month.of(year, 12)
    if year == today.year:
        return Month.from_date(today)
    return None


# -- scope ------------------------------------------------------------------------------------------------


def regions_in_scope(scope: Scope | None) -> QuerySet:
    """The provinces and regencies/cities a user may see scores of: every one for national roles; for
    regional and branch staff the regencies/cities their branches serve and the provinces those are in
    (a branch reads its province's score, as it reads its Kanwil's governor MoU); nothing otherwise."""
    regions = Region.objects.filter(level__in=LEVELS)
    if scope is None or scope.is_national:
        return regions
    if scope.office is None:
        return regions.none()
    served = list(
        BranchArea.objects.filter(in_office_subtree(scope.office, via="office")).values_list(
            "regency_id", flat=True
        )
    )
    provinces = sorted({code[:2] for code in served})
    return regions.filter(code__in=served + provinces)


def region_find(code: str, regions: QuerySet | None = None) -> Region | None:
    """The province or regency/city of ``code`` among ``regions`` (default: all), or None."""
    code = (code or "").strip()
    if not code:
        return None
    return (
        (regions if regions is not None else Region.objects.filter(level__in=LEVELS))
        .filter(code=code)
        .first()
    )


# -- the figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One figure of a score (``key``: a stable name for scripts) and where it came from."""

    key: str
    figure: str
    value: str
    source: str

    def as_dict(self) -> dict:
        return {"key": self.key, "figure": self.figure, "value": self.value, "source": self.source}


@dataclass(frozen=True)
class RegionScore:
    region: Region
    year: int
    month: Month
    weights: Weights
    score: paritrana.Score
    sources: tuple[Source, ...]
    counts: dict = field(default_factory=dict)
    rank: int = 0

    @property
    def total(self) -> Decimal:
        return self.score.total

    def as_dict(self) -> dict:
        return {
            "region": self.region.code,
            "name": self.region.name,
            "level": "province" if self.region.level == Region.Level.PROVINCE else "regency",
            "year": self.year,
            "month": str(self.month),
            "rank": self.rank,
            "score": str(self.total),
            "arithmetic": self.score.arithmetic,
            "groups": {name: str(value) for name, value in self.score.by_group().items()},
            "criteria": [line.as_dict() for line in self.score.lines],
            "figures": self.counts,
            "sources": [source.as_dict() for source in self.sources],
            "weights": {"code": self.weights.code, "source": self.weights.source},
        }


class Basis:
    """Everything the scores of one year read, each in one query (see the module's docstring)."""

    def __init__(self, year: int, month: Month, today: date):
        self.year, self.month = year, month
        self.through = min(date(year, 12, 31), today)
        self.branch: dict[str, int] = dict(BranchArea.objects.values_list("regency_id", "office_id"))
        self.office_codes = dict(
            Office.objects.filter(pk__in=set(self.branch.values())).values_list("pk", "code")
        )
        self.served: dict[int, list[str]] = defaultdict(list)
        for regency, office_id in sorted(self.branch.items()):
            self.served[office_id].append(regency)
        self.regencies: dict[str, list[str]] = defaultdict(list)
        self.population: dict[str, int] = {}
        for code, parent, population in Region.objects.filter(level=Region.Level.REGENCY).values_list(
            "code", "parent_id", "population"
        ):
            self.regencies[parent].append(code)
            self.population[code] = population or 0
        self.staff: dict[str, tuple[int, date, str]] = {
            code: (row.workers, row.effective_from, row.source)
            for code, row in staff_potentials(self.through).items()
        }
        self.share = informal_share(self.through)
        self.active_pu = readings.active_by(month, by="office_id", segment="PU")
        self.active_bpu = readings.active_by(month, by="office_id", segment="BPU")
        self.active_all = readings.active_by(month, by="office_id")
        self.active_before = readings.active_by(month - 12, by="office_id")
        employers = readings.sums_over({"n": (readings.NEW_COMPANIES, None, self.through)}, by="office_id")
        self.employers = {office: values["n"] for office, values in employers.items()}
        self.regulations: dict[str, tuple[date, str, str]] = {}
        for region_id, done_on, reference, number in (
            Commitment.objects.filter(
                kind=Commitment.Kind.REGULATION,
                mou__party__in=GOVERNMENT_PARTIES,
                done_on__isnull=False,
                done_on__lte=self.through,
            )
            .order_by("done_on", "id")
            .values_list("mou__region_id", "done_on", "reference", "mou__number")
        ):
            self.regulations.setdefault(region_id, (done_on, reference, number))
        self.budgets: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for region_id, number, payer, ceiling in (
            BudgetLine.objects.filter(year=year, ceiling__gt=0, commitment__mou__party__in=GOVERNMENT_PARTIES)
            .order_by("commitment__mou__number", "payer__code")
            .values_list("commitment__mou__region_id", "commitment__mou__number", "payer__code", "ceiling")
        ):
            self.budgets[region_id].append((number, payer, ceiling))
        self.interviews = {
            i.region_id: i for i in PanelInterview.objects.filter(year=year).select_related("entered_by")
        }

    def score(self, region: Region, weights: Weights) -> RegionScore:
        """The score of ``region`` with its figures and their sources."""
        own = [region.code] if region.level == Region.Level.REGENCY else self.regencies.get(region.code, [])
        offices = sorted({self.branch[r] for r in own if r in self.branch})
        area = sorted(r for o in offices for r in self.served[o])
        unserved = [r for r in own if r not in self.branch]
        beyond = [r for r in area if not r.startswith(region.code)]
        population = sum(self.population.get(r, 0) for r in area)
        estimated = [r for r in area if r not in self.staff]
        share = self.share.share if self.share else Decimal(0)
        employed = self.share.employed if self.share else Decimal(0)
        staff_workers = sum(self.staff[r][0] for r in area if r in self.staff)
        informal = staff_workers + round_half_up(
            share * employed * sum(self.population.get(r, 0) for r in estimated)
        )
        wage = round_half_up((1 - share) * employed * population) if self.share else 0

        def summed(values: dict[int, int]) -> int:
            return sum(values.get(o, 0) for o in offices)

        active_pu, active_bpu = summed(self.active_pu), summed(self.active_bpu)
        employers = summed(self.employers)
        active_now, active_before = summed(self.active_all), summed(self.active_before)
        regulation = self.regulations.get(region.code)
        budgets = self.budgets.get(region.code, [])
        interview = self.interviews.get(region.code)
        measured = bool(offices)
        values = {
            "regulation": Decimal(1 if regulation else 0),
            "budget": Decimal(1 if budgets else 0),
            "wage_earners": paritrana.share_percent(active_pu, wage) if measured else None,
            "informal": paritrana.share_percent(active_bpu, informal) if measured else None,
            "employers": paritrana.per_thousand(employers, wage) if measured else None,
            "growth": paritrana.growth_percent(active_now, active_before) if measured else None,
            "interview": interview.score if interview else None,
        }
        result = paritrana.score(values, weights.weights, weights.full)
        branches = ", ".join(self.office_codes.get(o, str(o)) for o in offices)
        counts = {
            "branches": [self.office_codes.get(o, str(o)) for o in offices],
            "area": area,
            "not_served": unserved,
            "population": population,
            "informal_workforce": informal,
            "wage_workforce": wage,
            "active_wage_earners": active_pu,
            "active_informal": active_bpu,
            "employers": employers,
            "active": active_now,
            "active_year_before": active_before,
        }
        sources = self._sources(
            region, offices, branches, area, unserved, beyond, population, informal, wage, estimated, counts
        )
        sources += [
            Source(
                "regulation",
                _("Regional regulation"),
                regulation[1] if regulation else _("none"),
                _("MoU %(number)s: issued on %(day)s")
                % {"number": regulation[2], "day": regulation[0].isoformat()}
                if regulation
                else _("No regulation commitment of an MoU with this region recorded as issued by %(day)s.")
                % {"day": self.through.isoformat()},
            ),
            Source(
                "budget",
                _("Budget for contributions"),
                "Rp" + f"{sum(b[2] for b in budgets):,}".replace(",", ".") if budgets else _("none"),
                "; ".join(
                    _("MoU %(number)s, payer %(payer)s") % {"number": number, "payer": payer}
                    for number, payer, _ceiling in budgets
                )
                if budgets
                else _("No budget line of %(year)s under an MoU with this region.") % {"year": self.year},
            ),
            Source(
                "interview",
                _("Panel interview"),
                str(interview.score) if interview else _("not entered"),
                _("Entered by staff on %(day)s") % {"day": local_date(interview.entered_at).isoformat()}
                if interview
                else _("No interview score entered for %(year)s: 0 marks.") % {"year": self.year},
            ),
        ]
        return RegionScore(region, self.year, self.month, weights, result, tuple(sources), counts)

    def _sources(
        self, region, offices, branches, area, unserved, beyond, population, informal, wage, estimated, counts
    ) -> list[Source]:
        if not offices:
            return [
                Source(
                    "area",
                    _("Area measured"),
                    _("none"),
                    _(
                        "No branch serves this region (org.BranchArea): coverage, employers and growth are "
                        "not measured and get 0 marks."
                    ),
                )
            ]
        month = str(self.month)
        share_text = (
            _("population x %(employed)s employed x %(share)s informal (%(source)s, from %(day)s)")
            % {
                "employed": self.share.employed,
                "share": self.share.share,
                "source": self.share.source or "-",
                "day": self.share.effective_from.isoformat(),
            }
            if self.share
            else _("no informal share loaded")
        )
        staffed = [r for r in area if r in self.staff]
        area_text = _("Branches %(branches)s; they serve %(area)s.") % {
            "branches": branches,
            "area": ", ".join(area),
        }
        if beyond:
            area_text += " " + _(
                "The tallies are kept per branch, so %(beyond)s outside this region are measured too."
            ) % {"beyond": ", ".join(beyond)}
        if unserved:
            area_text += " " + _("Not measured (no branch serves them): %(codes)s.") % {
                "codes": ", ".join(unserved)
            }
        sources = [
            Source("area", _("Area measured"), str(len(area)), area_text),
            Source(
                "population",
                _("Population"),
                _count(population),
                _("The region table (regions.Region.population)"),
            ),
            Source(
                "informal_workforce",
                _("Informal workforce"),
                _count(informal),
                share_text
                + (
                    "; "
                    + _("staff figures (monitoring.PotentialMarket) for %(codes)s")
                    % {"codes": ", ".join(f"{r} ({self.staff[r][2] or self.staff[r][1]})" for r in staffed)}
                    if staffed
                    else ""
                ),
            ),
            Source(
                "wage_workforce",
                _("Wage-earning workforce"),
                _count(wage),
                _("population x employed per resident x (1 - informal share)"),
            ),
            Source(
                "active_wage_earners",
                _("Active wage earners"),
                _count(counts["active_wage_earners"]),
                _("Tallies: coverage roll-up of the branches, segment PU, %(month)s") % {"month": month},
            ),
            Source(
                "active_informal",
                _("Active informal participants"),
                _count(counts["active_informal"]),
                _("Tallies: coverage roll-up of the branches, segment BPU, %(month)s") % {"month": month},
            ),
            Source(
                "employers",
                _("Employers registered"),
                _count(counts["employers"]),
                _("Tallies: companies registered at the branches up to %(day)s")
                % {"day": self.through.isoformat()},
            ),
            Source(
                "growth",
                _("Growth"),
                f"{_count(counts['active_year_before'])} → {_count(counts['active'])}",
                _("Tallies: active participants of every segment, %(before)s against %(month)s")
                % {"before": str(self.month - 12), "month": month},
            ),
        ]
        return sources


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@dataclass(frozen=True)
class Ranking:
    year: int
    month: Month
    weights: Weights
    scores: tuple[RegionScore, ...]


def _ranked(scores: list[RegionScore]) -> tuple[RegionScore, ...]:
    """Highest score first (ties by code); equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.region.code))
    ranked, previous, rank = [], None, 0
    for position, item in enumerate(ordered, start=1):
        if item.total != previous:
            rank, previous = position, item.total
        ranked.append(replace(item, rank=rank))
    return tuple(ranked)


def paritrana_ranking(
    year: int,
    *,
    level: int = Region.Level.PROVINCE,
    province: str = "",
    scope: Scope | None = None,
    today: date | None = None,
) -> Ranking | None:
    """The scores of the provinces (or, with ``level`` regency, the regencies/cities, of ``province`` when
    given) that ``scope`` sees, ranked. None for a year to come or when no weights are in force."""
    today = today or local_date()
    month = score_month(year, today)
    if month is None:
        return None
    weights = weights_in_force(month)
    if weights is None:
        return None
    regions = regions_in_scope(scope).filter(level=level)
    if province:
        regions = regions.filter(parent_id=province)
    basis = Basis(year, month, today)
    return Ranking(year, month, weights, _ranked([basis.score(r, weights) for r in regions.order_by("code")]))


def paritrana_score(region: Region, year: int, *, today: date | None = None) -> RegionScore | None:
    """One region's score for ``year`` with its arithmetic and sources (None: a year to come, or no
    weights in force)."""
    today = today or local_date()
    month = score_month(year, today)
    weights = weights_in_force(month) if month is not None else None
    if weights is None:
        return None
    return Basis(year, month, today).score(region, weights)
