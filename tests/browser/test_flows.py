"""The acceptance flows of the desk and the dashboards, driven in Chromium as people would (issue #5):

- a teller registers a worker and takes a payment (at phone and at desk width); the Karawang branch
  dashboard then counts the registration, and a user of the Balikpapan branch cannot open that participant;
- an analyst opens the Racing Contest leaderboard, sees its figures and downloads it as XLSX;
- pages are in Indonesian by default and switch to English from the header.

Screenshots of each step go to tests/screenshots/.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from tests.browser.pages import fits_the_screen, login, screenshot

from jaring.rules.nik import Sex, make_nik

# The new worker: a woman born in Cikampek (Karawang), whose NIK serial the network world does not use.
NIK_DISTRICT = "32.15.13"
BIRTH_DATE = date(1990, 7, 21)
NIK = make_nik(NIK_DISTRICT, BIRTH_DATE, Sex("F"), 4321)
INCOME = 1_500_000
BPN_USER = "kc-bpn"

CONTEST = "pos-racing-2023"
PERIOD, AS_OF = "P2", "2023-10-24"
# The smallest scale at which the seed's top three of P2 (2,381 / 2,272 / 2,169 registrations) stay apart.
RACING_SCALE = "0.01"


def switch_user(page, username: str, **where):
    page.context.clear_cookies()
    return login(page, username, **where)


def figure(page, testid: str) -> int:
    return int(page.get_by_test_id(testid).get_attribute("data-value"))


def whole_number(text: str) -> int:
    """A count or an amount as the page shows it (2.381, Rp16.800) as an int."""
    return int(re.sub(r"\D", "", text))


def charts_drawn(page) -> None:
    """Waits until every chart of the page is drawn and done animating, for a screenshot."""
    page.wait_for_function(
        """() => typeof Chart !== "undefined" && [...document.querySelectorAll("canvas[data-chart]")]
            .every((canvas) => { const chart = Chart.getChart(canvas);
                                 return chart && !Chart.animator.running(chart); })"""
    )


def branch_cards(page) -> dict[str, int]:
    page.goto("/dashboards/")
    return {card: figure(page, card) for card in ("card-registered", "card-new")}


# -- 1. register a worker, take a payment; the branch sees it, another branch does not -------------------


def register_the_worker(page) -> str:
    """Fills the registration form as a teller would, watching the helpers answer; returns the number."""
    from jaring.desk.queries import registration_prices
    from jaring.rules.programmes import parse_programmes

    page.goto("/desk/register/")
    page.get_by_test_id("nik").fill(" ".join(NIK[i : i + 4] for i in range(0, 16, 4)))  # as read off a card
    preview = page.get_by_test_id("nik-preview")
    expect(preview.get_by_test_id("nik-birth-date")).to_have_attribute("data-value", BIRTH_DATE.isoformat())
    expect(preview.get_by_test_id("nik-sex")).to_have_attribute("data-value", "F")
    expect(preview.get_by_test_id("nik-district")).to_have_attribute("data-value", NIK_DISTRICT)
    assert preview.get_by_test_id("nik-errors").count() == 0
    assert preview.get_by_test_id("nik-duplicate").count() == 0
    screenshot(page, "flow-register-nik")

    # what the NIK says is filled in for the teller
    expect(page.get_by_test_id("birth_date")).to_have_value(BIRTH_DATE.isoformat())
    expect(page.locator("[data-testid=sex][value=F]")).to_be_checked()
    page.get_by_test_id("name").fill("Sri Wahyuni")
    page.get_by_test_id("phone").fill("081298765432")

    # The outlet's own district is preset (Karawang); the NIK's button moves the address to Cikampek.
    page.get_by_test_id("use-nik-district").click()
    area = page.get_by_test_id("area")
    expect(area.get_by_test_id("district")).to_have_value(NIK_DISTRICT)
    expect(area.get_by_test_id("regency")).to_have_value(NIK_DISTRICT[:5])
    village = area.get_by_test_id("village_code")
    village_code = village.locator("option").nth(1).get_attribute("value")
    assert village_code.startswith(NIK_DISTRICT + ".")
    village.select_option(village_code)

    page.get_by_test_id("occupation").select_option("PEDAGANG_PASAR")
    page.get_by_test_id("declared_income").fill(str(INCOME))
    expected = dict(registration_prices(income=INCOME, programmes=parse_programmes("JKK+JKM")))
    for count, price in expected.items():
        expect(page.get_by_test_id(f"price-{count}")).to_have_attribute("data-amount", str(price.total))
    assert set(expected) == {1, 3, 6, 12}
    assert fits_the_screen(page), "the registration form is wider than the screen"
    screenshot(page, "flow-register-filled")

    with page.expect_navigation():
        page.get_by_test_id("register-submit").click()
    assert re.search(r"/desk/p/\d+/$", page.url), f"not on the participant page: {page.url}"
    number = page.get_by_test_id("participant-number").inner_text().strip()
    assert page.url.endswith(f"/desk/p/{number}/")
    assert page.get_by_test_id("nik").inner_text().strip() == NIK
    expect(page.get_by_test_id("owed")).to_have_attribute("data-months", "1")
    assert page.get_by_test_id("ledger").count() == 0  # no payment yet
    assert fits_the_screen(page), "the participant page is wider than the screen"
    screenshot(page, "flow-registered")
    return number


def pay_one_month(page, number: str) -> int:
    """Finds the participant on the payment page and takes one month; returns the amount taken."""
    from jaring.common.clock import month_of

    page.goto("/desk/pay/")
    page.get_by_test_id("find-input").fill(number)
    with page.expect_navigation():
        page.get_by_test_id("find-submit").click()
    assert page.get_by_test_id("participant-number").inner_text().strip() == number
    for count in (1, 3, 6, 12):
        expect(page.get_by_test_id(f"option-{count}")).to_be_visible()
    page.get_by_test_id("months-1").check()
    amount = int(page.get_by_test_id("amount-1").get_attribute("data-amount"))
    assert fits_the_screen(page), "the payment page is wider than the screen"
    screenshot(page, "flow-pay")

    with page.expect_navigation():
        page.get_by_test_id("pay-submit").click()
    assert page.url.endswith(f"/desk/p/{number}/")
    entries = page.get_by_test_id("ledger").get_by_test_id("entry")
    expect(entries).to_have_count(1)
    assert whole_number(entries.first.locator("td").nth(3).inner_text()) == amount
    assert "POS-KRW" in entries.first.inner_text()
    current = page.get_by_test_id("calendar").get_by_test_id(f"month-{month_of()}")
    expect(current).to_have_attribute("data-mark", "covered")
    expect(page.get_by_test_id("owed")).to_have_attribute("data-months", "0")
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "active")
    screenshot(page, "flow-paid")
    return amount


def test_a_teller_registers_and_takes_a_payment_and_only_the_branch_sees_it(page, people, network, staff):
    from jaring.contributions.models import Payment
    from jaring.members.models import Participant

    staff("branch_staff", office=network.balikpapan, username=BPN_USER)

    login(page, "demo.kc-krw")
    before = branch_cards(page)

    switch_user(page, "demo.teller-krw")
    number = register_the_worker(page)
    amount = pay_one_month(page, number)

    worker = Participant.objects.get(nik=NIK)
    assert (worker.number, worker.name, worker.birth_date, worker.sex) == (
        number,
        "Sri Wahyuni",
        BIRTH_DATE,
        "F",
    )
    assert worker.village_id.startswith(NIK_DISTRICT) and worker.outlet.code == "POS-KRW"
    assert [p.amount for p in Payment.objects.filter(participant=worker)] == [amount]

    # The Karawang branch dashboard counts the new registration.
    switch_user(page, "demo.kc-krw")
    after = branch_cards(page)
    assert after == {card: value + 1 for card, value in before.items()}
    assert page.get_by_test_id("title").inner_text().startswith("KC Karawang")
    potential = page.get_by_test_id("market").locator("tbody td").nth(1).inner_text()
    assert whole_number(potential) > 0, "the branch's potential market is missing"
    charts_drawn(page)
    screenshot(page, "flow-branch-dashboard")

    # A user of the Balikpapan branch opens Balikpapan's worker and outlet, but not Karawang's.
    switch_user(page, BPN_USER)
    assert page.goto(f"/desk/p/{network.balikpapan_worker.number}/").status == 200
    assert page.goto("/dashboards/outlet/POS-BPN/").status == 200
    refused = page.goto(f"/desk/p/{number}/")
    assert refused.status == 404
    assert NIK not in page.content() and "Sri Wahyuni" not in page.content()
    screenshot(page, "flow-other-branch-404")
    assert page.goto("/dashboards/outlet/POS-KRW/").status == 404
    assert "KCU Karawang" not in page.content()


# -- 2. the Racing Contest leaderboard and its XLSX -------------------------------------------------------


@pytest.fixture
def racing(seeded, tmp_path):
    """The Racing Contest scenario, loaded in the test's (transactional) database."""
    from jaring.demo.scenarios import racing_contest_path, scenario_load

    return scenario_load(path=racing_contest_path(), scale=RACING_SCALE, work_dir=tmp_path)


def test_the_analyst_sees_the_racing_contest_leaderboard_and_downloads_it(desk_page, racing, staff, tmp_path):
    from jaring.monitoring.models import Contest
    from jaring.monitoring.queries import contest_leaderboard

    staff("head_office_analyst", username="demo.analyst")
    board = contest_leaderboard(Contest.objects.get(code=CONTEST), PERIOD, date.fromisoformat(AS_OF))
    assert [row.outlet for row in board.rows[:3]] == ["POS-KRW", "POS-KTP", "POS-SMG"]
    assert board.total > 0 and board.state == "closed"

    page = login(desk_page, "demo.analyst")
    page.goto("/dashboards/contests/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Racing Contest")).click()
    assert page.url.endswith(f"/dashboards/contests/{CONTEST}/")
    page.goto(f"/dashboards/contests/{CONTEST}/?period={PERIOD}&as_of={AS_OF}")
    expect(page.get_by_test_id("board-total")).to_have_attribute("data-value", str(board.total))
    assert whole_number(page.get_by_test_id("board-total").inner_text()) == board.total
    expect(page.get_by_test_id("chart-board")).to_be_visible()

    shown = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.get_by_test_id("leaderboard").locator("tbody tr").all()
    ]
    assert [(int(r[0]), r[1], r[2], whole_number(r[3])) for r in shown] == [
        (row.rank, row.outlet, row.name, row.value) for row in board.rows
    ]
    assert "BNI-KRW" not in {r[1] for r in shown}  # the bank's outlet is not in the Pos contest
    charts_drawn(page)
    screenshot(page, "flow-contest-leaderboard")

    with page.expect_download() as waiting:
        page.get_by_test_id("export-leaderboard-xlsx").click()
    download = waiting.value
    assert download.suggested_filename.startswith(f"{CONTEST}-{PERIOD}") and download.failure() is None
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".xlsx"
    book = load_workbook(saved)
    cells = [list(row) for row in book.active.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(cells) if row[:3] == ["Peringkat", "Kode kantor", "Nama kantor"])
    rows = [row[:5] for row in cells[header + 1 : header + 1 + len(board.rows)]]
    assert rows == [[row.rank, row.outlet, row.name, row.value, row.prize] for row in board.rows]


# -- 3. Indonesian by default, English on request ---------------------------------------------------------


def test_pages_are_indonesian_by_default_and_switch_to_english(phone_page, people):
    page = phone_page
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "id"

    login(page, "demo.kc-krw")
    page.goto("/desk/register/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_test_id("register-submit").inner_text().strip() == "Daftarkan"
    assert page.locator("h1").inner_text().strip() == "Daftarkan pekerja"
    page.goto("/dashboards/")
    assert page.get_by_test_id("card-registered").locator(".muted").inner_text().strip() == "Terdaftar"
    charts_drawn(page)
    screenshot(page, "flow-dashboard-indonesian")

    with page.expect_navigation():
        page.get_by_test_id("language").click()
    assert page.url.endswith("/dashboards/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_test_id("card-registered").locator(".muted").inner_text().strip() == "Registered"
    assert page.get_by_test_id("language").inner_text().strip() == "Bahasa Indonesia"
    charts_drawn(page)
    screenshot(page, "flow-dashboard-english")

    page.goto("/desk/register/")  # the choice holds on the next page
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_test_id("register-submit").inner_text().strip() == "Register"
    assert page.locator("h1").inner_text().strip() == "Register a worker"
    assert fits_the_screen(page)
    screenshot(page, "flow-register-english")
