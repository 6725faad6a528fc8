"""`jaring agent ...`: the statement as JSON and as files, the bulk run, the lifecycle run, the payout."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from jaring.perisai.models import Statement
from jaring.perisai.services import statement_approve

from .test_statements import sign_up_and_pay


def run(*args):
    out = io.StringIO()
    call_command("agent", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def march(perisai, register):
    sign_up_and_pay(perisai, register, 55)
    return perisai


def test_the_statement_as_json_gives_the_figures_and_the_lines_behind_them(march):
    data = json.loads(run("statement", "PRS-1", "--month", "2025-03", "--json"))
    assert (data["collected"], data["commission"], data["bonus"], data["total"]) == (
        924_000,
        69_300,
        500_000,
        569_300,
    )
    assert data["state"] == "draft"
    assert len(data["lines"]) == 56
    assert {line["kind"] for line in data["lines"]} == {"payment", "bonus"}
    assert all(line["commission"] == 1_260 for line in data["lines"] if line["kind"] == "payment")


def test_the_statement_is_written_as_xlsx_and_pdf(march, tmp_path):
    from openpyxl import load_workbook

    run("statement", "PRS-1", "--month", "2025-03", "--language", "en",
        "--xlsx", str(tmp_path / "s.xlsx"), "--pdf", str(tmp_path / "s.pdf"))  # fmt: skip
    sheet = load_workbook(tmp_path / "s.xlsx").active
    assert sheet["A1"].value == "Perisai agent statement"
    figures = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2, max_row=13)}
    assert (figures["Commission"], figures["Bonus"], figures["Total"]) == (69_300, 500_000, 569_300)
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")


def test_an_unknown_agent_exits_with_a_field_error(march):
    with pytest.raises(SystemExit) as exit_:
        run("statement", "NOPE", "--month", "2025-03", "--json")
    assert exit_.value.code == 2


def test_the_bulk_run_and_the_payout_file(march, tmp_path):
    assert "1 draft statements" in run("statements", "--month", "2025-03")
    statement_approve(statement=Statement.objects.get(month="2025-03"), actor=None)
    run("payout", "--month", "2025-03", "--out", str(tmp_path / "payout.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "payout.csv").read_text())))
    assert [(row["agent_code"], row["amount"], row["account_number"]) for row in rows] == [
        ("PRS-1", "569300", "0123456789")
    ]
    assert Statement.objects.get(month="2025-03").state == "paid"
    # running it again pays nothing twice and writes the same file
    run("payout", "--month", "2025-03", "--out", str(tmp_path / "again.csv"))
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "payout.csv").read_bytes()


def test_the_lifecycle_run_from_the_command_line(perisai):
    data = json.loads(run("lifecycle", "--month", "2024-04", "--json"))
    assert sorted(data["deactivated"]) == ["PRS-1", "PRS-2"]
