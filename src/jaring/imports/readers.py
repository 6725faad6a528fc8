"""Reading import files (CSV or XLSX) as rows of text, checking the header first."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaring.common.text import visible

COLUMNS = {
    "registrations": (
        "nik",
        "name",
        "birth_date",
        "sex",
        "phone",
        "village_code",
        "occupation",
        "declared_income",
        "programmes",
        "outlet_code",
        "agent_code",
        "registered_at",
    ),
    "payments": ("nik", "months", "amount", "paid_at", "outlet_code", "reference", "agent_code"),
    "deposits": ("nik", "amount", "collected_at", "outlet_code", "reference", "agent_code"),
}
# Columns a file may leave out at the end of its header (files made before the column existed).
OPTIONAL_TAIL = {"payments": 1}


def is_xlsx(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _header_check(kind: str, header: list[str]) -> None:
    expected = list(COLUMNS[kind])
    found = [str(cell or "").strip().lower() for cell in header]
    while found and not found[-1]:
        found.pop()
    if found != expected and found != expected[: len(expected) - OPTIONAL_TAIL.get(kind, 0)]:
        raise ValidationError(
            {
                "file": _("The header row must be exactly: %(expected)s (found: %(found)s).")
                % {"expected": ",".join(expected), "found": visible(",".join(found)) or "-"}
            }
        )


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def count_rows(path: Path) -> int:
    """Data rows in the file (for progress; a CSV field with a line break makes it an estimate)."""
    if is_xlsx(path):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            return max((book.worksheets[0].max_row or 1) - 1, 0)
        finally:
            book.close()
    lines = 0
    last = b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def read_rows(path: Path, kind: str) -> Iterator[tuple[int, list[str]]]:
    """Yields (row number as the spreadsheet shows it, cells as text) for every data row; blank rows are
    skipped. Cells are given as written (a control character in one is for the row's checks to refuse).
    Raises ``ValidationError`` for a wrong header, a CSV file that is not UTF-8 text or a broken XLSX
    file, when it is met (the rows before it have been yielded)."""
    width = len(COLUMNS[kind])
    if is_xlsx(path):
        yield from _xlsx_rows(path, kind, width)
        return
    try:
        yield from _csv_rows(path, kind, width)
    except UnicodeDecodeError as error:
        raise ValidationError({"file": _("The file is not UTF-8 text; save it as CSV UTF-8.")}) from error
    except csv.Error as error:
        message = _("The CSV file cannot be read: %(error)s.") % {"error": visible(str(error))}
        raise ValidationError({"file": message}) from error


def _csv_rows(path: Path, kind: str, width: int) -> Iterator[tuple[int, list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = ";" if sample.split("\n", 1)[0].count(";") > sample.split("\n", 1)[0].count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, [])
        _header_check(kind, header)
        for cells in reader:
            if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
                continue  # a blank row
            if len(cells) != width:
                cells = (cells + [""] * width)[:width]
            yield reader.line_num, cells


def _xlsx_rows(path: Path, kind: str, width: int) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise ValidationError({"file": _("The XLSX file cannot be read; save it again.")}) from error
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        _header_check(kind, list(next(rows, ())))
        for number, values in enumerate(rows, start=2):
            cells = [_text(value) for value in values]
            if not any(cell.strip() for cell in cells):
                continue
            yield number, (cells + [""] * width)[:width]
    finally:
        book.close()


def template_csv(kind: str) -> str:
    """The header row (and one example row) users fill in."""
    examples = {
        "registrations": [
            "6471054412850003",
            "Dewi Lestari",
            "1985-12-04",
            "F",
            "081234567890",
            "64.71.05.1001",
            "PEDAGANG_PASAR",
            "1000000",
            "JKK+JKM+JHT",
            "POS-BPN",
            "",
            "",
        ],
        "payments": ["6471054412850003", "3", "110400", "2024-05-10", "POS-BPN", "POS-BPN-20240510-0001", ""],
        "deposits": ["6471054412850003", "5000", "2024-05-10", "POS-BPN", "POS-BPN-SETOR-0001", ""],
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[kind])
    writer.writerow(examples[kind])
    return out.getvalue()
