"""Reading import files (CSV or XLSX) as rows of text, checking the header first.

A file is looked at whole before its first row is handed out (``import_file_open``), so that a file that
cannot be read fails before anything is imported, with a message naming what is wrong and where:

- CSV: read through once (its encoding, every record, every cell's length). It is UTF-8, or Windows-1252
  (what Excel on Windows saves as "CSV") when it is not UTF-8 and holds no UTF-8 sequence at all; a file
  mixing both fails naming the row and column of the first byte that is not UTF-8. A cell longer than
  ``csv.field_size_limit()`` (131,072 characters) fails the file naming its row and column.
- XLSX: before openpyxl parses anything, the zip directory is checked (unpacked at most
  ``XLSX_MAX_UNPACKED``; no part above 1 MB compressed more than ``XLSX_MAX_RATIO`` times: a zip bomb),
  the shared strings (at most ``XLSX_MAX_SHARED_STRINGS``) and the other parts read whole (at most
  ``XLSX_MAX_PART`` each) are bounded, and the first sheet is read once as bytes: well-formed XML, no
  DTD, no run of text longer than a spreadsheet can hold (``XLSX_MAX_TEXT_RUN``). Its rows are then read
  streaming, each row element dropped once read, without trusting the sheet's dimension tag.

A cell longer than ``MAX_CELL_CHARS`` does not stop the file: ``too_long`` names the column, and the import
refuses that row alone.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaring.common.text import visible

MAX_CELL_CHARS = 1_000
XLSX_MAX_UNPACKED = 256 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM = 1024 * 1024  # parts smaller than this may compress as well as they like
XLSX_MAX_SHARED_STRINGS = 32 * 1024 * 1024
XLSX_MAX_PART = 4 * 1024 * 1024
XLSX_MAX_TEXT_RUN = 1024 * 1024  # a cell holds at most 32,767 characters, escaped at most ~30 bytes each
XLSX_MAX_ROW_ELEMENTS = 4 * 16_384  # a row has at most 16,384 cells
XLSX_MAX_ROW_TEXT = 4 * 1024 * 1024
_BLOCK = 1 << 20
# A well-formed UTF-8 sequence of two to four bytes: a Windows-1252 text practically never holds one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_ROW_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_SURROGATE = re.compile("[\udc80-\udcff]")

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
        "event_code",
    ),
    "payments": ("nik", "months", "amount", "paid_at", "outlet_code", "reference", "agent_code"),
    "deposits": ("nik", "amount", "collected_at", "outlet_code", "reference", "agent_code"),
    # An employer's risk class and size may be left empty (the sector's, and from the workforce), and so
    # may the outlet and agent on the command line (a file uploaded on the page names an outlet).
    "employers": (
        "name",
        "village_code",
        "sector",
        "workforce",
        "nib",
        "npwp",
        "risk_class",
        "size",
        "outlet_code",
        "agent_code",
    ),
    # An employer's wage earners: the employer by registration number, NIB or NPWP; the worker's name,
    # birth date, sex, village and occupation (the registration's columns) needed only for a NIK not
    # registered yet, who is registered at the employer's enrolment outlet.
    "workers": (
        "employer",
        "nik",
        "name",
        "birth_date",
        "sex",
        "phone",
        "village_code",
        "occupation",
        "wage",
        "first_month",
    ),
    # A payment channel's daily settlement file (jaring settlement import): not an import of its own.
    "settlement": ("reference", "payment_code", "months", "amount", "paid_at"),
}
# Columns a file may leave out at the end of its header (files made before the column existed).
OPTIONAL_TAIL = {"payments": 1, "registrations": 1}


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _column_name(kind: str, index: int) -> str:
    names = COLUMNS[kind]
    return names[index] if index < len(names) else str(index + 1)


def is_xlsx(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _header_check(kind: str, header: list[str]) -> None:
    expected = list(COLUMNS[kind])
    found = [str(cell or "").strip().lower() for cell in header]
    while found and not found[-1]:
        found.pop()
    if found != expected and found != expected[: len(expected) - OPTIONAL_TAIL.get(kind, 0)]:
        raise _refuse(
            _("The header row must be exactly: %(expected)s (found: %(found)s).")
            % {"expected": ",".join(expected), "found": visible(",".join(found)) or "-"}
        )


def _text(value) -> str:
    if isinstance(value, Unreadable):
        return value
    if value is None:
        return ""
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def too_long(cells: list[str]) -> list[int]:
    """The positions of the cells longer than ``MAX_CELL_CHARS`` (their row is refused)."""
    return [index for index, cell in enumerate(cells) if len(cell) > MAX_CELL_CHARS]


@dataclass
class ImportFile:
    """A file looked at whole and found readable: its rows can be read (``rows()``), more than once.
    ``total_rows`` is exact for a CSV file, an estimate for an XLSX file (its row elements, counted
    before reading; never the sheet's own dimension tag)."""

    path: Path
    kind: str
    total_rows: int
    encoding: str = ""  # CSV only
    sheet: str = ""  # XLSX only: the first sheet's part
    opened: tuple | None = None  # XLSX only: the workbook as the check left it open, for the first read

    def close(self) -> None:
        """Closes the workbook the check left open, if its rows were not read."""
        if self.opened is not None:
            reader, handle = self.opened
            reader.archive.close()
            handle.close()
            self.opened = None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(COLUMNS[self.kind])
        if self.sheet:
            opened, self.opened = self.opened, None
            yield from _xlsx_rows(self.path, self.kind, width, self.sheet, opened)
        else:
            yield from _csv_rows(self.path, self.kind, width, self.encoding)


def import_file_open(path: Path, kind: str) -> ImportFile:
    """Looks at the whole file; raises ``ValidationError`` (on ``file``, with a message naming what and
    where) if it cannot be imported whole. Nothing is imported by looking."""
    try:
        xlsx = is_xlsx(path)
    except OSError as error:
        raise _refuse(_("The file cannot be read; upload it again.")) from error
    if xlsx:
        opened, sheet, estimate = _xlsx_check(path)
        return ImportFile(path=path, kind=kind, total_rows=estimate, sheet=sheet, opened=opened)
    encoding = _csv_encoding(path)
    if not encoding:
        _csv_bad_byte(path, kind)  # raises, naming the row and column
    width = len(COLUMNS[kind])
    total = sum(1 for _ in _csv_rows(path, kind, width, encoding))
    return ImportFile(path=path, kind=kind, total_rows=total, encoding=encoding)


def count_rows(path: Path, kind: str = "registrations") -> int:
    """Data rows in the file (exact for CSV, an estimate for XLSX); raises ``ValidationError`` as
    ``import_file_open`` does."""
    source = import_file_open(path, kind)
    source.close()
    return source.total_rows


def read_rows(path: Path, kind: str) -> Iterator[tuple[int, list[str]]]:
    """Yields (row number as the spreadsheet shows it, cells as text) for every data row; blank rows are
    skipped. Cells are given as written (a control character or a cell longer than ``MAX_CELL_CHARS`` is
    for the row's checks to refuse). Raises ``ValidationError`` before the first row for a file that
    cannot be read whole (see the module's docstring)."""
    yield from import_file_open(path, kind).rows()


# -- CSV ----------------------------------------------------------------------------------------------


def _csv_encoding(path: Path) -> str:
    """ "utf-8-sig" for UTF-8 text, "cp1252" for a file that is not UTF-8 and holds no UTF-8 sequence (what
    Excel on Windows saves as "CSV"), "" for neither (a mix, or bytes Windows-1252 does not define)."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, has_sequence = True, False
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            if is_utf8:
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    is_utf8 = False
            # (ASCII holds no sequence: said in C without the search)
            has_sequence = has_sequence or (not block.isascii() and _UTF8_SEQUENCE.search(block) is not None)
            if not is_utf8 and has_sequence:
                return ""
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if has_sequence:
        return ""
    windows = codecs.getincrementaldecoder("cp1252")()
    with open(path, "rb") as handle:
        try:
            while block := handle.read(_BLOCK):
                windows.decode(block)
        except UnicodeDecodeError:
            return ""
    return "cp1252"


def _csv_bad_byte(path: Path, kind: str) -> None:
    """Raises the message naming the row and column of the first byte that is not UTF-8 text."""
    for number, cells in _csv_records(path, kind, "utf-8-sig", errors="surrogateescape"):
        for index, cell in enumerate(cells):
            if found := _SURROGATE.search(cell):
                column = _column_name(kind, index) if number > 1 else str(index + 1)
                raise _refuse(
                    _(
                        "Row %(row)s, column %(column)s holds a byte (0x%(byte)02X) that is not UTF-8 text; "
                        'save the file as "CSV UTF-8" and upload it again.'
                    )
                    % {"row": number, "column": column, "byte": ord(found.group()) - 0xDC00}
                )
    raise _refuse(_('The file is not UTF-8 text; save it as "CSV UTF-8" and upload it again.'))


class _Lines:
    """The file's lines for ``csv.reader``, keeping those of the record being read, so that a cell too long
    to read can be named by its column."""

    def __init__(self, handle):
        self.handle = handle
        self.record: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.record.append(line)
        return line


def _column_past_limit(text: str, delimiter: str, limit: int) -> int:
    """The position of the first field of ``text`` (the start of a CSV record) longer than ``limit``."""
    column = length = 0
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            column, length = column + 1, 0
            continue
        length += 1
        if length > limit:
            return column
    return column


def _csv_records(
    path: Path, kind: str, encoding: str, errors: str = "strict"
) -> Iterator[tuple[int, list[str]]]:
    """Every record of the file with the line it starts on; a record ``csv`` cannot read (a cell too long)
    raises ``ValidationError`` naming its row and column."""
    # Read by ``csv`` alone (no Python step per line); only a file it cannot read is read again, line by
    # line, to name the row and column.
    with open(path, encoding=encoding, errors=errors, newline="") as handle:
        reader = csv.reader(handle, delimiter=_delimiter(handle))
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
            return
        except csv.Error as error:
            failed = error
    yield from _csv_records_named(path, kind, encoding, errors, after=start)
    message = _("Row %(row)s cannot be read as CSV (%(error)s); nothing was imported.")
    raise _refuse(message % {"row": start, "error": visible(str(failed))}) from failed


def _delimiter(handle) -> str:
    """The file's delimiter: a semicolon (Excel's "CSV" where the comma is the decimal sign) when the
    first line holds more of them than commas. Leaves ``handle`` at the start."""
    first = handle.readline(4096)
    handle.seek(0)
    return ";" if first.count(";") > first.count(",") else ","


def _csv_records_named(
    path: Path, kind: str, encoding: str, errors: str, after: int
) -> Iterator[tuple[int, list[str]]]:
    """``_csv_records`` line by line, yielding the records from line ``after`` on, so that a record
    ``csv`` cannot read is named by its row and column."""
    with open(path, encoding=encoding, errors=errors, newline="") as handle:
        delimiter = _delimiter(handle)
        lines = _Lines(handle)
        reader = csv.reader(lines, delimiter=delimiter)
        start = 1
        while True:
            lines.record.clear()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    limit = csv.field_size_limit()
                    index = _column_past_limit("".join(lines.record), delimiter, limit)
                    message = _(
                        "Row %(row)s, column %(column)s holds more than %(limit)s characters (a cell may "
                        "hold at most %(most)s); nothing was imported."
                    )
                    raise _refuse(
                        message
                        % {
                            "row": start,
                            "column": _column_name(kind, index),
                            "limit": f"{limit:,}",
                            "most": f"{MAX_CELL_CHARS:,}",
                        }
                    ) from error
                message = _("Row %(row)s cannot be read as CSV (%(error)s); nothing was imported.")
                raise _refuse(message % {"row": start, "error": visible(str(error))}) from error
            if start >= after:
                yield start, cells
            start = reader.line_num + 1


def _csv_rows(path: Path, kind: str, width: int, encoding: str) -> Iterator[tuple[int, list[str]]]:
    records = _csv_records(path, kind, encoding)
    header = next(records, (1, []))[1]
    _header_check(kind, header)
    for number, cells in records:
        if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
            continue  # a blank row
        if len(cells) != width:
            cells = (cells + [""] * width)[:width]
        yield number, cells


# -- XLSX ---------------------------------------------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _xlsx_damaged(error: BaseException | None = None) -> ValidationError:
    return _refuse(
        _("The XLSX file cannot be read; open it in a spreadsheet program, save it again and upload it.")
    )


def _xlsx_directory_check(archive: zipfile.ZipFile) -> None:
    """The zip bomb check, on the zip directory alone (nothing is unpacked)."""
    members = archive.infolist()
    for member in members:
        if member.file_size > XLSX_RATIO_FROM and member.file_size > XLSX_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise _refuse(
                _(
                    "The XLSX file's part %(part)s is compressed %(ratio)s times, more than a spreadsheet is "
                    "(at most %(most)s); it is not imported."
                )
                % {
                    "part": visible(member.filename),
                    "ratio": f"{member.file_size // max(member.compress_size, 1):,}",
                    "most": XLSX_MAX_RATIO,
                }
            )
    unpacked = sum(member.file_size for member in members)
    if unpacked > XLSX_MAX_UNPACKED:
        raise _refuse(
            _(
                "The XLSX file unpacks to %(size)s, more than the %(most)s an import may; "
                "split it or send it as CSV."
            )
            % {"size": _megabytes(unpacked), "most": _megabytes(XLSX_MAX_UNPACKED)}
        )


def _part_size(archive: zipfile.ZipFile, name: str) -> int:
    try:
        return archive.getinfo(name).file_size
    except KeyError as error:
        raise _xlsx_damaged() from error


def _too_big(part: str, size: int, most: int) -> ValidationError:
    return _refuse(
        _("The XLSX file's part %(part)s holds %(size)s, more than the %(most)s an import reads.")
        % {"part": visible(part), "size": _megabytes(size), "most": _megabytes(most)}
    )


def _capped(archive: zipfile.ZipFile):
    """Makes every whole read of a part (openpyxl parses those into a tree) refuse one above
    ``XLSX_MAX_PART``."""
    read = archive.read

    def capped_read(name, pwd=None):
        name = getattr(name, "filename", name)
        if name in archive.NameToInfo and (size := archive.getinfo(name).file_size) > XLSX_MAX_PART:
            raise _too_big(name, size, XLSX_MAX_PART)
        return read(name, pwd)  # a part that is not there raises KeyError, as openpyxl expects

    archive.read = capped_read
    return archive


def _workbook_open(path: Path):
    """openpyxl's reader of the workbook (manifest, shared strings, workbook, styles), its sheets not
    opened, after the zip directory check; and the first worksheet's part."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import SHARED_STRINGS

    handle = open(path, "rb")  # noqa: SIM115 (closed by the caller, or here on failure)
    try:
        reader = ExcelReader(handle, read_only=True, data_only=True)
        _xlsx_directory_check(reader.archive)
        _capped(reader.archive)
        reader.read_manifest()
        strings = reader.package.find(SHARED_STRINGS)
        if strings is not None:
            name = strings.PartName[1:]
            if (size := _part_size(reader.archive, name)) > XLSX_MAX_SHARED_STRINGS:
                raise _too_big(name, size, XLSX_MAX_SHARED_STRINGS)
            _xml_check(reader.archive, name)
            with reader.archive.open(name) as source:
                reader.shared_strings = _shared_strings(source)
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        for _sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                return reader, handle, rel.target
        raise _refuse(_("The XLSX file has no worksheet."))
    except ValidationError:
        handle.close()
        raise
    except Exception as error:  # openpyxl's and zipfile's own errors: a damaged file, whatever the kind
        handle.close()
        raise _xlsx_damaged(error) from error


def _shared_strings(source) -> list[str]:
    """The shared strings, as openpyxl reads them, each element dropped once read (openpyxl's own reader
    keeps an emptied element per string)."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS

    tag = f"{{{SHEET_MAIN_NS}}}si"
    strings: list[str] = []
    root = None
    for event, node in iterparse(source, events=("start", "end")):
        if root is None:
            root = node
        elif event == "end" and node.tag == tag:
            strings.append(Text.from_tree(node).content.replace("x005F_", ""))
            root.clear()
    return strings


def _xml_check(archive: zipfile.ZipFile, name: str) -> int:
    """Reads a part once as bytes, in blocks: well-formed XML without a DTD, no run of text longer than
    ``XLSX_MAX_TEXT_RUN``; answers the number of row elements (an estimate of the rows)."""

    def no_dtd(*_args):
        raise _refuse(
            _("The XLSX file's part %(part)s declares a DTD; it is not imported.") % {"part": visible(name)}
        )

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = no_dtd
    rows = run = longest = 0
    tail = b""
    try:
        with archive.open(name) as source:
            while block := source.read(_BLOCK):
                parser.Parse(block, False)
                pieces = block.split(b"<")
                if len(pieces) == 1:
                    run += len(block)
                else:
                    longest = max(longest, run + len(pieces[0]), max(map(len, pieces[1:-1]), default=0))
                    run = len(pieces[-1])
                if max(longest, run) > XLSX_MAX_TEXT_RUN:
                    raise _refuse(
                        _(
                            "The XLSX file's part %(part)s holds a text longer than a spreadsheet cell can "
                            "(32,767 characters); it is not imported."
                        )
                        % {"part": visible(name)}
                    )
                data = tail + block
                rows += sum(1 for found in _ROW_ELEMENT.finditer(data) if found.end() > len(tail))
                tail = data[-64:]
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise _refuse(
            _("The XLSX file's part %(part)s is damaged (%(error)s); save it again and upload it.")
            % {"part": visible(name), "error": expat.ErrorString(error.code)}
        ) from error
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as error:
        raise _xlsx_damaged(error) from error
    return rows


def _xlsx_check(path: Path) -> tuple[tuple, str, int]:
    """The workbook opened (its reader and file, to read the rows from without opening it again), the
    first sheet's part and its estimated data rows, once the whole file has been checked."""
    reader, handle, sheet = _workbook_open(path)
    try:
        rows = _xml_check(reader.archive, sheet)
    except BaseException:
        reader.archive.close()
        handle.close()
        raise
    return (reader, handle), sheet, max(rows - 1, 0)


class Unreadable(str):
    """A cell of an XLSX row that cannot be read (a number that is not one, a shared string that is not
    there): empty text, for the import to refuse its row alone, naming the column."""


_DAMAGED = (ValueError, TypeError, KeyError, IndexError, AttributeError)


def _row_parse(parser, element) -> tuple[int, list]:
    """openpyxl's ``parse_row``, a cell at a time: a damaged cell is ``Unreadable``, not the file's end."""
    given = element.get("r") or ""
    if given and not given.isdigit():
        raise _refuse(
            _("Row %(row)s of the XLSX file cannot be read (a damaged cell); save it again.")
            % {"row": parser.row_counter + 1}
        )
    parser.row_counter = int(given) if given else parser.row_counter + 1
    parser.col_counter = 0
    cells = []
    for cell in element:
        try:
            cells.append(parser.parse_cell(cell))
        except _DAMAGED:
            try:
                from openpyxl.utils import coordinate_to_tuple

                parser.col_counter = (
                    coordinate_to_tuple(cell.get("r"))[1] if cell.get("r") else parser.col_counter + 1
                )
            except _DAMAGED:
                parser.col_counter += 1
            cells.append({"column": parser.col_counter, "value": Unreadable()})
    return parser.row_counter, cells


def _sheet_rows(source, parser) -> Iterator[tuple[int, list]]:
    """(row number, openpyxl's cells) for every row element of a sheet, in order; every element is
    dropped from the tree once read, so the memory held is one row's."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.worksheet._reader import ROW_TAG

    stack: list = []
    in_row = False
    elements = text = 0
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            stack.append(element)
            if element.tag == ROW_TAG:
                in_row, elements, text = True, 0, 0
            continue
        stack.pop()
        if element.tag == ROW_TAG:
            yield _row_parse(parser, element)
            in_row = False
        elif in_row:
            elements += 1
            text += len(element.text or "") + len(element.tail or "")
            if elements > XLSX_MAX_ROW_ELEMENTS or text > XLSX_MAX_ROW_TEXT:
                raise _refuse(
                    _("Row %(row)s of the XLSX file holds more cells or text than a spreadsheet row can.")
                    % {"row": parser.row_counter + 1}
                )
            continue
        element.clear()
        if stack:
            stack[-1].remove(element)


def _xlsx_rows(
    path: Path, kind: str, width: int, sheet: str, opened: tuple | None = None
) -> Iterator[tuple[int, list[str]]]:
    from openpyxl.worksheet._reader import WorkSheetParser

    if opened is None:
        reader, handle, sheet = _workbook_open(path)
    else:
        reader, handle = opened
    try:
        book = reader.wb
        with reader.archive.open(sheet) as source:
            parser = WorkSheetParser(
                source,
                reader.shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            header = True
            try:
                for number, found in _sheet_rows(source, parser):
                    cells = [""] * width
                    blank = True
                    for cell in found:
                        value = _text(cell["value"])
                        if value.strip():
                            blank = False
                        if 1 <= cell["column"] <= width:
                            cells[cell["column"] - 1] = value
                    if header:  # every cell of it: a column beyond the expected ones is a wrong header
                        named = {
                            cell["column"]: _text(cell["value"])
                            for cell in found
                            if 0 < cell["column"] <= 16_384
                        }
                        _header_check(
                            kind, [named.get(index, "") for index in range(1, max(named, default=0) + 1)]
                        )
                        header = False
                        continue
                    if not blank:
                        yield number, cells
            except (zipfile.BadZipFile, OSError, EOFError, SyntaxError) as error:  # ParseError is one
                raise _xlsx_damaged(error) from error
            if header:
                _header_check(kind, [])
    finally:
        reader.archive.close()
        handle.close()


def template_csv(kind: str) -> str:
    """The header row (and one example row) users fill in."""
    examples = {
        "registrations": [
            "6471054412850003",
            "Dewi Lestari",
            "1985-12-04",
            "F",
            "081234567890",
            "64.71.05.1002",
            "PEDAGANG_PASAR",
            "1000000",
            "JKK+JKM+JHT",
            "POS-BPN",
            "",
            "",
            "",
        ],
        "payments": ["6471054412850003", "3", "110400", "2024-05-10", "POS-BPN", "POS-BPN-20240510-0001", ""],
        "deposits": ["6471054412850003", "5000", "2024-05-10", "POS-BPN", "POS-BPN-SETOR-0001", ""],
        "employers": [
            "CV Sumber Rejeki",
            "64.71.05.1002",
            "I",
            "8",
            "9120001234567",
            "",
            "",
            "",
            "POS-BPN",
            "",
        ],
        "workers": [
            "000000018",
            "6471054412850003",
            "Dewi Lestari",
            "1985-12-04",
            "F",
            "081234567890",
            "64.71.05.1002",
            "PENJAHIT",
            "4500000",
            "2024-05",
        ],
        "settlement": ["BNI-20241110-000123", "6522564574728", "3", "110400", "2024-11-10 14:05:09+07:00"],
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[kind])
    writer.writerow(examples[kind])
    return out.getvalue()
