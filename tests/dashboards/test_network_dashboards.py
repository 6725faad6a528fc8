"""Dashboards of the network: who may open them, where they start, drill-down within the scope only, figures
equal to the monitoring readings, downloads holding the page's rows, and a query count that does not grow
with the number of outlets."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from tests.conftest import jakarta

from jaring.channels.services import outlet_create
from jaring.common.clock import local_date
from jaring.monitoring import readings
from jaring.monitoring.services import target_set
from jaring.rules.months import Month

pytestmark = pytest.mark.django_db
JUNE = "?month=2024-06"


def signed_in(client, user):
    client.force_login(user)
    return client


def html_of(response) -> str:
    return response.content.decode()


def card(response, name: str) -> str:
    """The raw value (``data-value``) of a dashboard card."""
    html = response.content.decode()
    start = html.index(f'data-testid="card-{name}"')
    value = html.index('data-value="', start) + len('data-value="')
    return html[value : html.index('"', value)]


def table_rows(response, key: str) -> list[list]:
    return [row.cells for row in response.context["tables"][key].rows]


def by_code(response, key: str = "children") -> dict[str, list]:
    return {row[1]: row for row in table_rows(response, key)}


@pytest.fixture
def users(network, staff):
    n = network
    return {
        "admin": staff("admin"),
        "head_office_analyst": staff("head_office_analyst"),
        "auditor": staff("auditor"),
        "regional_staff": staff("regional_staff", office=n.java),
        "branch_staff": staff("branch_staff", office=n.karawang_branch),
        "outlet_teller": staff("outlet_teller", outlet=n.pos_karawang),
        "agent": staff("agent", agent=n.agent),
        "payer": staff("payer", payer=n.payer),
    }


# --- who sees what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "root"),
    [
        ("admin", "KP"),
        ("head_office_analyst", "KP"),
        ("auditor", "KP"),
        ("regional_staff", "KW04"),
        ("branch_staff", "KC-KRW"),
    ],
)
def test_every_staff_role_opens_the_dashboards_at_its_scope_root(client, users, role, root):
    response = signed_in(client, users[role]).get("/dashboards/")
    assert response.status_code == 200
    assert response.context["board"].code == root
    for testid in ("card-registered", "card-active", "card-share", "card-new", "card-collected"):
        assert f'data-testid="{testid}"' in html_of(response)
    assert 'data-testid="chart-trend"' in html_of(response)
    # the network registered its workers in 2024: no channel to draw in the last 12 months, so it says so
    assert 'data-testid="chart-channels-empty"' in html_of(response)
    assert 'data-testid="chart-channels"' not in html_of(response)
    assert signed_in(client, users[role]).get("/dashboards/contests/").status_code == 200


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("admin", ["/dashboards/office/KC-KRW/", "/dashboards/outlet/POS-KRW/", "/dashboards/agent/AG-1/"]),
        ("auditor", ["/dashboards/office/KW07/", "/dashboards/outlet/POS-BPN/"]),
        (
            "regional_staff",
            ["/dashboards/office/KC-KRW/", "/dashboards/outlet/BNI-KRW/", "/dashboards/agent/AG-1/"],
        ),
        (
            "branch_staff",
            ["/dashboards/outlet/POS-KRW/", "/dashboards/outlet/POS-CKP/", "/dashboards/agent/AG-1/"],
        ),
    ],
)
def test_staff_open_every_level_of_their_scope(client, users, role, pages):
    client = signed_in(client, users[role])
    for page in pages:
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("role", ["outlet_teller", "agent", "payer"])
def test_tellers_agents_and_payers_get_404_on_every_dashboard(client, users, role):
    client = signed_in(client, users[role])
    for page in (
        "/dashboards/",
        "/dashboards/office/KP/",
        "/dashboards/office/KC-KRW/",
        "/dashboards/outlet/POS-KRW/",
        "/dashboards/agent/AG-1/",
        "/dashboards/contests/",
    ):
        assert client.get(page).status_code == 404, page


def test_signing_in_comes_first(client, network):
    response = client.get("/dashboards/")
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("role", "outside"),
    [
        (
            "branch_staff",
            ["/dashboards/office/KW04/", "/dashboards/office/KP/", "/dashboards/office/KC-BPN/"],
        ),
        ("branch_staff", ["/dashboards/outlet/POS-BPN/", "/dashboards/office/NOPE/"]),
        (
            "regional_staff",
            ["/dashboards/office/KP/", "/dashboards/office/KW07/", "/dashboards/office/KC-BPN/"],
        ),
        ("regional_staff", ["/dashboards/outlet/POS-BPN/"]),
    ],
)
def test_offices_and_outlets_outside_the_scope_are_404(client, users, role, outside):
    client = signed_in(client, users[role])
    for page in outside:
        assert client.get(page).status_code == 404, page
        assert client.get(page + "?format=csv&table=children").status_code == 404, page


def test_an_agent_of_another_branch_is_404(client, network, staff):
    client = signed_in(client, staff("branch_staff", office=network.balikpapan))
    assert client.get("/dashboards/agent/AG-1/").status_code == 404
    assert client.get("/dashboards/outlet/POS-BPN/").status_code == 200


# --- drill-down and breadcrumbs -------------------------------------------------------------------------


def test_drill_down_from_the_head_office_to_an_agent(client, users):
    client = signed_in(client, users["admin"])
    head = client.get("/dashboards/")
    assert 'href="/dashboards/office/KW04/"' in html_of(head)
    assert 'href="/dashboards/office/KW07/"' in html_of(head)
    java = client.get("/dashboards/office/KW04/")
    assert 'href="/dashboards/office/KC-KRW/"' in html_of(java)
    branch = client.get("/dashboards/office/KC-KRW/")
    assert {"POS-KRW", "BNI-KRW", "POS-CKP"} <= set(by_code(branch))
    assert 'href="/dashboards/outlet/POS-KRW/"' in html_of(branch)
    outlet = client.get("/dashboards/outlet/POS-KRW/")
    assert set(by_code(outlet)) == {"AG-1", "POS-CKP"}
    assert 'href="/dashboards/agent/AG-1/"' in html_of(outlet)
    agent = client.get("/dashboards/agent/AG-1/")
    assert agent.context["board"].kind == "agent"
    assert [name for name, _url in agent.context["crumbs"]] == [
        "Kantor Pusat", "Kanwil Jawa Barat", "KC Karawang", "POS-KRW KCU Karawang", "AG-1 Siti Aminah",
    ]  # fmt: skip


def test_the_month_asked_is_kept_when_drilling_down(client, users):
    branch = signed_in(client, users["admin"]).get("/dashboards/office/KC-KRW/" + JUNE)
    assert 'href="/dashboards/outlet/POS-KRW/?month=2024-06"' in html_of(branch)


def test_breadcrumbs_stop_at_the_scope_root(client, users):
    agent = signed_in(client, users["regional_staff"]).get("/dashboards/agent/AG-1/")
    names = [name for name, _url in agent.context["crumbs"]]
    assert names[0] == "Kanwil Jawa Barat"
    assert "Kantor Pusat" not in names
    branch = signed_in(client, users["branch_staff"]).get("/dashboards/outlet/POS-CKP/")
    assert [name for name, _url in branch.context["crumbs"]] == [
        "KC Karawang", "POS-KRW KCU Karawang", "POS-CKP KC Cikampek",
    ]  # fmt: skip


# --- figures --------------------------------------------------------------------------------------------


def test_office_figures_equal_the_monitoring_readings(client, users, network):
    branch = network.karawang_branch
    response = signed_in(client, users["admin"]).get("/dashboards/office/KC-KRW/" + JUNE)
    june = Month.of(2024, 6)
    registered = readings.totals_by_office(
        readings.NEW_REGISTRATIONS, date(2000, 1, 1), june.last_day(), office_ids=[branch.pk]
    )
    collected = readings.totals_by_office(
        readings.AMOUNT_COLLECTED, june.first_day(), june.last_day(), office_ids=[branch.pk]
    )
    active = readings.active_by_office(june, office_ids=[branch.pk])
    # the workers living in Karawang: four registered there and the migrant signed up in Balikpapan
    assert card(response, "registered") == str(registered[branch.pk]) == "5"
    assert card(response, "collected") == str(collected[branch.pk]) == str(3 * 16_800)
    assert card(response, "active") == str(active.get(branch.pk, 0))
    assert card(response, "new") == "0"  # everyone registered in May
    may = signed_in(client, users["admin"]).get("/dashboards/office/KC-KRW/?month=2024-05")
    assert card(may, "new") == "5"
    assert may.context["board"].trend[-1] == (Month.of(2024, 5), 5)


def test_head_office_children_add_up_to_the_country(client, users):
    response = signed_in(client, users["admin"]).get("/dashboards/" + JUNE)
    children = by_code(response)
    assert card(response, "registered") == "6"
    assert children["KW04"][3] == 5 and children["KW07"][3] == 1
    assert children["KW04"][7] == 3 * 16_800 and children["KW07"][7] == 16_800


def test_outlet_and_agent_figures_count_what_they_signed_up_and_collected(client, users, network):
    client = signed_in(client, users["admin"])
    outlet = client.get("/dashboards/outlet/POS-KRW/" + JUNE)
    assert card(outlet, "registered") == "2"
    assert card(outlet, "collected") == str(2 * 16_800)
    assert card(outlet, "active") == str(
        readings.active_for(Month.of(2024, 6), outlet_id=network.pos_karawang.pk)
    )
    # the Karawang worker paid once at the Pos in Balikpapan: the collecting outlet is credited
    assert card(client.get("/dashboards/outlet/POS-BPN/" + JUNE), "collected") == str(2 * 16_800)
    agent = client.get("/dashboards/agent/AG-1/" + JUNE)
    assert (card(agent, "registered"), card(agent, "collected")) == ("1", "16800")
    assert by_code(outlet)["AG-1"][3] == 1 and by_code(outlet)["AG-1"][7] == 16_800


def test_a_registration_made_today_shows_in_the_branch_new_registrations(client, world, register, staff):
    register(outlet=world.pos_karawang)  # registered now
    response = signed_in(client, staff("branch_staff", office=world.karawang_branch)).get("/dashboards/")
    assert response.context["board"].code == "KC-KRW"
    assert card(response, "new") == "1"
    assert card(response, "registered") == "1"
    assert by_code(response)["POS-KRW"][6] == 1
    assert response.context["board"].trend[-1][1] == 1


def test_the_channel_mix_splits_registrations_by_partner_kind(client, users):
    response = signed_in(client, users["admin"]).get("/dashboards/office/KC-KRW/" + JUNE)
    assert dict((row[0], row[1]) for row in table_rows(response, "channels")) == {
        "Pos Indonesia": 4,
        "Bank": 1,
    }
    chart = response.context["charts"]["channels"]
    assert sorted(chart["values"]) == [1, 4]
    assert 'id="chart-channels" type="application/json"' in html_of(response)
    assert 'data-testid="chart-channels"' in html_of(response)


def test_targets_show_attainment_and_flag_the_ones_at_risk(client, users, network):
    target_set(
        office=network.karawang_branch, metric="new_participants", start=date(2024, 1, 1),
        end=date(2024, 12, 31), value=1000, segment="",
    )  # fmt: skip
    target_set(outlet=network.pos_karawang, metric="new_participants", start=date(2024, 1, 1),
               end=date(2024, 12, 31), value=2, segment="")  # fmt: skip
    client = signed_in(client, users["regional_staff"])
    java = client.get("/dashboards/office/KW04/" + JUNE)
    line = java.context["tables"]["targets"].rows[0]
    assert line.cells[3:5] == [1000, 5]  # the branch's target, rolled up to the regional office
    assert line.flag == "bad"  # 5 in 182 days projects to 10 < 1,000: at risk
    assert java.context["tables"]["targets"].rows[1].link.startswith("/dashboards/office/KC-KRW/")
    outlet = client.get("/dashboards/outlet/POS-KRW/" + JUNE)
    row = outlet.context["tables"]["targets"].rows[0]
    # the KCU's target counts its KC (Cikampek) too: 2 at Karawang and 1 at Cikampek
    assert row.cells[3:5] == [2, 3] and row.flag == "good"


def test_the_office_page_shows_its_penetration_of_the_market(client, users):
    response = signed_in(client, users["branch_staff"]).get("/dashboards/" + JUNE)
    market = response.context["tables"]["market"].rows[0].cells
    assert market[1] > 0  # the population of Karawang x the informal share
    assert 'data-testid="market"' in html_of(response)
    agent = signed_in(client, users["admin"]).get("/dashboards/agent/AG-1/")
    assert "market" not in agent.context["tables"]


def test_the_office_page_shows_its_participants_by_segment(client, users):
    response = signed_in(client, users["branch_staff"]).get("/dashboards/" + JUNE)
    rows = {row.cells[0]: row.cells[1:] for row in response.context["tables"]["segments"].rows}
    assert rows["BPU"][0] > 0  # the branch's informal workers registered by the end of the month
    assert 'data-testid="segments"' in html_of(response)
    export = signed_in(client, users["branch_staff"]).get(
        "/dashboards/" + JUNE + "&table=segments&format=csv"
    )
    assert export.status_code == 200 and b"BPU" in export.content


def test_a_month_that_cannot_be_read_shows_the_current_one_with_a_message(client, users):
    client = signed_in(client, users["admin"])
    bad = client.get("/dashboards/?month=juni")
    assert bad.status_code == 200
    assert 'data-testid="period-error"' in html_of(bad)
    assert bad.context["board"].period.month == Month.from_date(local_date())
    future = client.get("/dashboards/?month=2199-01")  # 2999 is outside the years jaring counts in: 400
    assert future.context["board"].period.month == Month.from_date(local_date())
    assert 'data-testid="next-month"' not in html_of(future)


# --- downloads ------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def plain(value) -> str:
    return "" if value is None else str(float(value)) if hasattr(value, "as_tuple") else str(value)


@pytest.mark.parametrize("key", ["children", "months", "channels", "targets", "market"])
def test_every_table_downloads_with_the_rows_of_the_page(client, users, network, key):
    target_set(office=network.karawang_branch, metric="contributions", start=date(2024, 1, 1),
               end=date(2024, 12, 31), value=1_000_000)  # fmt: skip
    client = signed_in(client, users["branch_staff"])
    page = client.get("/dashboards/" + JUNE)
    assert f'data-testid="export-{key}-csv"' in html_of(page)
    rows = table_rows(page, key)
    assert rows
    downloaded = read_csv(client.get(f"/dashboards/{JUNE}&table={key}&format=csv"))
    assert downloaded[0] == [str(c.label) for c in page.context["tables"][key].columns]
    assert downloaded[1:] == [[plain(cell) for cell in row] for row in rows]
    workbook = client.get(f"/dashboards/{JUNE}&table={key}&format=xlsx")
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.active.max_row == len(rows) + 1
    # the file says which month it holds: in its name, its sheet and its title; its columns fit
    assert '-2024-06.xlsx"' in workbook["Content-Disposition"]
    assert book.active.title.startswith("2024-06 ") and len(book.active.title) <= 31
    assert "(2024-06)" in book.properties.title
    widths = [book.active.column_dimensions[letter].width for letter in "AB"]
    assert all(width and width >= 8 for width in widths)


def test_an_unknown_table_or_format_is_404(client, users):
    client = signed_in(client, users["admin"])
    assert client.get("/dashboards/?table=nope&format=csv").status_code == 404
    assert client.get("/dashboards/?table=children&format=exe").status_code == 404


def test_downloads_keep_the_viewers_scope(client, users):
    client = signed_in(client, users["branch_staff"])
    codes = {
        row[1] for row in read_csv(client.get("/dashboards/outlet/POS-KRW/?table=children&format=csv"))[1:]
    }
    assert codes == {"AG-1", "POS-CKP"}
    assert client.get("/dashboards/office/KP/?table=children&format=csv").status_code == 404


# --- speed ----------------------------------------------------------------------------------------------


def add_outlets(world, count: int, start: int) -> None:
    for number in range(start, start + count):
        outlet_create(
            code=f"POS-X{number:03d}", name=f"Pos {number}", partner=world.pos, region_code="32.15.01",
            parent=world.pos_karawang,
        )  # fmt: skip


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_office_page_runs_the_same_queries_whatever_the_number_of_outlets(
    client, users, network, django_assert_max_num_queries
):
    target_set(office=network.karawang_branch, metric="new_participants", start=date(2024, 1, 1),
               end=date(2024, 12, 31), value=100)  # fmt: skip
    client = signed_in(client, users["branch_staff"])
    add_outlets(network, 3, 1)
    few = queries_of(client, "/dashboards/" + JUNE)
    add_outlets(network, 40, 100)
    many = queries_of(client, "/dashboards/" + JUNE)
    assert many == few
    assert len(client.get("/dashboards/" + JUNE).context["tables"]["children"].rows) == 3 + 3 + 40
    with django_assert_max_num_queries(40):
        client.get("/dashboards/" + JUNE)
    outlet_few = queries_of(client, "/dashboards/outlet/POS-KRW/" + JUNE)
    add_outlets(network, 20, 300)
    assert queries_of(client, "/dashboards/outlet/POS-KRW/" + JUNE) == outlet_few


def test_without_any_office_the_dashboards_say_so(client, staff):
    response = signed_in(client, staff("admin")).get("/dashboards/")
    assert response.status_code == 200
    assert "board" not in response.context


def test_an_ended_period_without_prizes_says_why_nobody_won(client, staff, network):
    from jaring.monitoring.services import contest_define

    contest_define(
        spec={
            "code": "no-prizes-2024",
            "name": "Lomba tanpa hadiah",
            "metric": "new_registrations",
            "outlets": {"codes": ["POS-KRW", "POS-BPN"]},
            "periods": [{"code": "M1", "start": "2024-05-01", "end": "2024-05-31"}],
        }
    )
    signed_in(client, staff("head_office_analyst", username="analyst"))
    client.cookies["django_language"] = "en"
    response = client.get("/dashboards/contests/no-prizes-2024/")
    (winners,) = response.context["winners"]
    assert not winners.rows
    assert "Period M1 set no prizes: its ranking is the leaderboard above." in html_of(response)


@pytest.mark.parametrize(
    ("title", "sheet"),
    [
        ("2024-06 Offices and outlets below", "2024-06 Offices and outlets…"),
        ("Payer A/B: members [2024]", "Payer A B members 2024"),
        ("x" * 40, "x" * 30 + "…"),
    ],
)
def test_a_sheet_name_is_cut_at_a_word_within_31_characters(title, sheet):
    from jaring.web.tables import _sheet_title

    assert _sheet_title(title) == sheet and len(sheet) <= 31


# --- comparisons, progress and search ---------------------------------------------------------------------


@pytest.fixture
def spread(world, register):
    """Registrations on 2 and 31 May 2024, 1 and 12 June 2024, 5 June 2023; a payment on 3 June 2024."""
    from jaring.contributions.services import payment_record

    made = {
        day: register(outlet=world.pos_karawang, registered_at=jakarta(*day))
        for day in [(2024, 5, 2), (2024, 5, 31), (2024, 6, 1), (2024, 6, 12), (2023, 6, 5)]
    }
    payment_record(
        history_allowed=True, participant=made[2024, 5, 2], months=1, amount=16_800, source="test",
        idempotency_key="spread-1", paid_at=jakarta(2024, 6, 3), outlet=world.pos_karawang,
    )  # fmt: skip
    return world


def compared(lines, measure: str, against: str, year_to_date: bool = False):
    (line,) = [x for x in lines if (x.measure, x.against, x.year_to_date) == (measure, against, year_to_date)]
    return line


def test_a_whole_month_is_compared_with_whole_months_and_the_year_to_date(client, spread, staff):
    response = signed_in(client, staff("admin")).get("/dashboards/" + JUNE)
    lines = response.context["board"].compared
    month = compared(lines, "new", "previous_month")
    assert (month.value, month.before, month.change) == (2, 2, 0)  # 31 May counts in the whole of May
    assert (month.before_start, month.before_through) == (date(2024, 5, 1), date(2024, 5, 31))
    year = compared(lines, "new", "last_year")
    assert (year.value, year.before, year.change) == (2, 1, 100)
    to_date = compared(lines, "new", "last_year", year_to_date=True)
    assert (to_date.start, to_date.through, to_date.value, to_date.before) == (
        date(2024, 1, 1), date(2024, 6, 30), 4, 1,
    )  # fmt: skip
    assert to_date.change == 300
    collected = compared(lines, "collected", "previous_month")
    assert (collected.value, collected.before, collected.change) == (16_800, 0, None)
    rows = {row[0]: row for row in table_rows(response, "compared")}
    assert rows["Pendaftaran baru, sejak awal tahun"][2:] == [4, None, None, 1, 300]
    assert 'data-testid="change-new"' in html_of(response)


def test_a_running_month_is_compared_with_the_same_days_before(spread):
    from jaring.dashboards import queries

    period = queries.Period(Month.of(2024, 6), date(2024, 6, 10))  # counted up to 10 June
    board = queries.office_dashboard(spread.karawang_branch, period)
    month = compared(board.compared, "new", "previous_month")
    # 1-10 June holds one registration (the 12th is after), 1-10 May one (the 31st is after)
    assert (month.value, month.before) == (1, 1)
    assert (month.before_start, month.before_through) == (date(2024, 5, 1), date(2024, 5, 10))
    year = compared(board.compared, "new", "last_year")
    assert (year.value, year.before, year.before_through) == (1, 1, date(2023, 6, 10))


def test_the_comparison_downloads_with_its_signed_changes(client, spread, staff):
    client = signed_in(client, staff("admin"))
    downloaded = read_csv(client.get(f"/dashboards/{JUNE}&table=compared&format=csv"))
    assert downloaded[1][0] == "Pendaftaran baru" and downloaded[1][2:] == ["2", "2", "0.0", "1", "100.0"]
    book = load_workbook(io.BytesIO(client.get(f"/dashboards/{JUNE}&table=compared&format=xlsx").content))
    assert book.active.cell(2, 5).number_format.startswith("+0.0")


def test_a_target_shows_its_attainment_as_a_bar(client, users, network):
    target_set(office=network.karawang_branch, metric="new_participants", start=date(2024, 1, 1),
               end=date(2024, 12, 31), value=10, segment="")  # fmt: skip
    response = signed_in(client, users["branch_staff"]).get("/dashboards/" + JUNE)
    (row,) = response.context["tables"]["targets"].rows
    assert row.cells[5] == 50  # 5 of 10
    assert '50 %<progress class="attainment" max="100" value="50.0"' in html_of(response)
    assert row.cells[2] == "2024"  # the whole year, said short


@pytest.mark.parametrize(
    ("role", "query", "codes"),
    [
        ("admin", "karawang", {"KC-KRW", "POS-KRW", "BNI-KRW"}),
        ("admin", "pos kar", {"POS-KRW"}),  # every word, in the name or the code
        ("admin", "ag-1", {"AG-1"}),
        ("branch_staff", "pos", {"POS-KRW", "POS-CKP"}),  # not the Pos in Balikpapan
        ("regional_staff", "balikpapan", set()),
    ],
)
def test_search_finds_offices_outlets_and_agents_in_the_scope_only(client, users, role, query, codes):
    response = signed_in(client, users[role]).get("/dashboards/search/", {"q": query})
    assert response.status_code == 200
    rows = response.context["table"].rows
    assert {row.cells[1] for row in rows} == codes
    for row in rows:
        assert signed_in(client, users[role]).get(row.link).status_code == 200


def test_search_asks_for_two_letters_and_is_for_staff_only(client, users):
    short = signed_in(client, users["admin"]).get("/dashboards/search/?q=k")
    assert short.status_code == 200 and 'data-testid="search-error"' in html_of(short)
    assert not short.context["table"].rows
    assert signed_in(client, users["outlet_teller"]).get("/dashboards/search/?q=pos").status_code == 404
