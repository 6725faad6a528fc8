"""The tables of the dashboard pages, built once and either shown or taken away (CSV/XLSX through
``jaring.web.tables``), so that a download always holds the rows the page shows, in the viewer's scope.

A cell holds its raw value (an int count or rupiah, a Decimal percentage, a date, a text); the column says
how to show it, unless the row gives a kind of its own for that cell (a target of rupiah among counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Partner
from jaring.monitoring.formatting import MONEY_METRICS
from jaring.org.models import Office
from jaring.web.tables import Column, table_response

CHANNELS = {
    Partner.Kind.BPJS_BRANCH: _("BPJS branch office"),
    Partner.Kind.POS: _("Pos Indonesia"),
    Partner.Kind.BANK: _("Bank"),
    Partner.Kind.KIOSK: _("Kiosk"),
    Partner.Kind.ONLINE: _("Online"),
    Partner.Kind.AGENT_NETWORK: _("Agent network (Perisai)"),
    Partner.Kind.AGGREGATOR: _("Aggregator"),
    Partner.Kind.MARKET_COLLECTOR: _("Market collector"),
    Partner.Kind.LOCAL_GOVERNMENT: _("Local government"),
    Partner.Kind.EVENT: _("Event"),
}
OFFICE_KINDS = {
    Office.Kind.HEAD: _("Head office"),
    Office.Kind.REGIONAL: _("Regional office"),
    Office.Kind.BRANCH: _("Branch office"),
}


def channel_label(channel: str) -> str:
    return str(CHANNELS.get(channel, channel or _("unknown")))


def amount_kind(metric: str) -> str:
    """How a value of a monitoring metric is shown: rupiah for money, a count otherwise."""
    return "rupiah" if metric in MONEY_METRICS else "count"


@dataclass
class Row:
    cells: list
    link: str = ""  # the table's link column links here (a drill-down)
    flag: str = ""  # a CSS class for the row: bad (at risk, missed), good, muted
    indent: bool = False
    kinds: dict[int, str] = field(
        default_factory=dict
    )  # cell index -> kind, where it differs from the column


@dataclass
class Table:
    key: str  # its name in ``?table=``
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    filename: str = ""
    exports: list[tuple[str, str]] = field(default_factory=list)  # (format, address), set by the view
    empty: str = ""  # what to say when there are no rows
    link_column: int = 0  # the cell that carries a row's link
    period: str = ""  # what the rows cover (a month), for the file's name and sheet

    def shown_rows(self) -> list[dict]:
        """Rows for the template: each cell with the kind it is shown as."""
        return [
            {
                "cells": [
                    (value, row.kinds.get(index, column.kind))
                    for index, (value, column) in enumerate(zip(row.cells, self.columns, strict=True))
                ],
                "link": row.link,
                "link_at": self.link_column,
                "flag": row.flag,
                "indent": row.indent,
            }
            for row in self.rows
        ]

    def export(self, request, fmt: str):
        return table_response(
            request,
            title=str(self.title),
            columns=self.columns,
            rows=[[_plain(value) for value in row.cells] for row in self.rows],
            fmt=fmt,
            filename=self.filename or self.key,
            period=self.period,
        )


def _plain(value):
    """A cell as a spreadsheet wants it: percentages as numbers, everything else as it is."""
    if isinstance(value, Decimal):
        return float(value)
    return value
