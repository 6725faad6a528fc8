"""The Racing Contest scenario at scale 1, loaded once for this module through the bulk import (and rolled
back after it): the leaderboard and monev show the seed's figures, in JSON and in the exports."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from openpyxl import load_workbook
from tests.conftest import pdf_text

from jaring.demo.scenarios import racing_contest_path, scenario_load
from jaring.members.models import Participant
from jaring.monitoring.formatting import Style
from jaring.monitoring.queries import contest_get, contest_leaderboard, contest_monev
from jaring.monitoring.reports import leaderboard_report
from jaring.tallies.verify import tallies_verify

pytestmark = pytest.mark.django_db
CONTEST = "pos-racing-2023"
SEED_TOP_THREE = [
    {"rank": 1, "outlet": "POS-KRW", "name": "KCU Karawang", "value": 2381, "prize": 20_000_000},
    {"rank": 2, "outlet": "POS-KTP", "name": "KC Ketapang", "value": 2272, "prize": 15_000_000},
    {"rank": 3, "outlet": "POS-SMG", "name": "KCU Semarang", "value": 2169, "prize": 8_000_000},
]


@pytest.fixture(scope="module")
def racing(django_db_setup, django_db_blocker, tmp_path_factory):
    """The summary of one load of scenarios/racing-contest.yaml, kept for the module's tests."""
    work = tmp_path_factory.mktemp("scenarios")
    with django_db_blocker.unblock(), transaction.atomic():
        summary = scenario_load(path=racing_contest_path(), work_dir=work)
        summary.work = work
        yield summary
        transaction.set_rollback(True)


def command_json(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_scenario_is_loaded_through_the_import_without_a_rejection(racing):
    assert racing.registrations == racing.registrations_added == 39_340
    assert racing.payments == racing.payments_added
    assert racing.rejected == 0
    assert Participant.objects.count() == 39_340


def test_tallies_agree_with_the_facts_after_the_scenario(racing):
    assert tallies_verify() == []


def test_period_two_leaderboard_shows_the_seed_top_three_and_ten_winners(racing):
    board = command_json("contest", "leaderboard", CONTEST, "--period", "P2")
    assert set(board) == {"contest", "period", "rows"}
    assert (board["contest"], board["period"]) == (CONTEST, "P2")
    assert all(set(row) == {"rank", "outlet", "name", "value", "prize"} for row in board["rows"])
    assert board["rows"][:3] == SEED_TOP_THREE
    winners = [row for row in board["rows"] if row["prize"] > 0]
    assert [row["rank"] for row in winners] == list(range(1, 11))
    assert all(row["prize"] == 0 for row in board["rows"][10:])
    assert sum(row["value"] for row in board["rows"]) == 16_000
    assert "BNI-KRW" not in {row["outlet"] for row in board["rows"]}  # not a Pos outlet


def test_winners_of_the_closed_period_are_the_ten_with_a_prize(racing):
    winners = command_json("contest", "winners", CONTEST, "--period", "P2")
    assert len(winners["rows"]) == 10
    assert winners["rows"][:3] == SEED_TOP_THREE


def test_the_running_period_is_live_to_the_day_asked(racing):
    board = contest_leaderboard(contest_get(CONTEST), "P3", as_of=date(2023, 10, 24))
    assert board.state == "running"
    assert board.total == 19_840
    assert contest_leaderboard(contest_get(CONTEST), "P3", as_of=date(2023, 9, 30)).total < 19_840


def test_monev_shows_540_percent_growth_and_24_percent_to_date(racing):
    monev = command_json("contest", "monev", CONTEST, "--as-of", "2023-10-24")
    periods = {p["period"]: p for p in monev["periods"]}
    assert [periods[p]["total"] for p in ("P1", "P2", "P3")] == [2_500, 16_000, 19_840]
    assert periods["P2"]["growth_pct"] == 540
    assert periods["P2"]["arithmetic"] == "16,000 / 2,500 - 1 = 540 %"
    assert periods["P3"]["growth_pct"] == 24
    assert periods["P3"]["arithmetic"] == "19,840 / 16,000 - 1 = 24 %"
    assert periods["P3"]["to_date"] is True and periods["P3"]["through"] == "2023-10-24"
    assert periods["P2"]["to_date"] is False
    karawang = next(o for o in monev["outlets"] if o["outlet"] == "POS-KRW")
    assert karawang["values"] == {"P1": 310, "P2": 2381, "P3": 2650}
    assert karawang["growth"]["P2"]["arithmetic"] == "2,381 / 310 - 1 = 668.1 %"


def test_loading_the_scenario_again_adds_nothing(racing):
    again = scenario_load(path=racing_contest_path(), work_dir=racing.work)
    assert (again.registrations_added, again.payments_added, again.rejected) == (0, 0, 0)
    assert Participant.objects.count() == 39_340
    assert tallies_verify() == []


def test_leaderboard_xlsx_holds_the_json_numbers_in_indonesian(racing, tmp_path):
    path = tmp_path / "papan.xlsx"
    call_command(
        "contest", "leaderboard", CONTEST, "--period", "P2", "--format", "xlsx", "--output", str(path),
        stdout=StringIO(),
    )  # fmt: skip
    board = command_json("contest", "leaderboard", CONTEST, "--period", "P2")
    book = load_workbook(path)
    sheet = book["Laporan"]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    columns = ["Peringkat", "Kode kantor", "Nama kantor", "Nilai", "Hadiah"]
    header = next(i for i, row in enumerate(cells) if row[:5] == columns)
    rows = [row[:5] for row in cells[header + 1 : header + 1 + len(board["rows"])]]
    assert rows == [[r["rank"], r["outlet"], r["name"], r["value"], r["prize"]] for r in board["rows"]]
    assert ["Per tanggal", "24 Oktober 2023"] in [row[:2] for row in cells] or any(
        row[0] == "Per tanggal" for row in cells
    )
    assert ["Periode", "P2: 1 Juni 2023 s.d. 31 Agustus 2023"] in [row[:2] for row in cells]
    assert sheet._charts, "the report has a bar chart"
    assert sheet.cell(header + 2, 5).number_format == '"Rp"#,##0'


def test_monev_xlsx_holds_the_growth(racing, tmp_path):
    path = tmp_path / "monev.xlsx"
    call_command(
        "contest", "monev", CONTEST, "--as-of", "2023-10-24", "--format", "xlsx", "--output", str(path),
        stdout=StringIO(),
    )  # fmt: skip
    cells = [list(row) for row in load_workbook(path)["Laporan"].iter_rows(values_only=True)]
    by_period = {row[0]: row for row in cells if row[0] in ("P1", "P2", "P3")}
    assert by_period["P2"][3:6] == [16_000, 540, "16.000 / 2.500 - 1 = 540 %"]
    assert by_period["P3"][3:6] == [19_840, 24, "19.840 / 16.000 - 1 = 24 %"]
    assert by_period["P3"][2] == "berjalan (sampai tanggal laporan)"


def test_pdf_exports_show_the_same_numbers(racing, tmp_path):
    board_pdf, monev_pdf = tmp_path / "papan.pdf", tmp_path / "monev.pdf"
    call_command(
        "contest", "leaderboard", CONTEST, "--period", "P2", "--format", "pdf", "--output", str(board_pdf),
        stdout=StringIO(),
    )  # fmt: skip
    call_command(
        "contest", "monev", CONTEST, "--as-of", "2023-10-24", "--format", "pdf", "--output", str(monev_pdf),
        stdout=StringIO(),
    )  # fmt: skip
    for path in (board_pdf, monev_pdf):
        assert path.read_bytes().startswith(b"%PDF")
    board = " ".join(pdf_text(board_pdf).split())  # table cells wrap: compare the words
    for text in ("KCU Karawang", "2.381", "Rp20.000.000", "KC Ketapang", "2.272", "Rp15.000.000", "2.169"):
        assert text in board
    assert "1 Juni 2023 s.d. 31 Agustus 2023" in board
    monev = " ".join(pdf_text(monev_pdf).split())
    assert "16.000 / 2.500 - 1 = 540 %" in monev
    assert "19.840 / 16.000 - 1 = 24 %" in monev
    assert "24 Oktober 2023" in monev


def test_english_reports_on_request(racing):
    report = leaderboard_report(
        contest_leaderboard(contest_get(CONTEST), "P2", date(2023, 10, 24)), Style("en")
    )
    assert report.tables[0].columns == ["Rank", "Outlet code", "Outlet", "Value", "Prize"]
    assert ("Period", "P2: 1 June 2023 to 31 August 2023") in report.facts


def test_monev_and_leaderboard_agree(racing):
    contest = contest_get(CONTEST)
    monev = contest_monev(contest, date(2023, 10, 24))
    for index, code in enumerate(("P1", "P2", "P3")):
        board = contest_leaderboard(contest, code, date(2023, 10, 24))
        assert {row.outlet: row.value for row in board.rows} == {
            o.outlet: o.values[index] for o in monev.outlets
        }
