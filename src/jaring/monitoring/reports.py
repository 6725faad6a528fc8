"""Reports: a leaderboard, a monev or a target status laid out as a document (title, facts, tables, a chart,
notes), in one language. ``monitoring.exports`` renders one as XLSX, PDF or text, so every format shows
the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jaring.monitoring.formatting import (
    MONEY_METRICS,
    Style,
    attainment_sum,
    estimate_sum,
    penetration_sum,
)
from jaring.monitoring.progress import TargetLine, TargetStatus
from jaring.monitoring.queries import Leaderboard, Monev

TEXT, COUNT, RUPIAH, PERCENT = "text", "count", "rupiah", "percent"
CHART_BARS = 20


@dataclass(frozen=True)
class Cell:
    """A value and how to show it: ``text``, ``count``, ``rupiah`` or ``percent`` (a Decimal like 540.0)."""

    value: int | Decimal | str | None
    kind: str = TEXT

    def shown(self, style: Style) -> str:
        if self.value is None:
            return style.word("n/a")
        if self.kind == COUNT:
            return style.count(self.value)
        if self.kind == RUPIAH:
            return style.rupiah(self.value)
        if self.kind == PERCENT:
            return style.percent(self.value)
        return str(self.value)


@dataclass
class Table:
    heading: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    categories: list[str]
    series: list[tuple[str, list[int]]]
    money: bool = False


@dataclass
class Report:
    style: Style
    title: str
    facts: list[tuple[str, str]]
    tables: list[Table]
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)


def _value_kind(metric: str) -> str:
    return RUPIAH if metric in MONEY_METRICS else COUNT


def _span(style: Style, start, end) -> str:
    return f"{style.day(start)} {style.word('through')} {style.day(end)}"


def leaderboard_report(board: Leaderboard, style: Style) -> Report:
    w = style.word
    kind = _value_kind(board.metric)
    table = Table(w("leaderboard"), [w("rank"), w("outlet"), w("name"), w("value"), w("prize")])
    for row in board.rows:
        table.rows.append(
            [
                Cell(row.rank, COUNT),
                Cell(row.outlet),
                Cell(row.name),
                Cell(row.value, kind),
                Cell(row.prize, RUPIAH),
            ]
        )
    shown = board.rows[:CHART_BARS]
    notes = [w("tie_note")]
    for row in board.rows:
        if row.reached is not None:
            notes.append(f"{row.outlet}: {style.amount(row.value, board.metric)} - {style.day(row.reached)}")
    return Report(
        style=style,
        title=f"{w('leaderboard')}: {board.contest_name}",
        facts=[
            (w("contest"), board.contest),
            (w("period"), f"{board.period}: {_span(style, board.start, board.end)}"),
            (w("as_of"), style.day(board.as_of)),
            (w("status"), w(board.state)),
            (w("metric"), w(board.metric)),
            (w("total"), style.amount(board.total, board.metric)),
        ],
        tables=[table],
        chart=Chart(
            f"{w(board.metric)}, {board.period}",
            [row.name for row in shown],
            [(w("value"), [row.value for row in shown])],
            money=kind == RUPIAH,
        ),
        notes=notes,
    )


def monev_report(monev: Monev, style: Style) -> Report:
    w = style.word
    kind = _value_kind(monev.metric)
    periods = Table(
        w("period"), [w("period"), w("period"), w("status"), w("total"), w("growth"), w("arithmetic")]
    )
    periods.columns[1] = f"{w('period')} ({w('through')})"
    for p in monev.periods:
        dates = _span(style, p.start, p.through or p.end)
        periods.rows.append(
            [
                Cell(p.period),
                Cell(dates),
                Cell(w(p.state) + (f" ({w('to_date')})" if p.to_date else "")),
                Cell(p.total, kind),
                Cell(None if p.growth is None else p.growth.pct, PERCENT),
                Cell(style.word("n/a") if p.growth is None else style.growth(p.growth, monev.metric)),
            ]
        )
    codes = [p.period for p in monev.periods]
    growth_codes = codes[1:]
    outlets = Table(
        w("all_outlets"),
        [w("outlet"), w("name"), *codes, *(f"{w('growth')} {code}" for code in growth_codes)],
    )
    for o in monev.outlets:
        outlets.rows.append(
            [
                Cell(o.outlet),
                Cell(o.name),
                *(Cell(value, kind) for value in o.values),
                *(Cell(None if g is None else g.pct, PERCENT) for g in o.growths[1:]),
            ]
        )
    started = [p for p in monev.periods if p.total is not None]
    return Report(
        style=style,
        title=f"{w('monev')}: {monev.contest_name}",
        facts=[
            (w("contest"), monev.contest),
            (w("as_of"), style.day(monev.as_of)),
            (w("metric"), w(monev.metric)),
        ],
        tables=[periods, outlets],
        chart=Chart(
            f"{w(monev.metric)} / {w('period').lower()}",
            [p.period for p in started],
            [(w("total"), [p.total for p in started])],
            money=kind == RUPIAH,
        ),
        notes=[w("growth_note"), w("to_date_note")],
    )


def _target_row(line: TargetLine, style: Style, indent: str = "") -> list[Cell]:
    w = style.word
    kind = _value_kind(line.metric)
    source = w(line.target_source) if line.target_source else w("n/a")
    if line.target_source == "below":
        source = f"{source} ({line.targets_below})"
    return [
        Cell(f"{indent}{line.owner} {line.owner_name}"),
        Cell(w(line.metric)),
        Cell(line.segment or "-"),
        Cell(_span(style, line.start, line.end)),
        Cell(line.target, kind),
        Cell(source),
        Cell(line.achievement, kind),
        Cell(line.attainment_pct, PERCENT),
        Cell(line.projection, kind),
        Cell(w(line.status)),
        Cell(f"{line.attainment_sum(style)}; {line.projection_sum(style)}"),
    ]


def _potential_sum(style: Style, market) -> str:
    """``staff figures 58,500 (14 regencies/cities) + estimate 1,000 x 57.95 % = 580 (2)``."""
    estimate = estimate_sum(
        style, market.estimated_population, market.share, market.estimated_workers, market.employed
    )
    return (
        f"{style.word('staff_figures')} {style.count(market.staff_workers)} ({market.staff_regencies} "
        f"{style.word('regencies')}) + {style.word('estimate')} {estimate} ({market.estimated_regencies} "
        f"{style.word('regencies')})"
    )


def target_report(status: TargetStatus, style: Style) -> Report:
    w = style.word
    table = Table(
        w("targets"),
        [
            w("office"), w("metric"), w("segment"), w("period"), w("target"), "", w("achievement"),
            w("attainment"), w("projection"), w("status"), w("arithmetic"),
        ],
    )  # fmt: skip
    for line in status.lines:
        table.rows.append(_target_row(line, style))
        for child in line.children:
            table.rows.append(_target_row(child, style, indent="  "))
    tables = [table]
    facts = [(w("office"), f"{status.owner} {status.owner_name}"), (w("as_of"), style.day(status.as_of))]
    market = status.market
    if market is not None:
        pct = market.penetration_pct
        tables.append(
            Table(
                w("penetration"),
                [w("active"), w("potential"), w("penetration"), w("arithmetic"), w("potential")],
                [
                    [
                        Cell(market.active, COUNT),
                        Cell(market.potential, COUNT),
                        Cell(pct, PERCENT),
                        Cell(penetration_sum(style, market.active, market.potential, pct)),
                        Cell(_potential_sum(style, market)),
                    ]
                ],
            )
        )
    if status.segments:
        tables.append(
            Table(
                w("segments"),
                [w("segment"), w("registered"), w("active")],
                [
                    [Cell(segment), Cell(registered, COUNT), Cell(active, COUNT)]
                    for segment, (registered, active) in status.segments.items()
                ],
            )
        )
    chart = None
    if status.lines:
        first = status.lines[0]
        bars = list(first.children) or [first]
        chart = Chart(
            f"{w(first.metric)} {first.start.year}",
            [line.owner for line in bars][:CHART_BARS],
            [
                (w("target"), [line.target or 0 for line in bars][:CHART_BARS]),
                (w("achievement"), [line.achievement or 0 for line in bars][:CHART_BARS]),
            ],
            money=first.metric in MONEY_METRICS,
        )
        facts.append(
            (
                w("attainment"),
                attainment_sum(style, first.achievement, first.target, first.attainment_pct, first.metric),
            )
        )
    return Report(
        style=style,
        title=f"{w('targets')}: {status.owner_name}",
        facts=facts,
        tables=tables,
        chart=chart,
        notes=[w("rule_note"), *([w("segment_note")] if status.segments else [])],
    )
