"""Driving jaring's pages in a browser: sign in through the real form, and keep screenshots.

from tests.browser.pages import login, screenshot

def test_the_teller_registers_a_worker(phone_page, people):
    login(phone_page, "demo.teller-krw")
    phone_page.goto("/desk/...")
    ...
    screenshot(phone_page, "desk-registered")
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import PASSWORD

LOGIN_PATH = "/accounts/login/"
# Screenshots land here (gitignored), named ``<name>-<viewport width>px.png``.
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


def sign_in_submit(page, username: str, password: str = PASSWORD, *, next: str | None = None) -> None:
    """Fills and submits the sign-in form, whatever the outcome; waits for the answer page."""
    page.goto(LOGIN_PATH + (f"?next={next}" if next else ""))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def login(page, username: str, password: str = PASSWORD, *, next: str | None = None):
    """Signs ``username`` in through the sign-in page (as a person would) and returns the page, now on
    the page after sign-in (home, or ``next``). Fails with the page's error when the sign-in is refused.
    To switch users in one test, call ``page.context.clear_cookies()`` first."""
    sign_in_submit(page, username, password, next=next)
    if page.url.split("?")[0].endswith(LOGIN_PATH):
        errors = page.locator(".errorlist").all_inner_texts()
        raise AssertionError(f"sign-in of {username} refused: {errors or page.title()}")
    return page


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Saves a PNG of the page as ``tests/screenshots/<name>-<width>px.png`` and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = (page.viewport_size or {}).get("width", 0)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:150]
    path = SCREENSHOTS / f"{safe}-{width}px.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def fits_the_screen(page) -> bool:
    """Nothing wider than the viewport: a phone user never scrolls sideways to read the page (wide tables
    scroll inside their own ``.scroll`` box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
