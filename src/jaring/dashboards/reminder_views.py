"""Whether reminders work: ``/dashboards/reminders/`` compares, cohort by cohort, how many reminded
workers paid with how many of the workers held out at random from the same reminders
(``reminders.queries.reminder_retention``).

The page shows ``COHORTS`` months up to ``?month=YYYY-MM`` (default: the current month in Jakarta); its
table is also ``?table=retention&format=csv|xlsx``. Staff only, each in their scope: office staff count
the workers of their subtree (``Scope.participants``), national roles every worker.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from jaring.common.replica import reads_from_replica
from jaring.dashboards.access import period_asked, query_with, staff_scope
from jaring.dashboards.queries import Period
from jaring.dashboards.tables import Row, Table
from jaring.monitoring.arithmetic import percent
from jaring.monitoring.formatting import MONTHS
from jaring.reminders.models import ReminderRule
from jaring.reminders.queries import Group, Retention, reminder_retention, reminder_rules
from jaring.web.tables import EXPORT_FORMATS, Column
from jaring.web.templatetags.jaring import page_style

COHORTS = 6  # months shown on the page


@login_required
@reads_from_replica
def reminders(request):
    """The retention of reminded workers against the holdout, by cohort (the month a reminder was about
    and its kind), with the counts, the shares that paid and their difference in percentage points."""
    scope = staff_scope(request)
    period, error = period_asked(request)
    last = period.month
    first = last - (COHORTS - 1)
    lines = reminder_retention(
        first=first, last=last, participants=None if scope.is_national else scope.participants()
    )
    table = _retention_table(lines)
    table.period = f"{first}_{last}"
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in EXPORT_FORMATS or request.GET.get("table", table.key) != table.key:
            raise Http404
        return table.export(request, fmt)
    table.exports = [(f, query_with(request, table=table.key, format=f)) for f in EXPORT_FORMATS]
    current = Period.of()
    holdout = reminder_rules(current.month).holdout
    return render(
        request,
        "dashboards/reminders.html",
        {
            "table": table,
            "chart": _chart_data(lines),
            "error": error,
            "first": first,
            "last": last,
            "share": percent(holdout.share),
            "scope_label": scope.label,
            "month_value": str(last),
            "max_month": str(current.month),
            "previous": query_with(request, month=str(last - 1), table=None, format=None),
            "next": (
                query_with(request, month=str(last + 1), table=None, format=None)
                if last < current.month
                else ""
            ),
        },
    )


def _kind_label(kind: str) -> str:
    return str(ReminderRule.Kind(kind).label) if kind in ReminderRule.Kind.values else kind


def _share(group: Group):
    return percent(group.share) if group.share is not None else None


def _calculation(line: Retention) -> str:
    """The sum done: ``3 / 4 = 75 % - 1 / 2 = 50 % = 25 pp``."""
    style = page_style()

    def part(group: Group) -> str:
        return f"{style.count(group.paid)} / {style.count(group.workers)} = {style.percent(_share(group))}"

    if line.difference is None:
        return f"{part(line.reminded)}; {part(line.held_out)}"
    points = style.percent(percent(line.difference)).removesuffix(" %")
    return f"{part(line.reminded)} - ({part(line.held_out)}) = {points} {_('pp')}"


def _retention_table(lines: list[Retention]) -> Table:
    columns = [
        Column(_("Cohort"), "month"),
        Column(_("Reminder"), "text"),
        Column(_("Reminded"), "count"),
        Column(_("Reminded, paid"), "count"),
        Column(_("Reminded, share paid"), "percent"),
        Column(_("Held out"), "count"),
        Column(_("Held out, paid"), "count"),
        Column(_("Held out, share paid"), "percent"),
        Column(_("Difference"), "points"),
        Column(_("Paid by"), "date"),
        Column(_("Counted"), "text"),
        Column(_("Calculation"), "text"),
    ]
    rows = [
        Row(
            [
                line.month,
                _kind_label(line.kind),
                line.reminded.workers,
                line.reminded.paid,
                _share(line.reminded),
                line.held_out.workers,
                line.held_out.paid,
                _share(line.held_out),
                percent(line.difference) if line.difference is not None else None,
                line.paid_by,
                _("final") if line.complete else _("still counting"),
                _calculation(line),
            ],
            flag="" if line.complete else "muted",
        )
        for line in lines
    ]
    return Table(
        "retention",
        _("Reminded and held-out workers who paid, by cohort"),
        columns,
        rows,
        filename="reminder-retention",
        empty=_("No reminders were planned in these months."),
    )


def _chart_data(lines: list[Retention]) -> dict:
    """Grouped bars: the share of each group that paid, per cohort."""
    labels = [f"{_short_month(line.month)} · {_kind_label(line.kind)}" for line in lines]

    def values(pick) -> list:
        return [float(percent(pick(line).share)) if pick(line).share is not None else None for line in lines]

    return {
        "labels": labels,
        "unit": "%",
        "datasets": [
            {"label": _("Reminded"), "values": values(lambda line: line.reminded)},
            {"label": _("Held out"), "values": values(lambda line: line.held_out)},
        ],
    }


def _short_month(month) -> str:
    return f"{MONTHS[page_style().lang][month.month - 1][:3]} {month.year}"
