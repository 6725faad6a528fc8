"""The field desk in a real Chromium: online once, then with the server really unreachable (every request
of the page and of its service worker aborted at the browser context, and the context offline), an agent
registers 20 workers and takes 20 payments, reloads the page and keeps working; with the server back the
outbox syncs: exactly 20 and 20 land, and a sync cut off after the server answered, or sent again, adds
nothing. A NIK registered elsewhere meanwhile comes back as a conflict that the agent drops on the phone."""

from __future__ import annotations

import json
from datetime import date

from tests.browser.pages import login, screenshot

from jaring.contributions.models import Payment
from jaring.field.models import SyncRecord
from jaring.members.models import Participant
from jaring.rules.nik import Sex, make_nik

BORN = date(1990, 3, 4)


def nik(serial: int) -> str:
    return make_nik("32.15.01", BORN, Sex.MALE, serial)


def server_unreachable(context) -> None:
    context.route("**/*", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)


def server_back(context) -> None:
    context.unroute_all()
    context.set_offline(False)


def register_offline(page, serial: int, *, months: str = "1") -> None:
    page.locator("[data-testid=tab-register]").click()
    page.fill("#r-nik", nik(serial))
    page.fill("#r-name", f"Pekerja Pasar {serial}")
    page.fill("#r-birth", BORN.isoformat())
    page.select_option("#r-village", index=1)
    page.select_option("#r-occupation", value="PEDAGANG_PASAR")
    page.select_option("#r-months", months)
    page.locator("[data-testid=register-save]").click()
    until(page, "document.querySelector('#notice').textContent.length > 0")


def until(page, script: str, *, seconds: float = 20) -> None:
    """Waits until ``script`` (an expression) is true in the page; polled from here, since the pages'
    Content-Security-Policy forbids the evaluated strings Playwright's own waiting uses."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(f"() => Boolean({script})"):
            return
        page.wait_for_timeout(100)
    said = page.evaluate(
        "() => [document.querySelector('#notice')?.textContent,"
        " document.querySelector('[data-testid=outbox-count]')?.textContent]"
    )
    raise AssertionError(f"still false after {seconds} s: {script} (the page says {said})")


def enrol(page) -> None:
    """Enrols the phone and waits for its service worker to be installed: the network is never cut while
    the worker is still fetching what it keeps (a fetch cut off in the middle of its install is the
    browser's business, not the test's)."""
    page.fill("#device-name", "Samsung Siti")
    page.locator("[data-testid=enrol-button]").click()
    page.wait_for_selector("body[data-ready=true]")
    installed = settled(page, "navigator.serviceWorker.ready.then(() => true)", False)
    assert installed, "the service worker was not installed within 15 s"


def settled(page, promise: str, otherwise):
    """The value of ``promise`` (a JavaScript expression) in the page, or ``otherwise`` when it has not
    settled within 15 s: Playwright's ``evaluate`` waits for a promise without any time limit."""
    later = f"new Promise((done) => setTimeout(() => done({json.dumps(otherwise)}), 15000))"
    return page.evaluate(f"() => Promise.race([{promise}, {later}])")


def unsent(page) -> int:
    return int(page.locator("[data-testid=outbox-count]").get_attribute("data-unsent") or 0)


def test_an_agent_works_offline_and_the_outbox_lands_exactly_once(phone_page, people, network):
    page, context, agent = phone_page, phone_page.context, network.agent
    login(page, "demo.agent-krw")
    page.goto("/desk/field/")
    enrol(page)
    page.reload()  # controlled by the service worker from now on, the page and its data cached
    page.wait_for_selector("body[data-ready=true]")
    until(page, "navigator.serviceWorker.controller !== null")
    for _ in range(100):  # the page's copy is written just after it is shown
        if settled(page, "caches.match('/desk/field/', {ignoreVary: true}).then(Boolean)", False):
            break
        page.wait_for_timeout(100)
    before = (Participant.objects.filter(agent=agent).count(), Payment.objects.filter(agent=agent).count())

    server_unreachable(context)
    page.reload()  # answered by the service worker, not the browser's error page
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("[data-testid=register-form]").is_visible()
    for serial in range(1, 11):
        register_offline(page, serial)
    page.reload()  # still offline: the page and the outbox survive a reload
    page.wait_for_selector("body[data-ready=true]")
    for serial in range(11, 21):
        register_offline(page, serial)
    register_offline(page, 99, months="0")  # a worker the Pos counter will register first
    until(page, "document.querySelector('[data-testid=outbox-count]').dataset.unsent === '41'")
    screenshot(page, "field-offline-outbox")
    assert (
        Participant.objects.filter(agent=agent).count(),
        Payment.objects.filter(agent=agent).count(),
    ) == before

    # Meanwhile the Pos counter registers worker 99: the phone's registration of the same NIK comes second.
    from jaring.members.services import participant_register

    participant_register(
        nik=nik(99), name="Pekerja Pasar 99", birth_date=BORN, sex="M",
        village_code=page.eval_on_selector("#r-village", "s => s.options[1].value"),
        occupation_code="PEDAGANG_PASAR", declared_income=1_000_000, programmes="JKK+JKM",
        outlet=network.pos_karawang,
    )  # fmt: skip

    # The network returns, but the first sync is cut off after the server answered it.
    context.unroute("**/*")
    context.route("**/api/v1/sync", lambda route: (route.fetch(), route.abort("connectionreset")))
    context.set_offline(False)
    page.locator("[data-testid=sync]").click()
    until(page, "document.querySelector('#notice').classList.contains('bad')")
    assert Participant.objects.filter(agent=agent).count() == before[0] + 20
    assert unsent(page) == 41  # the phone heard nothing: everything is still to send

    server_back(context)
    page.locator("[data-testid=sync]").click()
    until(page, "document.querySelector('[data-testid=outbox-count]').dataset.unsent === '0'")
    page.locator("[data-testid=sync]").click()  # sent again: nothing is pending, nothing changes
    assert Participant.objects.filter(agent=agent).count() == before[0] + 20
    assert Payment.objects.filter(agent=agent).count() == before[1] + 20
    assert SyncRecord.objects.filter(state="recorded").count() == 40

    # The conflict: refused with its reason, dropped by the agent on the phone.
    page.locator("[data-testid=tab-outbox]").click()
    refused = page.locator("[data-testid=outbox-record][data-state=refused]")
    assert refused.count() == 1
    assert "99" in refused.inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    refused.locator("[data-testid=record-drop]").click()
    until(page, "!document.querySelector('[data-testid=outbox-record][data-state=refused]')")
    until(page, "document.querySelector('[data-testid=outbox-count]').dataset.unsent === '0'")
    until(page, "document.querySelector('#notice').textContent.length > 0")
    conflict = SyncRecord.objects.get(state="refused")
    for _ in range(100):  # the drop is sent as the agent confirms it
        if conflict.resolved_at is not None:
            break
        page.wait_for_timeout(100)
        conflict.refresh_from_db()
    assert conflict.resolved_at is not None and "nik:duplicate" in conflict.reasons
    assert Participant.objects.filter(nik=nik(99)).count() == 1
    screenshot(page, "field-synced")


def test_an_expired_session_keeps_the_outbox_and_signing_out_warns_then_clears_the_phone(
    phone_page, people, network
):
    page, context = phone_page, phone_page.context
    login(page, "demo.agent-krw")
    page.goto("/desk/field/")
    enrol(page)
    server_unreachable(context)
    register_offline(page, 41)
    # the registration and its first month
    until(page, "document.querySelector('[data-testid=outbox-count]').dataset.unsent === '2'")
    # The session expires while the phone is offline; back online the agent signs in again.
    context.clear_cookies()
    server_back(context)
    page.goto("/desk/field/")
    assert "/accounts/login/" in page.url
    login(page, "demo.agent-krw", next="/desk/field/")
    page.wait_for_selector("body[data-ready=true]")
    until(page, "document.querySelector('[data-testid=outbox-count]').dataset.unsent === '0'")
    assert Participant.objects.filter(nik=nik(41)).count() == 1  # the outbox survived and was sent

    server_unreachable(context)
    register_offline(page, 42, months="0")
    said = []
    page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.dismiss()))
    page.locator("[data-testid=signout]").click()
    for _ in range(100):  # the page reads the outbox, then asks
        if said:
            break
        page.wait_for_timeout(100)
    assert said and "1" in said[0]  # warned: one record not sent
    assert unsent(page) == 1 and "/desk/field/" in page.url  # stayed, nothing lost
    server_back(context)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("[data-testid=signout]").click()
    stores = settled(page, "indexedDB.databases().then((all) => all.map((d) => d.name))", None)
    assert stores is not None, "the phone's list of databases did not come within 15 s"
    assert "jaring-field" not in stores  # what the phone held is gone
