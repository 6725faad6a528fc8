"""Contest pages on the Racing Contest scenario (loaded once at a tenth of its size through the bulk import,
rolled back after the module): the leaderboard, the monev and the winners show what ``jaring contest``
prints, the live period refreshes itself, everyone on the staff sees every outlet but drills down only into
their own, and the downloads hold the page's rows."""

import csv
import io
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from openpyxl import load_workbook

from jaring.demo.scenarios import racing_contest_path, scenario_load
from jaring.org.models import Office

pytestmark = pytest.mark.django_db
CONTEST = "pos-racing-2023"
PAGE = f"/dashboards/contests/{CONTEST}/"
REPORT_DAY = "2023-10-24"


@pytest.fixture(scope="module")
def racing(django_db_setup, django_db_blocker, tmp_path_factory):
    work = tmp_path_factory.mktemp("scenarios")
    with django_db_blocker.unblock(), transaction.atomic():
        yield scenario_load(path=racing_contest_path(), scale="0.1", work_dir=work)
        transaction.set_rollback(True)


def command_json(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def analyst(racing, staff, client):
    client.force_login(staff("head_office_analyst"))
    return client


def board_rows(response) -> list[dict]:
    return [
        dict(zip(("rank", "outlet", "name", "value", "prize"), row.cells, strict=True))
        for row in response.context["leaderboard"].rows
    ]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_leaderboard_shows_what_the_cli_prints(analyst):
    response = analyst.get(f"{PAGE}?period=P2&as_of={REPORT_DAY}")
    assert response.status_code == 200
    cli = command_json("contest", "leaderboard", CONTEST, "--period", "P2", "--as-of", REPORT_DAY)
    assert board_rows(response) == cli["rows"]
    assert [row["outlet"] for row in cli["rows"][:3]] == ["POS-KRW", "POS-KTP", "POS-SMG"]
    html = response.content.decode()
    assert 'data-testid="leaderboard"' in html and 'data-testid="chart-board"' in html
    assert "BNI-KRW" not in {row["outlet"] for row in board_rows(response)}


def test_without_a_period_the_page_shows_the_one_running_on_the_day_asked(analyst):
    response = analyst.get(f"{PAGE}?as_of={REPORT_DAY}")
    board = response.context["board"]
    assert (board.period, board.state) == ("P3", "running")
    cli = command_json("contest", "leaderboard", CONTEST, "--period", "P3", "--as-of", REPORT_DAY)
    assert board_rows(response) == cli["rows"]


def test_a_running_period_refreshes_itself_every_30_seconds(analyst):
    html = analyst.get(f"{PAGE}?period=P3&as_of={REPORT_DAY}").content.decode()
    assert 'hx-trigger="every 30s"' in html
    assert f'hx-get="{PAGE}board/?period=P3&amp;as_of={REPORT_DAY}"' in html
    part = analyst.get(f"{PAGE}board/?period=P3&as_of={REPORT_DAY}", HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert "<html" not in part.content.decode()
    assert (
        board_rows(part)
        == command_json("contest", "leaderboard", CONTEST, "--period", "P3", "--as-of", REPORT_DAY)["rows"]
    )
    closed = analyst.get(f"{PAGE}?period=P2").content.decode()
    assert "hx-trigger" not in closed


def test_the_leaderboard_opened_directly_is_the_whole_contest_page(analyst):
    whole = analyst.get(f"{PAGE}board/?period=P3&as_of={REPORT_DAY}")
    assert whole.status_code == 200
    assert "<html" in whole.content.decode() and whole.context["board"].period == "P3"
    assert board_rows(whole) == board_rows(analyst.get(f"{PAGE}?period=P3&as_of={REPORT_DAY}"))


def test_monev_shows_the_totals_and_growth_the_cli_prints(analyst):
    response = analyst.get(f"{PAGE}?as_of={REPORT_DAY}")
    cli = command_json("contest", "monev", CONTEST, "--as-of", REPORT_DAY)
    periods = response.context["monev_periods"].rows
    assert [row.cells[0] for row in periods] == ["P1", "P2", "P3"]
    assert [row.cells[3] for row in periods] == [p["total"] for p in cli["periods"]]
    assert [None if row.cells[4] is None else float(row.cells[4]) for row in periods] == [
        p["growth_pct"] for p in cli["periods"]
    ]
    outlets = {row.cells[0]: row.cells[2:5] for row in response.context["monev_outlets"].rows}
    assert outlets == {o["outlet"]: list(o["values"].values()) for o in cli["outlets"]}
    assert 'data-testid="chart-monev"' in response.content.decode()


def test_winners_of_the_closed_periods(analyst):
    response = analyst.get(f"{PAGE}?as_of={REPORT_DAY}")
    winners = {table.key: table for table in response.context["winners"]}
    assert set(winners) == {"winners-P1", "winners-P2"}
    cli = command_json("contest", "winners", CONTEST, "--period", "P2")
    assert [row.cells for row in winners["winners-P2"].rows] == [
        [r["rank"], r["outlet"], r["name"], r["value"], r["prize"]] for r in cli["rows"]
    ]
    assert len(winners["winners-P2"].rows) == 10
    assert 'data-testid="winners-P2"' in response.content.decode()


def test_branch_staff_see_every_outlet_but_drill_down_only_into_theirs(racing, staff, client):
    client.force_login(staff("branch_staff", office=Office.objects.get(code="KC-KRW")))
    response = client.get(f"{PAGE}?period=P2")
    rows = response.context["leaderboard"].rows
    assert len(rows) == len(command_json("contest", "leaderboard", CONTEST, "--period", "P2")["rows"])
    linked = {row.cells[1] for row in rows if row.link}
    assert linked == {"POS-KRW", "POS-CKP"}  # the outlets reporting to KC Karawang
    html = response.content.decode()
    assert 'href="/dashboards/outlet/POS-KRW/"' in html
    assert 'href="/dashboards/outlet/POS-SMG/"' not in html
    assert client.get("/dashboards/outlet/POS-SMG/").status_code == 404
    assert client.get("/dashboards/outlet/POS-KRW/").status_code == 200


def test_the_contest_list_links_to_each_contest(analyst):
    response = analyst.get("/dashboards/contests/")
    assert f'href="{PAGE}"' in response.content.decode()
    rows = read_csv(analyst.get("/dashboards/contests/?format=csv"))
    assert [row[1] for row in rows[1:]] == [CONTEST]


def test_the_leaderboard_downloads_as_csv_xlsx_and_pdf_with_the_same_rows(analyst):
    page = f"{PAGE}?period=P2&as_of={REPORT_DAY}"
    html = analyst.get(page).content.decode()
    for fmt in ("csv", "xlsx", "pdf"):
        assert f'data-testid="export-leaderboard-{fmt}"' in html
    rows = board_rows(analyst.get(page))
    downloaded = read_csv(analyst.get(page + "&table=leaderboard&format=csv"))
    assert downloaded[1:] == [[str(v) for v in row.values()] for row in rows]
    book = load_workbook(io.BytesIO(analyst.get(page + "&table=leaderboard&format=xlsx").content))
    cells = [list(row) for row in book["Laporan"].iter_rows(values_only=True)]
    header = next(
        i
        for i, row in enumerate(cells)
        if row[:5] == ["Peringkat", "Kode kantor", "Nama kantor", "Nilai", "Hadiah"]
    )
    assert [row[:5] for row in cells[header + 1 : header + 1 + len(rows)]] == [list(r.values()) for r in rows]
    pdf = analyst.get(page + "&table=leaderboard&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_report_is_in_the_language_of_the_page(analyst):
    analyst.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    book = load_workbook(io.BytesIO(analyst.get(f"{PAGE}?period=P2&table=leaderboard&format=xlsx").content))
    cells = [list(row) for row in book["Report"].iter_rows(values_only=True)]
    assert ["Rank", "Outlet code", "Outlet", "Value", "Prize"] in [row[:5] for row in cells]


def test_the_monev_downloads_with_the_rows_of_the_page(analyst):
    page = f"{PAGE}?as_of={REPORT_DAY}"
    response = analyst.get(page)
    html = response.content.decode()
    for testid in (
        "export-monev-xlsx",
        "export-monev-pdf",
        "export-monev-periods-csv",
        "export-monev-outlets-csv",
    ):
        assert f'data-testid="{testid}"' in html
    outlets = read_csv(analyst.get(page + "&table=monev-outlets&format=csv"))
    assert [row[0] for row in outlets[1:]] == [row.cells[0] for row in response.context["monev_outlets"].rows]
    book = load_workbook(io.BytesIO(analyst.get(page + "&table=monev&format=xlsx").content))
    cells = [list(row) for row in book["Laporan"].iter_rows(values_only=True)]
    totals = {row[0]: row[3] for row in cells if row[0] in ("P1", "P2", "P3")}
    assert totals == {row.cells[0]: row.cells[3] for row in response.context["monev_periods"].rows}
    assert analyst.get(page + "&table=monev&format=pdf").content.startswith(b"%PDF")
    winners = load_workbook(io.BytesIO(analyst.get(page + "&table=winners-P2&format=xlsx").content))
    assert winners.active.max_row == 11


def test_contests_are_404_for_outlet_roles_and_unknown_codes(racing, staff, client):
    from jaring.channels.models import Outlet

    client.force_login(staff("outlet_teller", outlet=Outlet.objects.get(code="POS-KRW")))
    assert client.get(PAGE).status_code == 404
    assert client.get(PAGE + "board/").status_code == 404
    client.force_login(staff("admin"))
    assert client.get("/dashboards/contests/nope/").status_code == 404
    assert client.get(f"{PAGE}?period=P9").status_code == 404
    assert client.get(f"{PAGE}?table=leaderboard&format=exe").status_code == 404


def test_head_office_closes_a_period_in_order_and_its_board_is_then_final(analyst):
    html = analyst.get(f"{PAGE}?period=P2").content.decode()
    assert 'data-testid="close-period"' not in html  # P1 is still open: periods close in order
    before = board_rows(analyst.get(f"{PAGE}?period=P1"))
    assert 'data-testid="close-period"' in analyst.get(f"{PAGE}?period=P1").content.decode()

    response = analyst.post(f"{PAGE}close/", {"period": "P1"})

    assert response.status_code == 302 and response["Location"] == f"{PAGE}?period=P1"
    page = analyst.get(f"{PAGE}?period=P1")
    html = page.content.decode()
    assert page.context["board"].final and 'data-testid="board-final"' in html
    assert 'data-testid="close-period"' not in html
    assert board_rows(page) == before  # the standings kept are those shown before closing
    closed = command_json("contest", "list")["contests"][0]["periods"]
    assert [(p["code"], p["closed"]) for p in closed] == [("P1", True), ("P2", False), ("P3", False)]
    again = analyst.post(f"{PAGE}close/", {"period": "P1"}, follow=True)
    assert "sudah ditutup" in again.content.decode()  # "already closed": pages speak Indonesian


def test_only_head_office_and_administrators_close_periods(racing, staff, client):
    from jaring.monitoring.models import ContestPeriod

    client.force_login(staff("branch_staff", office=Office.objects.get(code="KC-KRW")))
    assert 'data-testid="close-period"' not in client.get(f"{PAGE}?period=P1").content.decode()
    assert client.post(f"{PAGE}close/", {"period": "P1"}).status_code == 404
    client.force_login(staff("head_office_analyst"))
    assert client.get(f"{PAGE}close/").status_code == 405
    assert client.post(f"{PAGE}close/", {"period": "P9"}).status_code == 404
    assert not ContestPeriod.objects.filter(closed_at__isnull=False).exists()
