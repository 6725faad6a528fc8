"""Any counter serves any worker, in Chromium (issue #13):

- a teller at POS-BPN takes a payment from a worker registered at POS-KRW, found by the NIK (typed with
  spaces, as read off the card) and the birth date, and hands over the receipt;
- a payment form opened in two tabs records once; the stale tab is refused with the new quote.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.browser.pages import fits_the_screen, login, screenshot

from jaring.common.clock import month_of
from jaring.desk.templatetags.desk import initials


@pytest.fixture
def teller_bpn(staff, network):
    return staff("outlet_teller", username="teller-bpn", outlet=network.pos_balikpapan)


def test_a_teller_takes_a_payment_from_a_worker_registered_elsewhere(page, people, network, teller_bpn):
    from jaring.contributions.models import Payment

    worker = network.karawang
    login(page, "teller-bpn")
    page.goto("/desk/pay/")
    spaced = " ".join(worker.nik[i : i + 4] for i in range(0, 16, 4))
    page.get_by_test_id("find-input").fill(spaced)
    with page.expect_navigation():
        page.get_by_test_id("find-submit").click()
    expect(page.get_by_test_id("ask-birth-date")).to_be_visible()
    assert page.get_by_test_id("pay-form").count() == 0
    page.get_by_test_id("find-born").fill(worker.birth_date.isoformat())
    with page.expect_navigation():
        page.get_by_test_id("find-submit").click()

    expect(page.get_by_test_id("registered-elsewhere")).to_be_visible()
    assert page.get_by_test_id("participant-name").inner_text().strip() == initials(worker.name)
    assert worker.nik not in page.content() and worker.name not in page.content()
    page.get_by_test_id("months-1").check()
    amount = int(page.get_by_test_id("amount-1").get_attribute("data-amount"))
    assert fits_the_screen(page), "the payment page is wider than the screen"
    screenshot(page, "counter-pay-elsewhere")

    with page.expect_navigation():
        page.get_by_test_id("pay-submit").click()
    payment = Payment.objects.get(participant=worker, outlet=network.pos_balikpapan, first_month=month_of())
    assert page.url.endswith(f"/desk/receipt/{payment.pk}/")
    expect(page.get_by_test_id("receipt-amount")).to_have_attribute("data-amount", str(amount))
    assert page.get_by_test_id("receipt-participant").inner_text().strip() == worker.number
    assert fits_the_screen(page), "the receipt is wider than the screen"
    screenshot(page, "counter-receipt")

    # the day's list at POS-BPN holds the payment; its receipt link opens, nothing links to a 404
    page.goto("/desk/")
    links = page.get_by_test_id("today-payments").locator("a")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert f"/desk/receipt/{payment.pk}/" in hrefs
    for href in hrefs:
        assert page.goto(href).status == 200, href


def test_a_payment_form_left_open_in_a_second_tab_is_refused_with_the_new_quote(desk_page, people, network):
    from jaring.contributions.models import Payment

    worker = network.karawang
    login(desk_page, "demo.teller-krw")
    second = desk_page.context.new_page()
    for tab in (desk_page, second):
        tab.goto(f"/desk/pay/?q={worker.number}")
        tab.get_by_test_id("months-1").check()
    this_month, next_month = month_of(), month_of() + 1

    with desk_page.expect_navigation():
        desk_page.get_by_test_id("pay-submit").click()
    with second.expect_navigation():
        second.get_by_test_id("pay-submit").click()
    expect(second.get_by_test_id("form-errors")).to_be_visible()
    assert Payment.objects.filter(participant=worker, first_month=this_month).count() == 1
    assert not Payment.objects.filter(participant=worker, first_month=next_month).exists()
    screenshot(second, "counter-stale-form")

    # the refusal shows the new quote; recording it takes the next month
    second.get_by_test_id("months-1").check()
    with second.expect_navigation():
        second.get_by_test_id("pay-submit").click()
    assert second.url.endswith(f"/desk/p/{worker.number}/")
    assert Payment.objects.filter(participant=worker, first_month=next_month).count() == 1
