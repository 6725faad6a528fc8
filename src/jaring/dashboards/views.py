"""Dashboards of the network: the head office, a regional office, a branch, an outlet, an agent.

Each page shows one month (``?month=YYYY-MM``, default the current month in Jakarta): cards, a trend of
registrations, the channel mix, the children to drill down into, the targets and, for an office, its
penetration of the potential market. Every table on a page is also ``?table=<key>&format=csv|xlsx``.
Staff only: outlet tellers, agents and payers get 404, and so does anything outside the viewer's scope.
"""

from __future__ import annotations

from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from jaring.accounts.scope import get_in_scope_or_404
from jaring.channels.models import Agent, Outlet
from jaring.common.replica import reads_from_replica
from jaring.dashboards import queries
from jaring.dashboards.access import period_asked, query_with, scope_root, staff_scope
from jaring.dashboards.queries import (
    ACTIVE,
    AGENT,
    COLLECTED,
    LAST_YEAR,
    NEW,
    OFFICE,
    OUTLET,
    PREVIOUS_MONTH,
    UNASSIGNED,
    Dashboard,
)
from jaring.dashboards.tables import OFFICE_KINDS, Row, Table, amount_kind, channel_label
from jaring.monitoring.arithmetic import percent
from jaring.monitoring.formatting import MONTHS, estimate_sum, penetration_sum
from jaring.monitoring.progress import owner_status, target_status
from jaring.org.models import Office
from jaring.org.queries import office_line
from jaring.web.tables import EXPORT_FORMATS, Column
from jaring.web.templatetags.jaring import page_style

AT_RISK = {"at_risk", "missed"}
GOING_WELL = {"on_track", "achieved"}


@login_required
@reads_from_replica
def home(request):
    """The dashboard of the user's scope root: the head office for national roles, else their office."""
    scope = staff_scope(request)
    root = scope_root(scope)
    if root is None:
        return render(request, "dashboards/empty.html")
    return _office_page(request, scope, root)


@login_required
@reads_from_replica
def office(request, code: str):
    scope = staff_scope(request)
    found = get_in_scope_or_404(scope.offices, Office.objects.all(), code=code)
    return _office_page(request, scope, found)


@login_required
@reads_from_replica
def outlet(request, code: str):
    scope = staff_scope(request)
    found = get_in_scope_or_404(scope.outlets, Outlet.objects.select_related("office"), code=code)
    period, error = period_asked(request)
    board = queries.outlet_dashboard(found, period, outlets=scope.outlets(), agents=scope.agents())
    crumbs = _outlet_crumbs(request, scope, found)
    status = owner_status(outlet=found, as_of=period.through)
    return _page(request, board, crumbs, error, targets=_targets_table(request, status.lines))


@login_required
@reads_from_replica
def agent(request, code: str):
    scope = staff_scope(request)
    found = get_in_scope_or_404(scope.agents, Agent.objects.select_related("outlet__office"), code=code)
    period, error = period_asked(request)
    board = queries.agent_dashboard(found, period)
    crumbs = _outlet_crumbs(request, scope, found.outlet) if found.outlet_id else _root_crumbs(request, scope)
    crumbs.append((f"{found.code} {found.name}", ""))
    status = owner_status(agent=found, as_of=period.through)
    return _page(request, board, crumbs, error, targets=_targets_table(request, status.lines))


SEARCH_LIMIT = 50


@login_required
@reads_from_replica
def search(request):
    """``?q=``: the offices, outlets and agents in the viewer's scope whose name or code holds every word
    asked, each linking to its dashboard (at most ``SEARCH_LIMIT`` of each)."""
    scope = staff_scope(request)
    text = " ".join((request.GET.get("q") or "").split())[:80]
    error = _("Type at least two letters of a name or a code.") if 0 < len(text) < 2 else ""
    rows, more = [], False
    if len(text) >= 2:
        kinds = [
            (OFFICE, scope.offices(), _("Office"), "path"),
            (OUTLET, scope.outlets(Outlet.objects.select_related("office")), _("Outlet"), "code"),
            (AGENT, scope.agents(Agent.objects.select_related("outlet")), _("Agent"), "code"),
        ]
        for kind, qs, label, order in kinds:
            found = list(qs.filter(_matching(text)).order_by(order)[: SEARCH_LIMIT + 1])
            more = more or len(found) > SEARCH_LIMIT
            for item in found[:SEARCH_LIMIT]:
                rows.append(
                    Row([label, item.code, item.name, _where(item)], link=_link(request, kind, item.code))
                )
    columns = [
        Column(_("Kind"), "text"),
        Column(_("Code"), "text"),
        Column(_("Name"), "text"),
        Column(_("Under"), "text"),
    ]
    table = Table(
        "results",
        "",
        columns,
        rows,
        "dashboard-search",
        empty=_("Nothing in your scope matches.") if text and not error else _("Type a name or a code."),
        link_column=2,
    )
    return render(
        request,
        "dashboards/search.html",
        {"table": table, "q": text, "error": error, "more": more, "limit": SEARCH_LIMIT},
    )


def _matching(text: str) -> Q:
    """Every word of the text in the name or the code ("pos kar" finds POS-KRW KCU Karawang)."""
    words = Q()
    for word in text.split():
        words &= Q(name__icontains=word) | Q(code__icontains=word)
    return words


def _where(item) -> str:
    """What an office, outlet or agent belongs to: the parent office, the outlet's office, the agent's
    outlet."""
    if isinstance(item, Office):
        return ""
    if isinstance(item, Outlet):
        return item.office.name if item.office_id else ""
    return f"{item.outlet.code} {item.outlet.name}" if item.outlet_id else ""


def _office_page(request, scope, office: Office):
    period, error = period_asked(request)
    board = queries.office_dashboard(office, period, outlets=scope.outlets())
    crumbs = [
        (o.name, "" if o.pk == office.pk else _link(request, OFFICE, o.code))
        for o in office_line(office, scope.office)
    ]
    status = target_status(office, period.through)
    market = _market_table(status.market) if status.market is not None else None
    return _page(
        request,
        board,
        crumbs,
        error,
        targets=_targets_table(request, status.lines),
        market=market,
        segments=_segments_table(status.segments),
    )


# --- pieces of a page ----------------------------------------------------------------------------------


def _link(request, kind: str, code: str) -> str:
    """The drill-down address of an office, outlet or agent, keeping the month asked."""
    month = request.GET.get("month")
    return reverse(f"dashboards:{kind}", args=[code]) + (f"?month={month}" if month else "")


def _root_crumbs(request, scope) -> list[tuple[str, str]]:
    root = scope_root(scope)
    return [(root.name, _link(request, OFFICE, root.code))] if root else []


def _outlet_crumbs(request, scope, outlet: Outlet) -> list[tuple[str, str]]:
    """Offices from the scope root down to the outlet's office, the outlet's parents in scope, the outlet
    (the last one without a link when it is the page itself)."""
    if outlet.office_id is not None and scope.offices().filter(pk=outlet.office_id).exists():
        offices = office_line(outlet.office, scope.office)
        crumbs = [(o.name, _link(request, OFFICE, o.code)) for o in offices]
    else:
        crumbs = _root_crumbs(request, scope)
    above = queries.outlet_ancestors(outlet)
    visible = set(
        scope.outlets(Outlet.objects.filter(pk__in=[o.pk for o in above])).values_list("pk", flat=True)
    )
    crumbs += [(f"{o.code} {o.name}", _link(request, OUTLET, o.code)) for o in above if o.pk in visible]
    here = request.resolver_match.url_name == OUTLET
    crumbs.append((f"{outlet.code} {outlet.name}", "" if here else _link(request, OUTLET, outlet.code)))
    return crumbs


def _children_table(request, board: Dashboard) -> Table:
    columns = [
        Column(_("Name"), "text"),
        Column(_("Code"), "text"),
        Column(_("Level"), "text"),
        Column(_("Registered"), "count"),
        Column(_("Active"), "count"),
        Column(_("Active share"), "percent"),
        Column(_("New in the month"), "count"),
        Column(_("Collected in the month"), "rupiah"),
    ]
    levels = {OUTLET: _("Outlet"), AGENT: _("Agent"), UNASSIGNED: "-"}
    rows = []
    for child in board.children:
        f = child.figures
        if child.kind == UNASSIGNED:
            name, level, link = _("Living where no branch serves"), "-", ""
        else:
            level = (
                str(OFFICE_KINDS.get(child.office_kind, "")) if child.kind == OFFICE else levels[child.kind]
            )
            name, link = child.name, _link(request, child.kind, child.code)
        rows.append(
            Row(
                [name, child.code, level, f.registered, f.active, f.active_share, f.new, f.collected],
                link=link,
            )
        )
    title = {OFFICE: _("Offices and outlets below"), OUTLET: _("Agents and child outlets")}.get(
        board.kind, ""
    )
    return Table("children", title, columns, rows, filename=f"dashboard-{board.code}-children")


def _months_table(board: Dashboard) -> Table:
    columns = [Column(_("Month"), "month"), Column(_("New registrations"), "count")]
    rows = [Row([month, value]) for month, value in board.trend]
    return Table("months", _("New registrations per month"), columns, rows, f"dashboard-{board.code}-months")


def _channels_table(board: Dashboard) -> Table:
    total = sum(value for _channel, value in board.channels)
    columns = [
        Column(_("Channel"), "text"),
        Column(_("Registrations"), "count"),
        Column(_("Share"), "percent"),
    ]
    rows = [Row([channel_label(channel), value, _share(value, total)]) for channel, value in board.channels]
    return Table(
        "channels",
        _("Registrations by channel, last 12 months"),
        columns,
        rows,
        f"dashboard-{board.code}-channels",
    )


def _share(part: int, whole: int):
    return percent(Fraction(part, whole)) if whole else None


def _targets_table(request, lines) -> Table:
    style = page_style()
    columns = [
        Column(_("Owner"), "text"),
        Column(_("Metric"), "text"),
        Column(_("Period"), "text"),
        Column(_("Target"), "count"),
        Column(_("Achievement"), "count"),
        Column(_("Attainment"), "attainment"),
        Column(_("Projection"), "count"),
        Column(_("Status"), "text"),
        Column(_("Calculation"), "text"),
    ]
    rows = []

    def add(line, *, child: bool) -> None:
        kind = amount_kind(line.metric)
        flag = "bad" if line.status in AT_RISK else "good" if line.status in GOING_WELL else ""
        rows.append(
            Row(
                [
                    f"{line.owner} {line.owner_name}",
                    style.word(line.metric) + (f" ({line.segment})" if line.segment else ""),
                    style.span(line.start, line.end),
                    line.target,
                    line.achievement,
                    line.attainment_pct,
                    line.projection,
                    style.word(line.status),
                    f"{line.attainment_sum(style)}; {line.projection_sum(style)}",
                ],
                link=_link(request, OFFICE, line.owner) if child else "",
                flag=flag,
                indent=child,
                kinds={3: kind, 4: kind, 6: kind},
            )
        )

    for line in lines:
        add(line, child=False)
        for child in line.children:
            add(child, child=True)
    return Table(
        "targets", _("Targets"), columns, rows, "dashboard-targets", empty=_("No targets overlap this year.")
    )


def _market_table(market) -> Table:
    style = page_style()
    pct = market.penetration_pct
    columns = [
        Column(_("Active BPU participants"), "count"),
        Column(_("Potential market"), "count"),
        Column(_("Penetration"), "percent"),
        Column(_("Calculation"), "text"),
        Column(_("Potential made of"), "text"),
    ]
    made_of = _("staff figures %(workers)s (%(n)s regencies/cities) + estimate %(estimate)s") % {
        "workers": style.count(market.staff_workers),
        "n": market.staff_regencies,
        "estimate": estimate_sum(
            style, market.estimated_population, market.share, market.estimated_workers, market.employed
        ),
    }
    row = Row(
        [
            market.active,
            market.potential,
            pct,
            penetration_sum(style, market.active, market.potential, pct),
            made_of,
        ]
    )
    return Table("market", _("Penetration of the potential market"), columns, [row], "dashboard-market")


def _segments_table(segments: dict[str, tuple[int, int]]) -> Table:
    """Registered participants on the day and active ones in its month, by segment (PU beside BPU)."""
    columns = [
        Column(_("Segment"), "text"),
        Column(_("Registered"), "count"),
        Column(_("Active (segment of registration)"), "count"),
    ]
    rows = [Row([segment, registered, active]) for segment, (registered, active) in segments.items()]
    return Table(
        "segments",
        _("Participants by segment"),
        columns,
        rows,
        "dashboard-segments",
        empty=_("No participants."),
    )


def _short_month(month) -> str:
    """Okt 2023 / Oct 2023: the first three letters are the usual abbreviation in both languages."""
    return f"{MONTHS[page_style().lang][month.month - 1][:3]} {month.year}"


def _chart_data(board: Dashboard) -> dict:
    return {
        "trend": {
            "labels": [_short_month(month) for month, _value in board.trend],
            "values": [value for _month, value in board.trend],
            "label": _("New registrations"),
        },
        "channels": {
            "labels": [channel_label(channel) for channel, _value in board.channels],
            "values": [value for _channel, value in board.channels],
        },
    }


def _compared_table(board: Dashboard) -> Table:
    """One row per figure (the month's, then the year to date): its value beside the same days of the
    month before and of the year before, and the change from each."""
    style = page_style()
    figures = {NEW: _("New registrations"), COLLECTED: _("Collected"), ACTIVE: _("Active participants")}
    columns = [
        Column(_("Figure"), "text"),
        Column(_("Period"), "text"),
        Column(_("Value"), "count"),
        Column(_("The month before"), "count"),
        Column(_("Change"), "change"),
        Column(_("A year before"), "count"),
        Column(_("Change"), "change"),
    ]
    grouped: dict[tuple[str, bool], dict[str, object]] = {}
    for line in board.compared:
        grouped.setdefault((line.measure, line.year_to_date), {})[line.against] = line
    rows = []
    for (measure, year_to_date), lines in grouped.items():
        first = next(iter(lines.values()))
        month, year = lines.get(PREVIOUS_MONTH), lines.get(LAST_YEAR)
        name = str(figures[measure])
        if year_to_date:
            name = _("%(figure)s, year to date") % {"figure": name}
        kind = "rupiah" if measure == COLLECTED else "count"
        rows.append(
            Row(
                [
                    name,
                    style.span(first.start, first.through),
                    first.value,
                    month.before if month else None,
                    month.change if month else None,
                    year.before if year else None,
                    year.change if year else None,
                ],
                kinds={2: kind, 3: kind, 5: kind},
            )
        )
    title = _("Compared with earlier periods")
    return Table("compared", title, columns, rows, f"dashboard-{board.code}-compared")


def _compared_note(board: Dashboard) -> str:
    """Which days the month before and the year before are counted over."""
    style = page_style()
    spans = {
        line.against: style.span(line.before_start, line.before_through)
        for line in board.compared
        if line.measure == NEW and not line.year_to_date
    }
    if not spans:
        return ""
    return _(
        "Counted over the same days: %(month)s for the month before, %(year)s for the year before; active "
        "participants over whole months."
    ) % {"month": spans[PREVIOUS_MONTH], "year": spans[LAST_YEAR]}


def _card_changes(board: Dashboard) -> dict[str, object]:
    """measure -> its change from the month before, for the cards."""
    return {line.measure: line for line in board.compared if line.against == PREVIOUS_MONTH}


def _page(
    request,
    board: Dashboard,
    crumbs,
    error: str,
    *,
    targets: Table,
    market: Table | None = None,
    segments: Table | None = None,
):
    tables = [_compared_table(board), _months_table(board), _channels_table(board), targets]
    if board.kind != AGENT:
        tables.insert(0, _children_table(request, board))
    if market is not None:
        tables.append(market)
    if segments is not None:
        tables.append(segments)
    by_key = {table.key: table for table in tables}
    for table in tables:
        table.period = f"{board.period.month}"
    fmt = request.GET.get("format")
    if fmt:
        table = by_key.get(request.GET.get("table", ""))
        if fmt not in EXPORT_FORMATS or table is None:
            raise Http404
        return table.export(request, fmt)
    for table in tables:
        table.exports = [(f, query_with(request, table=table.key, format=f)) for f in EXPORT_FORMATS]
    period = board.period
    current = queries.Period.of()
    return render(
        request,
        "dashboards/node.html",
        {
            "board": board,
            "crumbs": crumbs,
            "error": error,
            "tables": by_key,
            "charts": _chart_data(board),
            "changes": _card_changes(board),
            "compared_note": _compared_note(board),
            "month_value": str(period.month),
            "max_month": str(current.month),
            "previous": query_with(request, month=str(period.month - 1), table=None, format=None),
            "next": (
                query_with(request, month=str(period.month + 1), table=None, format=None)
                if period.month < current.month
                else ""
            ),
        },
    )
