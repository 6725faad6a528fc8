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
_NUMBER_FORMATS = {"count": "#,##0", "rupiah": '"Rp"#,##0', "percent": '0.0" %"'}


def export_format(request) -> str | None:
    """The export format the request asks for (``?format=csv|xlsx``), or None for the page itself."""
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text, count, rupiah, percent, date


def table_bytes(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence], fmt: str) -> bytes:
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

        book = Workbook(write_only=False)
        sheet = book.active
        sheet.title = _sheet_title(title)
        xlsx_append(sheet, [str(column.label) for column in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            number = xlsx_append(sheet, row, dates=False)  # days as the page writes them
            for index, column in enumerate(columns, start=1):
                if column.kind in _NUMBER_FORMATS:
                    sheet.cell(number, index).number_format = _NUMBER_FORMATS[column.kind]
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r}: use csv or xlsx")


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
) -> HttpResponse:
    """The table as a download. ``personal`` tables are audited as an export of ``model`` rows."""
    rows = list(rows)
    body = table_bytes(title=title, columns=columns, rows=rows, fmt=fmt)
    if personal:
        from jaring.accounts.audit import audit_personal_data

        audit_personal_data(request, "export", obj=model, summary=f"{title}: {len(rows)} rows ({fmt})")
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(body, content_type="text/csv; charset=utf-8" if fmt == "csv" else _XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    return response


def _sheet_title(title) -> str:
    """A sheet's name: at most 31 characters, none of ``[]:*?/\\`` (a payer "A/B" would refuse the file)."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31].strip() or "jaring"
