"""Browser tests: Playwright (sync API) driving Debian's Chromium, headless, against Django's live server.

- ``chromium`` (session): the Chromium binary. When it is missing and the tests run as root on a machine
  with apt-get, the Debian package ``chromium`` is installed once per session (with a message on the
  terminal). When it is still missing every browser test is skipped, with the reason in the skip and a
  line in the terminal summary saying what to install: never silently.
- ``browser`` (session): one Chromium for the whole session.
- ``phone_page`` (360x740, mobile, touch) and ``desk_page`` (1280x900): a fresh browser context (no
  cookies) on the live server, in Indonesian (``id-ID``). Extra context options can be passed with
  indirect parametrisation: ``@pytest.mark.parametrize("desk_page", [{"locale": "en-US"}], indirect=True)``.
  ``page`` is either of them: a test using it runs once at phone and once at desk width.
- ``people``: the ``network`` world with one user per role (``tests.browser.people``).

A test that fails leaves a screenshot of its page, ``tests/screenshots/FAILED-<test>-<width>px.png``.
Helpers to drive pages are in ``tests.browser.pages`` (``login``, ``screenshot``).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from tests.browser.pages import screenshot
from tests.browser.people import people_create

DEBIAN_CHROMIUM = "/usr/bin/chromium"
HOW_TO_INSTALL = (
    "install Debian's Chromium with `apt-get install -y chromium` (as root; the package is `chromium`), "
    "or point JARING_CHROMIUM at a Chromium binary"
)
WIDTHS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "desk": {"viewport": {"width": 1280, "height": 900}},
}

# Why the browser tests were skipped, for the terminal summary (at most one reason per session).
_skipped_because: list[str] = []


def _chromium_on_disk() -> str | None:
    wanted = os.environ.get("JARING_CHROMIUM")
    if wanted:
        return wanted if os.access(wanted, os.X_OK) else None
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    return shutil.which("chromium")


def _apt_install_chromium(say) -> None:
    """Installs the Debian package quietly; a failed ``install`` is retried once after ``apt-get update``
    (a fresh container has no package lists)."""
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    say("Chromium is missing: installing the Debian package with `apt-get install -y chromium` (once)")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
    done = subprocess.run(install, env=environment, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=environment, capture_output=True, timeout=600)
        done = subprocess.run(install, env=environment, capture_output=True, text=True, timeout=1800)
    say("Chromium installed" if done.returncode == 0 else f"apt-get failed: {done.stderr.strip()[-500:]}")


@pytest.fixture(scope="session")
def chromium(request) -> str:
    """The path of the Chromium binary; installs it when missing and we may, skips when it cannot be had."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip("the Python package playwright is missing: install the test extras (pip install -e '.[test]')")
    found = _chromium_on_disk()
    if (
        found is None
        and os.geteuid() == 0
        and shutil.which("apt-get")
        and not os.environ.get("JARING_CHROMIUM")
    ):
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        say = (lambda line: reporter.write_line(f"[browser tests] {line}")) if reporter else print
        try:
            _apt_install_chromium(say)
        except (OSError, subprocess.SubprocessError) as error:
            say(f"apt-get failed: {error}")
        found = _chromium_on_disk()
    if found is None:
        where = os.environ.get("JARING_CHROMIUM") or DEBIAN_CHROMIUM
        _skip(f"Chromium not found at {where}: {HOW_TO_INSTALL}")
    return found


def _skip(reason: str):
    if not _skipped_because:
        _skipped_because.append(reason)
    pytest.skip(f"browser tests skipped: {reason}")


# A browser test takes under a minute. One still waiting after five has wedged in the browser (a page
# whose promise never settles, a context that does not close): it fails with the stack of where it
# waited, and gets one more try, once; a test that fails its assertions is never tried again.
BROWSER_TEST_TIMEOUT = 300


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.timeout(BROWSER_TEST_TIMEOUT))
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=["Timeout"]))


def pytest_terminal_summary(terminalreporter):
    if _skipped_because:
        terminalreporter.section("browser tests", yellow=True, bold=True)
        terminalreporter.write_line(f"SKIPPED every browser test: {_skipped_because[0]}", yellow=True)


@pytest.fixture(scope="session")
def browser(chromium):
    """One headless Chromium for the session. Playwright's sync API keeps an event loop in this thread,
    which makes Django refuse ORM calls from the test ("async unsafe"); the tests only read and write
    the database between browser steps, never concurrently, so the check is switched off."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    """Browser tests run on the live server, so in a transactional database that is emptied after every
    test: the rates, occupations and regions the migrations and the session set-up put in are put back
    when an earlier test took them away."""
    from jaring.contributions.models import RateRule
    from jaring.contributions.services import rate_rules_seed
    from jaring.members.models import Occupation
    from jaring.members.services import occupations_seed
    from jaring.regions.models import Region
    from jaring.regions.services import regions_load

    if not RateRule.objects.exists():
        rate_rules_seed(RateRule)
    if not Occupation.objects.exists():
        occupations_seed(Occupation)
    if not Region.objects.exists():
        regions_load()


@pytest.fixture(autouse=True)
def seeded_by_migrations(seeded):
    """The other rows the migrations seed, put back likewise: the informal share of the employed (the
    dashboards' potential market) and the agent rules. Without it, only the first browser test of a
    session shows a potential market on an office dashboard."""
    from importlib import import_module

    from django.apps import apps

    from jaring.monitoring.models import InformalShare
    from jaring.perisai.models import AgentRule
    from jaring.perisai.services import agent_rules_seed

    if not InformalShare.objects.exists():
        import_module("jaring.monitoring.migrations.0003_seed_informal_share").seed(apps, None)
    if not AgentRule.objects.exists():
        agent_rules_seed(AgentRule)


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Users are made and signed in by the dozen: a fast hash keeps the minutes for the pages."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(seeded, network, staff) -> dict:
    """``{username: user}``, one user per role over the ``network`` world (see tests.browser.people)."""
    return people_create(network, staff)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.browser_test_failed = True
    return report


def _page(request, browser, live_server, width: str, extra: dict | None = None):
    options = {**WIDTHS[width], **(extra or {})}
    options.setdefault("locale", "id-ID")
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        if getattr(request.node, "browser_test_failed", False):
            screenshot(page, f"FAILED-{request.node.name}")
        context.close()


@pytest.fixture
def phone_page(request, browser, live_server):
    yield from _page(request, browser, live_server, "phone", getattr(request, "param", None))


@pytest.fixture
def desk_page(request, browser, live_server):
    yield from _page(request, browser, live_server, "desk", getattr(request, "param", None))


@pytest.fixture(params=list(WIDTHS))
def page(request, browser, live_server):
    """A page at phone width, then at desk width: a test using it runs at both."""
    yield from _page(request, browser, live_server, request.param)
