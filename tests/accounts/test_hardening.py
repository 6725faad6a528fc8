"""Sign-in throttling, session and cookie settings, and the Content Security Policy on every page."""

import os
import re
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from tests.conftest import PASSWORD

from jaring.accounts.models import AuditEntry
from jaring.accounts.signals import SIGNED_IN_AT

POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:", "font-src": "'self'", "connect-src": "'self'", "object-src": "'none'",
    "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'",
}  # fmt: skip


def policy(response) -> dict:
    """The Content-Security-Policy header as directive -> sources."""
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return dict(directives)


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_username_from_that_address_for_15_minutes(client, network, staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    staff("outlet_teller", outlet=network.pos_karawang, username="budi")
    staff("outlet_teller", outlet=network.pos_karawang, username="sari")
    for _ in range(4):
        assert sign_in(client, "budi", "wrong").status_code == 200
    locked = sign_in(client, "budi", "wrong")
    assert locked.status_code == 429
    refused = sign_in(client, "budi", PASSWORD)  # the right password, too late
    assert refused.status_code == 429 and not signed_in(client)
    assert "accounts/locked_out.html" in [t.name for t in refused.templates]
    assert refused.context["cooloff_timedelta"].total_seconds() == 15 * 60
    assert AccessAttempt.objects.filter(username="budi", ip_address="10.0.0.1").exists()
    # the lock is per username and address: the same name from elsewhere, another name from here, go in
    assert sign_in(client, "sari", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "budi", PASSWORD, address="10.0.0.2").status_code == 302
    assert AuditEntry.objects.filter(action="login_failed", summary__contains="locked out").exists()


def test_the_admin_sign_in_is_throttled_too(client, admin_user):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "password"})
    assert response.status_code == 429 and not signed_in(client)


def test_a_success_clears_earlier_failures(client, network, staff):
    staff("outlet_teller", outlet=network.pos_karawang, username="budi")
    for _ in range(4):
        sign_in(client, "budi", "wrong")
    assert sign_in(client, "budi", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        sign_in(client, "budi", "wrong")
    assert sign_in(client, "budi", PASSWORD).status_code == 302


def test_the_session_cookie_is_http_only_lax_and_ends_with_the_browser(client, network, staff):
    staff("outlet_teller", outlet=network.pos_karawang, username="budi")
    response = sign_in(client, "budi", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert client.session.get_expiry_age() <= 8 * 60 * 60


def test_a_session_ends_8_hours_after_sign_in_however_busy(client, network, staff):
    staff("branch_staff", office=network.balikpapan, username="siti")
    sign_in(client, "siti", PASSWORD)
    client.get("/")
    assert signed_in(client)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 8 * 60 * 60 - 1
    session.save()
    client.get("/")
    assert not signed_in(client)
    assert AuditEntry.objects.filter(
        action="logout", username="siti", summary__contains="session ended"
    ).exists()


@pytest.mark.parametrize("https, secure, hsts", [("", "False", "0"), ("1", "True", "31536000")])
def test_https_turns_on_secure_cookies_and_hsts(https, secure, hsts, tmp_path):
    code = (
        "from django.conf import settings as s; import django; django.setup(); "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    env = {**os.environ, "JARING_HTTPS": https, "JARING_HOME": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "jaring.settings"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [secure, secure, hsts]


def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert client.get("/healthz", secure=True)["Strict-Transport-Security"] == "max-age=31536000"


def scripts_are_external(html: str) -> bool:
    """Every <script> loads a file or is inert JSON data: nothing for the policy to refuse."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" not in tag and 'type="application/json"' not in tag:
            return False
    return True


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/admin/login/", "/healthz"])
def test_every_page_carries_the_policy(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert policy(response) == POLICY
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_the_admin_works_under_the_policy(admin_client, network):
    for path in (
        "/admin/",
        "/admin/members/participant/",
        f"/admin/channels/agent/{network.agent.pk}/change/",
    ):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert policy(response) == POLICY
        assert scripts_are_external(response.content.decode()), path


def test_the_api_docs_render_under_the_policy(client, db):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert policy(page) == POLICY
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html and "swagger-ui-init.js" in html
    assert scripts_are_external(html)
    # the scripts and the OpenAPI document it fetches are served from jaring itself ('self')
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_the_access_log_never_writes_a_query_string_or_a_referrer():
    """A desk search and the live NIK check carry a NIK in the query string: the log keeps the path only."""
    from jaring.common.management.commands.serve import ACCESS_LOG_FORMAT

    assert "%(U)s" in ACCESS_LOG_FORMAT
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "{"):
        assert leaky not in ACCESS_LOG_FORMAT
