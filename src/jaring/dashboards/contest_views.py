"""Contest pages: the list, and one contest's live leaderboard, monev and winners.

A contest is public to the staff who run it: regional and branch staff see every participating outlet on
the leaderboard, but drill-down links only to the outlets in their scope. The figures are those of
``jaring contest leaderboard`` / ``monev`` (``monitoring.queries``); the leaderboard and the monev are taken
away as XLSX or PDF reports in the page's language (``monitoring.reports``), and every table as CSV.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaring.accounts.models import Role
from jaring.channels.models import Outlet
from jaring.common.clock import day_asked, local_date
from jaring.common.replica import reads_from_replica
from jaring.dashboards.access import query_with, staff_scope
from jaring.dashboards.tables import Row, Table, amount_kind
from jaring.monitoring.closing import close_refusal
from jaring.monitoring.exports import report_write
from jaring.monitoring.models import Contest
from jaring.monitoring.queries import (
    CLOSED,
    RUNNING,
    Leaderboard,
    Monev,
    contest_leaderboard,
    contest_monev,
    contest_period,
    period_state,
)
from jaring.monitoring.reports import leaderboard_report, monev_report
from jaring.monitoring.services import contest_period_close
from jaring.web.tables import EXPORT_FORMATS, Column
from jaring.web.templatetags.jaring import page_style

REPORT_FORMATS = ("xlsx", "pdf")
REPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
REFRESH_SECONDS = 30
# Who may close a contest period: contests are run nationally.
CLOSERS = frozenset({Role.ADMIN, Role.HEAD_OFFICE_ANALYST})
CHART_BARS = 20


@login_required
@reads_from_replica
def contest_list(request):
    staff_scope(request)
    today = local_date()
    style = page_style()
    columns = [
        Column(_("Contest"), "text"),
        Column(_("Code"), "text"),
        Column(_("Metric"), "text"),
        Column(_("Current period"), "text"),
        Column(_("Status"), "text"),
        Column(_("Periods"), "count"),
    ]
    rows = []
    for contest in Contest.objects.prefetch_related("periods"):
        periods = sorted(contest.periods.all(), key=lambda p: p.start)
        started = [p for p in periods if p.start <= today]
        current = started[-1] if started else (periods[0] if periods else None)
        rows.append(
            Row(
                [
                    contest.name,
                    contest.code,
                    style.word(contest.metric),
                    f"{current.code}: {_span(current.start, current.end)}" if current else "-",
                    style.word(period_state(current, today)) if current else "-",
                    len(periods),
                ],
                link=reverse("dashboards:contest", args=[contest.code]),
            )
        )
    table = Table("contests", _("Contests"), columns, rows, "contests")
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in EXPORT_FORMATS:
            raise Http404
        return table.export(request, fmt)
    table.exports = [(f, query_with(request, format=f)) for f in EXPORT_FORMATS]
    return render(request, "dashboards/contests.html", {"table": table})


@login_required
@reads_from_replica
def contest_detail(request, code: str):
    scope = staff_scope(request)
    contest = get_object_or_404(Contest, code=code)
    as_of, error = _as_of(request)
    periods = list(contest.periods.order_by("start"))
    if not periods:
        return render(request, "dashboards/contest.html", {"contest": contest, "periods": []})
    board = _board(request, contest, as_of)
    monev = contest_monev(contest, as_of)
    linkable = _linkable(scope, [row.outlet for row in board.rows])
    leaderboard = _leaderboard_table(board, linkable, request)
    monev_periods, monev_outlets = _monev_tables(monev)
    winners = []
    for period in periods:
        if period_state(period, as_of) != CLOSED:
            continue
        final = board if period.code == board.period else contest_leaderboard(contest, period, as_of)
        winners.append(_winners_table(final, linkable, request))
    tables = {t.key: t for t in (leaderboard, monev_periods, monev_outlets, *winners)}

    fmt, key = request.GET.get("format"), request.GET.get("table", "")
    if fmt:
        style = page_style()
        if key == "leaderboard" and fmt in REPORT_FORMATS:
            return _report_response(leaderboard_report(board, style), fmt, f"{contest.code}-{board.period}")
        if key == "monev" and fmt in REPORT_FORMATS:
            return _report_response(monev_report(monev, style), fmt, f"{contest.code}-monev")
        if key in tables and fmt in EXPORT_FORMATS:
            return tables[key].export(request, fmt)
        raise Http404
    # The leaderboard's links stay outside its refreshed part; it and the monev go to XLSX and PDF as the
    # full report (facts, table, chart), to CSV as a plain table. Winners go to CSV and XLSX as tables.
    for table in (monev_periods, monev_outlets, *winners):
        formats = ("csv",) if table.key.startswith("monev") else EXPORT_FORMATS
        table.exports = [(f, query_with(request, table=table.key, format=f)) for f in formats]
    reports = [(f, query_with(request, table="monev", format=f)) for f in REPORT_FORMATS]
    leaderboard_exports = [
        (f, query_with(request, table="leaderboard", format=f)) for f in ("csv", *REPORT_FORMATS)
    ]
    return render(
        request,
        "dashboards/contest.html",
        {
            "contest": contest,
            "metric": page_style().word(contest.metric),
            "periods": periods,
            "error": error,
            "as_of": as_of,
            "as_of_value": request.GET.get("as_of", "") if not error else "",
            "today": local_date(),
            **_board_context(request, board, leaderboard),
            "monev": monev,
            "monev_periods": monev_periods,
            "monev_outlets": monev_outlets,
            "monev_chart": _monev_chart(monev),
            "winners": winners,
            "leaderboard_exports": leaderboard_exports,
            "monev_exports": reports,
            "can_close": _closable(scope, board, periods),
        },
    )


def _closable(scope, board: Leaderboard, periods: list) -> bool:
    """Whether the viewer may close the period shown now (``monitoring.closing.close_refusal``)."""
    if scope.role not in CLOSERS:
        return False
    shown = next(period for period in periods if period.code == board.period)
    return close_refusal(shown, periods, local_date()) is None


@login_required
@require_POST
def contest_close(request, code: str):
    """Closes the period posted (head office and administrators): its standings are kept, its winners
    final."""
    scope = staff_scope(request)
    if scope.role not in CLOSERS:
        raise Http404
    contest = get_object_or_404(Contest, code=code)
    period = get_object_or_404(contest.periods, code=request.POST.get("period", ""))
    try:
        contest_period_close(period=period, actor=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Period %(period)s is closed: its standings are kept and its winners are final.")
            % {"period": period.code},
        )
    return redirect(f"{reverse('dashboards:contest', args=[code])}?{urlencode({'period': period.code})}")


@login_required
@reads_from_replica
def contest_board(request, code: str):
    """The leaderboard alone, for the page to refresh every 30 seconds (htmx); opened directly (a bookmark,
    an address copied from the browser), the whole contest page."""
    if not request.headers.get("HX-Request"):
        return contest_detail(request, code)
    scope = staff_scope(request)
    contest = get_object_or_404(Contest, code=code)
    as_of, _error = _as_of(request)
    if not contest.periods.exists():
        raise Http404
    board = _board(request, contest, as_of)
    table = _leaderboard_table(board, _linkable(scope, [row.outlet for row in board.rows]), request)
    return render(request, "dashboards/_leaderboard.html", _board_context(request, board, table))


# --- pieces ----------------------------------------------------------------------------------------------


def _as_of(request) -> tuple[date, str]:
    """``?as_of=YYYY-MM-DD`` (default and at most: today in Jakarta), and an error to show."""
    today = local_date()
    text = (request.GET.get("as_of") or "").strip()
    if not text:
        return today, ""
    day = day_asked(text)  # a day outside the years jaring counts in is answered 400
    if day is None:
        return today, _("Write the date as YYYY-MM-DD; showing today.")
    return min(day, today), ""


def _board(request, contest: Contest, as_of: date) -> Leaderboard:
    try:
        period = contest_period(contest, request.GET.get("period") or None, as_of=as_of)
    except ValidationError as error:
        raise Http404 from error
    return contest_leaderboard(contest, period, as_of)


def _linkable(scope, codes: list[str]) -> set[str]:
    """The outlets of ``codes`` the viewer may drill down into."""
    return set(scope.outlets(Outlet.objects.filter(code__in=codes)).values_list("code", flat=True))


def _span(start: date, end: date) -> str:
    style = page_style()
    return f"{style.day(start)} {style.word('through')} {style.day(end)}"


def _outlet_link(request, code: str, linkable: set[str]) -> str:
    return reverse("dashboards:outlet", args=[code]) if code in linkable else ""


def _ranking_columns(board: Leaderboard) -> list[Column]:
    kind = amount_kind(board.metric)
    carried = [Column(_("Of which carried in"), kind)] if _carries(board) else []
    return [
        Column(_("Rank"), "count"),
        Column(_("Outlet code"), "text"),
        Column(_("Outlet"), "text"),
        Column(page_style().word(board.metric), kind),
        *carried,
        Column(_("Prize"), "rupiah"),
    ]


def _carries(board: Leaderboard) -> bool:
    return any(row.carried for row in board.rows)


def _ranking_row(row, request, linkable, carries: bool = False) -> Row:
    return Row(
        [row.rank, row.outlet, row.name, row.value, *([row.carried] if carries else []), row.prize],
        link=_outlet_link(request, row.outlet, linkable),
        flag="prize" if row.prize else "",
    )


def _leaderboard_table(board: Leaderboard, linkable: set[str], request) -> Table:
    carries = _carries(board)
    rows = [_ranking_row(row, request, linkable, carries) for row in board.rows]
    title = _("Leaderboard %(period)s") % {"period": board.period}
    filename = f"{board.contest}-{board.period}"
    return Table("leaderboard", title, _ranking_columns(board), rows, filename, link_column=1)


def _winners_table(board: Leaderboard, linkable: set[str], request) -> Table:
    carries = _carries(board)
    rows = [_ranking_row(row, request, linkable, carries) for row in board.winners]
    title = _("Winners of %(period)s") % {"period": board.period}
    key = f"winners-{board.period}"
    table = Table(key, title, _ranking_columns(board), rows, f"{board.contest}-{key}", link_column=1)
    if board.rows and not rows:
        # The period ranked outlets but set no prizes: nobody "won", and the page says why.
        table.empty = _("Period %(period)s set no prizes: its ranking is the leaderboard above.") % {
            "period": board.period
        }
    return table


def _board_context(request, board: Leaderboard, table: Table) -> dict:
    shown = board.rows[:CHART_BARS]
    query = {"period": board.period}
    if request.GET.get("as_of"):
        query["as_of"] = request.GET["as_of"]
    refresh = reverse("dashboards:contest_board", args=[board.contest])
    return {
        "board": board,
        "board_state": page_style().word(board.state),
        "board_span": _span(board.start, board.end),
        "leaderboard": table,
        "live": board.state == RUNNING,
        "refresh_url": f"{refresh}?{urlencode(query)}",
        "refresh_every": f"every {REFRESH_SECONDS}s",
        "board_chart": {
            "labels": [row.name for row in shown],
            "values": [row.value for row in shown],
            "label": page_style().word(board.metric),
            "money": amount_kind(board.metric) == "rupiah",
            "horizontal": True,
        },
    }


def _monev_tables(monev: Monev) -> tuple[Table, Table]:
    style = page_style()
    kind = amount_kind(monev.metric)
    periods = Table(
        "monev-periods",
        _("Totals per period"),
        [
            Column(_("Period"), "text"),
            Column(_("Dates"), "text"),
            Column(_("Status"), "text"),
            Column(_("Total"), kind),
            Column(_("Growth"), "percent"),
            Column(_("Calculation"), "text"),
        ],
        filename=f"{monev.contest}-monev-periods",
    )
    for p in monev.periods:
        state = style.word(p.state) + (f" ({style.word('to_date')})" if p.to_date else "")
        periods.rows.append(
            Row(
                [
                    p.period,
                    _span(p.start, p.through or p.end),
                    state,
                    p.total,
                    None if p.growth is None else p.growth.pct,
                    "-" if p.growth is None else style.growth(p.growth, monev.metric),
                ]
            )
        )
    codes = [p.period for p in monev.periods]
    outlets = Table(
        "monev-outlets",
        _("Outlets per period"),
        [
            Column(_("Outlet code"), "text"),
            Column(_("Outlet"), "text"),
            *(Column(code, kind) for code in codes),
            *(Column(_("Growth %(period)s") % {"period": code}, "percent") for code in codes[1:]),
        ],
        filename=f"{monev.contest}-monev-outlets",
    )
    for o in monev.outlets:
        growths = [None if g is None else g.pct for g in o.growths[1:]]
        outlets.rows.append(Row([o.outlet, o.name, *o.values, *growths]))
    return periods, outlets


def _monev_chart(monev: Monev) -> dict:
    started = [p for p in monev.periods if p.total is not None]
    return {
        "labels": [p.period for p in started],
        "values": [p.total for p in started],
        "label": page_style().word(monev.metric),
        "money": amount_kind(monev.metric) == "rupiah",
    }


def _report_response(report, fmt: str, filename: str) -> HttpResponse:
    """A monitoring report (``monitoring.reports``) rendered as XLSX or PDF, as a download."""
    with tempfile.TemporaryDirectory() as folder:
        body = report_write(report, Path(folder) / f"report.{fmt}", fmt).read_bytes()
    response = HttpResponse(body, content_type=REPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}-{local_date().isoformat()}.{fmt}"'
    return response
