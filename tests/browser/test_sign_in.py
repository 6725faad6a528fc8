"""Signing in as every role, at phone and desk widths; the language switch; a refused sign-in; a page
outside the scope. Screenshots go to tests/screenshots/."""

from __future__ import annotations

import pytest
from tests.browser.pages import LOGIN_PATH, fits_the_screen, login, screenshot, sign_in_submit
from tests.browser.people import USERNAMES


def console_errors(page) -> list[str]:
    """Errors the page writes to the console from now on (a script refused by the Content Security Policy
    shows up here), leaving out the browser's own request for a favicon."""
    errors: list[str] = []

    def seen(message):
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", seen)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_every_role_signs_in_and_lands_on_home(page, people, live_server):
    errors = console_errors(page)
    for username in USERNAMES:
        page.context.clear_cookies()
        login(page, username)
        assert page.url == f"{live_server.url}/", f"{username} landed on {page.url}"
        assert username in page.locator("header").inner_text()
        assert fits_the_screen(page), f"home of {username} is wider than the screen"
        screenshot(page, f"home-{username}")
    assert [error for error in errors if "favicon" not in error] == []


def test_the_language_switch_turns_the_page_english_and_back(desk_page, people):
    page = login(desk_page, "demo.teller-krw")
    switch = page.get_by_test_id("language")
    assert page.locator("html").get_attribute("lang") == "id"
    assert switch.inner_text() == "English"

    with page.expect_navigation():
        switch.click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_test_id("language").inner_text() == "Bahasa Indonesia"
    assert page.get_by_role("button", name="Sign out").is_visible()
    screenshot(page, "home-english")

    with page.expect_navigation():
        page.get_by_test_id("language").click()
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_test_id("language").inner_text() == "English"


def test_a_refused_sign_in_shows_the_error_and_signs_nobody_in(phone_page, people):
    sign_in_submit(phone_page, "demo.teller-krw", "not-the-password")
    assert phone_page.url.split("?")[0].endswith(LOGIN_PATH)
    error = phone_page.locator(".errorlist")
    assert error.is_visible() and error.inner_text().strip()
    assert "demo.teller-krw" not in phone_page.locator("header").inner_text()
    screenshot(phone_page, "sign-in-refused")
    login(phone_page, "demo.teller-krw")  # one failure does not lock the user out


@pytest.mark.parametrize("username", ["demo.teller-krw", "demo.payer-dki"])
def test_a_page_outside_the_scope_answers_404(desk_page, people, username):
    """The audit trail is for auditors and admins: to anyone else it does not exist."""
    login(desk_page, username)
    response = desk_page.goto("/audit/")
    assert response.status == 404
    assert "demo.auditor" not in desk_page.content()
