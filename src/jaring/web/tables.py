"""Any table on a page, taken away as CSV or XLSX with the same rows (and the same scope) as the page.

A view builds its rows once and either renders them or returns ``table_response``::

    columns = [Column(_("Outlet"), "text"), Column(_("Registrations"), "count")]
    if request.GET.get("format") in EXPORT_FORMATS:
        return table_response(request, title=_("Registrations by outlet"), columns=columns, rows=rows,
                              fmt=request.GET["format"], filename="registrations-by-outlet")

Exports that hold personal data (``personal=True``) are written to the audit trail as ``export``.
Numbers stay numbers in XLSX (counts ``#,##0``, rupiah ``"Rp"#,##0``) and plain in CSV. Every cell goes
through ``jaring.common.sheets``: a text a spreadsheet would run as a formula (a participant named
``=HYPERLINK(...)``) comes out as text, an apostrophe before it in CSV, a typed string cell in XLSX.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone

from jaring.common.sheets import csv_row, xlsx_append

EXPORT_FORMATS = ("csv", "xlsx")
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NUMBER_FORMATS = {
    "count": "#,##0",
    "rupiah": '"Rp"#,##0',
    "percent": '0.0" %"',
    "attainment": '0.0" %"',
    "change": '+0.0" %";-0.0" %";0" %"',
    "points": '+0.0" pp";-0.0" pp";0" pp"',
}


def export_format(request) -> str | None:
    """The export format the request asks for (``?format=csv|xlsx``), or None for the page itself."""
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = (
        "text"  # text, count, rupiah, percent (change: a signed percent; attainment: with a bar; points: a
        # signed difference of two percentages), date
    )


def table_bytes(
    *, title: str, columns: Sequence[Column], rows: Iterable[Sequence], fmt: str, period: str = ""
) -> bytes:
    """The table as CSV or XLSX. A workbook names its sheet after the period and the title (cut at a
    word within the 31 characters a sheet name may have), keeps the whole title in its properties, and
    sizes each column to what it holds."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(csv_row(column.label for column in columns))
        for row in rows:
            writer.writerow(csv_row(row))
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets spreadsheets read UTF-8
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        book = Workbook(write_only=False)
        book.properties.title = f"{title} ({period})" if period else str(title)
        sheet = book.active
        sheet.title = _sheet_title(f"{period} {title}" if period else title)
        xlsx_append(sheet, [str(column.label) for column in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(str(column.label)) for column in columns]
        for row in rows:
            number = xlsx_append(sheet, row, dates=False)  # days as the page writes them
            for index, column in enumerate(columns, start=1):
                if column.kind in _NUMBER_FORMATS:
                    sheet.cell(number, index).number_format = _NUMBER_FORMATS[column.kind]
            for index, value in enumerate(row[: len(widths)]):
                # a number shows with its thousands separators (and "Rp"): a third longer
                shown = len(f"{value:,}") + 3 if isinstance(value, int) else len(str(value or ""))
                widths[index] = max(widths[index], shown)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r}: use csv or xlsx")


def export_audit(request, *, title: str, rows: int, fmt: str, model) -> None:
    """Writes to the audit trail that a file of ``rows`` rows of ``model`` holding personal data was taken
    (``title``: what the file holds; ``fmt``: csv, xlsx, pdf)."""
    from django.utils.translation import gettext_noop

    from jaring.accounts.audit import Said, audit_personal_data

    said = Said(
        gettext_noop("%(title)s: %(rows)s rows (%(format)s)"), {"title": title, "rows": rows, "format": fmt}
    )
    audit_personal_data(request, "export", obj=model, summary=said)


def table_response(
    request,
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    fmt: str,
    filename: str,
    personal: bool = False,
    model=None,
    period: str = "",
) -> HttpResponse:
    """The table as a download named after what it holds: ``{filename}-{period}`` (the month, the contest
    period ...), else ``{filename}-{day of download}``. ``personal`` tables are audited as an export of
    ``model`` rows."""
    rows = list(rows)
    body = table_bytes(title=title, columns=columns, rows=rows, fmt=fmt, period=period)
    if personal:
        export_audit(request, title=title, rows=len(rows), fmt=fmt, model=model)
    stamp = re.sub(r"[^A-Za-z0-9_.-]+", "-", period) if period else timezone.localdate().isoformat()
    response = HttpResponse(body, content_type="text/csv; charset=utf-8" if fmt == "csv" else _XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    return response


def _sheet_title(title) -> str:
    """A sheet's name: at most 31 characters (cut at a word, with an ellipsis), none of ``[]:*?/\\`` (a
    payer "A/B" would refuse the file)."""
    text = " ".join(re.sub(r"[\[\]:*?/\\]", " ", str(title)).split())
    if len(text) > 31:
        cut = text[:30]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,.-·") + "…"
    return text or "jaring"
