"""Files that are hard to read: another encoding, a huge cell, a damaged or lying XLSX, a zip bomb. Each
imports whole or fails with a message naming what and where, before any row is imported, in bounded
memory (docs/import.md, "Bounds")."""

import csv
import io
import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from jaring.imports import readers
from jaring.imports.models import ImportJob
from jaring.imports.services import import_job_for_file, import_run
from jaring.imports.synthetic import registrations_file_write
from jaring.members.models import Participant

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from xlsx_parts import MAIN, SHEET_START, row_xml, sheet_xml, xlsx_write  # noqa: E402

RAW_PYTHON = ("UnicodeDecodeError", "field larger than field limit", "Traceback", "BadZipFile", "KeyError")


@pytest.fixture(autouse=True)
def english(admin_client, settings):
    """The messages are asserted in English (pages speak Indonesian unless asked)."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def rows(tmp_path, world) -> list[list[str]]:
    """The header and three good registrations."""
    path = tmp_path / "good.csv"
    registrations_file_write(path, 3, outlets=["POS-BPN"], regencies=["64.71"])
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def csv_file(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def run(path: Path) -> ImportJob:
    return import_run(import_job_for_file(path=path, kind="registrations"))


def failed_with(job: ImportJob, *words: str) -> None:
    assert job.status == "failed", job.error
    assert all(word in job.error for word in words), job.error
    assert not any(raw in job.error for raw in RAW_PYTHON), job.error
    assert job.processed_rows == 0 and not Participant.objects.exists()


def test_a_windows_1252_file_is_imported_whole(tmp_path, rows):
    rows[1][1], rows[3][1] = "Andrés Muñoz", "Maïmunah Fauziyyah"
    job = run(csv_file(tmp_path / "excel.csv", rows, encoding="cp1252"))
    assert job.status == "done" and job.accepted == 3 == job.total_rows
    assert set(Participant.objects.values_list("name", flat=True)) >= {"Andrés Muñoz", "Maïmunah Fauziyyah"}


def test_a_file_mixing_utf8_and_another_encoding_fails_naming_the_row_and_column(tmp_path, rows):
    rows[1][1] = "Andrés Muñoz"
    path = csv_file(tmp_path / "mixed.csv", rows)
    path.write_bytes(path.read_bytes().replace(rows[3][1].encode(), b"Ma\xefmunah"))
    failed_with(run(path), "Row 4", "column name", "0xEF", "UTF-8")


def test_a_5_mb_cell_fails_the_file_naming_the_row_and_column_before_any_row(tmp_path, rows):
    rows[2][5] = "9" * 5_000_000
    failed_with(run(csv_file(tmp_path / "huge.csv", rows)), "Row 3", "column village_code", "131,072")


def test_a_cell_over_1000_characters_refuses_its_row_alone(tmp_path, rows):
    rows[2][1] = "A" * 1_500
    job = run(csv_file(tmp_path / "long.csv", rows))
    assert job.status == "done" and (job.accepted, job.rejected) == (2, 1)
    assert job.reasons == {"name:too_long": 1}
    with open(job.result_path, encoding="utf-8") as handle:
        result = {row["row"]: row for row in csv.DictReader(handle)}
    assert "1,500" in result["3"]["reason"] and result["3"]["codes"] == "name:too_long"


def test_an_xlsx_whose_dimension_tag_undercounts_its_rows_imports_every_row(tmp_path, rows):
    job = run(xlsx_write(tmp_path / "kurang.xlsx", sheet=sheet_xml(rows, dimension="A1:L2")))
    assert job.status == "done" and job.accepted == 3 == Participant.objects.count()


def test_rows_of_an_xlsx_keep_the_numbers_the_spreadsheet_shows(tmp_path, rows):
    sheet = (
        SHEET_START.encode()
        + b"<sheetData>"
        + row_xml(1, rows[0])
        + row_xml(5, rows[1])
        + b"</sheetData></worksheet>"
    )
    assert list(readers.read_rows(xlsx_write(tmp_path / "gap.xlsx", sheet=sheet), "registrations")) == [
        (5, rows[1])
    ]


def _truncated_sheet(path, rows):
    return xlsx_write(path, sheet=sheet_xml(rows)[:-40])


def _not_a_zip(path, rows):
    path.write_bytes(b"PK\x03\x04" + os.urandom(2_000))
    return path


def _cut_zip(path, rows):
    data = xlsx_write(path, sheet=sheet_xml(rows)).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("damage", [_truncated_sheet, _not_a_zip, _cut_zip])
def test_a_damaged_xlsx_fails_with_a_message_before_any_row(tmp_path, rows, damage):
    failed_with(run(damage(tmp_path / "rusak.xlsx", rows)), "XLSX")


def test_a_damaged_xlsx_cell_refuses_its_row_alone(tmp_path, rows):
    sheet = sheet_xml(rows).replace(
        b'<c r="B3" t="inlineStr">', b'<c r="B3" t="s"><v>7</v></c><c r="Z3" t="inlineStr">'
    )
    sheet = sheet.replace(b'<c r="C4" t="inlineStr"><is><t>', b'<c r="C4" t="n"><v>tahun').replace(
        b'</t></is></c><c r="D4"', b'</v></c><c r="D4"'
    )
    job = run(xlsx_write(tmp_path / "sel.xlsx", sheet=sheet))
    assert job.status == "done" and (job.accepted, job.rejected) == (1, 2), job.error
    assert job.reasons == {"name:unreadable": 1, "birth_date:unreadable": 1}


def test_a_damaged_upload_ends_failed_with_a_message_not_queued(admin_client, tmp_path, rows):
    file = SimpleUploadedFile("rusak.xlsx", _not_a_zip(tmp_path / "r.xlsx", rows).read_bytes())
    admin_client.post(reverse("imports:upload"), {"kind": "registrations", "file": file})
    job = ImportJob.objects.get()
    assert job.status == "failed" and "XLSX" in job.error
    assert job.error in admin_client.get(reverse("imports:detail", args=[job.pk])).content.decode()


def _bomb_sheet(megabytes: int):
    cell = b'<row><c t="inlineStr"><is><t>6471054412850003</t></is></c></row>'
    block = cell * (1024 * 1024 // len(cell))

    def write(handle):
        handle.write(SHEET_START.encode() + b"<sheetData>")
        for _ in range(megabytes):
            handle.write(block)
        handle.write(b"</sheetData></worksheet>")

    return write


def _bomb_strings(megabytes: int):
    block = b"<si><t>a</t></si>" * 60_000

    def write(handle):
        handle.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
        for _ in range(megabytes):
            handle.write(block)
        handle.write(b"</sst>")

    return write


def test_a_zip_bomb_sheet_is_refused_before_it_is_unpacked(tmp_path, world):
    path = xlsx_write(tmp_path / "bom.xlsx", sheet=_bomb_sheet(64))
    assert path.stat().st_size < 200_000
    failed_with(run(path), "xl/worksheets/sheet1.xml", "compressed", "times")


def test_a_zip_bomb_of_shared_strings_is_refused(tmp_path, rows):
    path = xlsx_write(tmp_path / "bom.xlsx", sheet=sheet_xml(rows), strings=_bomb_strings(64))
    failed_with(run(path), "xl/sharedStrings.xml", "compressed")


def _random_strings(count: int):
    rng = random.Random(7)

    def write(handle):
        handle.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        for start in range(0, count, 10_000):
            handle.write(
                "".join(
                    f"<si><t>{rng.choice(alphabet)}{rng.choice(alphabet)}</t></si>"
                    for _ in range(min(10_000, count - start))
                ).encode()
            )
        handle.write(b"</sst>")

    return write


def test_shared_strings_and_unpacked_size_beyond_their_bounds_are_refused(tmp_path, rows, monkeypatch):
    monkeypatch.setattr(readers, "XLSX_MAX_SHARED_STRINGS", 1024 * 1024)
    path = xlsx_write(tmp_path / "banyak.xlsx", sheet=sheet_xml(rows), strings=_random_strings(80_000))
    failed_with(run(path), "xl/sharedStrings.xml", "more than the 1 MB")
    monkeypatch.setattr(readers, "XLSX_MAX_UNPACKED", 512 * 1024)
    monkeypatch.setattr(readers, "XLSX_MAX_SHARED_STRINGS", 32 * 1024 * 1024)
    failed_with(run(path), "unpacks to")


def test_a_text_longer_than_a_cell_can_hold_is_refused(tmp_path, rows):
    long = "".join(random.Random(3).choices("abcdefgh", k=1_100_000))
    path = xlsx_write(tmp_path / "panjang.xlsx", sheet=sheet_xml([*rows, [long]]))
    failed_with(run(path), "longer than a spreadsheet cell")


WORST = """
import resource, sys
sys.path.insert(0, {here!r})
import django
django.setup()
from django.utils import translation
translation.activate("en")  # the refusals below are read in English
from pathlib import Path
from django.core.exceptions import ValidationError
from jaring.imports.readers import COLUMNS, XLSX_MAX_SHARED_STRINGS, read_rows
from xlsx_parts import row_xml, sheet_xml, xlsx_write, SHEET_START
import test_hard_files as hard

folder = Path({folder!r})
header = list(COLUMNS["registrations"])
many = SHEET_START.encode() + b"<sheetData>" + row_xml(1, header) + b"".join(
    row_xml(n, ["3201011204850001", "Nama %d" % n] + ["x"] * 10) for n in range(2, 10_002)
) + b"</sheetData></worksheet>"
files = {{
    "bomb": xlsx_write(folder / "bomb.xlsx", sheet=hard._bomb_sheet(1024)),
    "strings at their bound": xlsx_write(
        folder / "strings.xlsx", sheet=sheet_xml([header]),
        strings=hard._random_strings(XLSX_MAX_SHARED_STRINGS // 18 - 10),
    ),
    "10,000 rows, no dimension": xlsx_write(folder / "many.xlsx", sheet=many),
}}
for name, path in files.items():
    try:
        print(name, sum(1 for _ in read_rows(path, "registrations")))
    except ValidationError as error:
        print(name, "refused:", *error.messages)
print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_reading_the_worst_files_stays_under_512_mb(tmp_path):
    """A 1 GB zip bomb, shared strings at their bound (the part openpyxl holds in memory whole), and
    many rows without a dimension tag, read in a process of their own."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jaring.settings", "JARING_HOME": str(tmp_path)}
    script = WORST.format(here=str(HERE), folder=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300, check=True
    )
    lines = done.stdout.splitlines()
    assert lines[0].startswith("bomb refused:") and "compressed" in lines[0]
    assert lines[1] == "strings at their bound 0"
    assert lines[2] == "10,000 rows, no dimension 10000"
    peak = int(lines[3].split()[1])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(done.stdout, "children's peak:", children, "MB")
    assert peak < 512 and children < 512, (peak, children)
