"""API keys: issued once, stored hashed, bound to an outlet (and an agent), scoped, revocable, limited."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from jaring.api.models import ApiKey
from jaring.api.services import apikey_create, apikey_revoke, apikey_touch


def test_a_key_is_shown_once_and_only_its_hash_is_stored(world):
    issued = apikey_create(outlet=world.pos_karawang, scopes="register,status")
    prefix, secret = issued.token[:17], issued.token[18:]
    assert prefix.startswith("jrg_live_") and len(prefix) == 17 and issued.token[17] == "_"
    assert len(secret) >= 43
    row = ApiKey.objects.get(prefix=prefix)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert row.scopes == "register,status" and row.rate_limit == 600


def test_scopes_are_checked_and_kept_in_canonical_order(world):
    assert apikey_create(outlet=world.pos_karawang, scopes="status, PAY").api_key.scopes == "pay,status"
    with pytest.raises(ValidationError) as error:
        apikey_create(outlet=world.pos_karawang, scopes="pay,admin")
    assert "admin" in error.value.message_dict["scopes"][0]
    with pytest.raises(ValidationError):
        apikey_create(outlet=world.pos_karawang, scopes="")


def test_a_keys_agent_must_work_for_the_outlets_partner(world):
    with pytest.raises(ValidationError) as error:
        apikey_create(outlet=world.bank_karawang, agent=world.agent, scopes="pay")
    assert "agent" in error.value.message_dict
    assert (
        apikey_create(outlet=world.pos_balikpapan, agent=world.agent, scopes="pay").api_key.agent
        == world.agent
    )


def test_missing_wrong_or_malformed_key_answers_401_as_a_problem(api, client_for):
    anonymous = client_for(None)
    for response in (
        anonymous.get("statements/2024-05-03"),
        anonymous.get("statements/2024-05-03", key=api.key[:-2] + "xx"),
        anonymous.get("statements/2024-05-03", key="jrg_live_nonsense"),
        anonymous.client.get("/api/v1/statements/2024-05-03", headers={"Authorization": "Basic abc"}),
    ):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
        body = response.json()
        assert body["type"] == "/api/v1/problems/unauthorized" and body["status"] == 401


def test_a_revoked_key_answers_401(api):
    assert api.get("statements/2024-05-03").status_code == 200
    apikey_revoke(prefix=api.key[:17])
    assert api.get("statements/2024-05-03").status_code == 401


def test_a_key_without_the_scope_answers_403(issue, client_for):
    api = client_for(issue(scopes="status"))
    response = api.get("statements/2024-05-03")
    assert response.status_code == 403
    assert response.json()["type"] == "/api/v1/problems/scope-missing"
    assert "statement" in response.json()["detail"]


def test_over_the_rate_limit_answers_429_with_retry_after(issue, client_for):
    api = client_for(issue(rate_limit=2))
    assert api.get("statements/2024-05-03").status_code == 200
    assert api.get("statements/2024-05-03").status_code == 200
    response = api.get("statements/2024-05-03", language="en")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["title"] == "Too many requests"


def test_last_used_is_written_at_most_once_a_minute(api):
    prefix = api.key[:17]
    api.get("statements/2024-05-03")
    first = ApiKey.objects.get(prefix=prefix).last_used_at
    assert first is not None
    api.get("statements/2024-05-03")
    assert ApiKey.objects.get(prefix=prefix).last_used_at == first
    key = ApiKey.objects.get(prefix=prefix)
    apikey_touch(key, now=first + timedelta(seconds=30))
    assert ApiKey.objects.get(prefix=prefix).last_used_at == first
    apikey_touch(key, now=first + timedelta(seconds=61))
    assert ApiKey.objects.get(prefix=prefix).last_used_at == first + timedelta(seconds=61)


def test_apikey_command_creates_lists_and_revokes(world, capsys):
    call_command("apikey", "create", "--outlet", "POS-BPN", "--agent", "AG-1", "--scopes", "register,pay")
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("jrg_live_") and "shown once" in err
    key = ApiKey.objects.get(prefix=token[:17])
    assert key.outlet == world.pos_balikpapan and key.agent == world.agent

    call_command("apikey", "list", "--json")
    (row,) = json.loads(capsys.readouterr().out)
    assert row["prefix"] == key.prefix and "key" not in row and row["revoked_at"] is None

    call_command("apikey", "revoke", key.prefix)
    assert "revoked" in capsys.readouterr().out
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_at <= timezone.now()
    call_command("apikey", "list", "--active")
    assert capsys.readouterr().out == ""


def test_apikey_command_refuses_an_agent_of_another_partner(world, capsys):
    with pytest.raises(SystemExit) as stop:
        call_command("apikey", "create", "--outlet", "BNI-KRW", "--agent", "AG-1", "--scopes", "pay")
    assert stop.value.code == 2
    assert "agent" in capsys.readouterr().err
    assert not ApiKey.objects.exists()


def test_the_rate_limit_slides_over_the_last_minute(world):
    from jaring.common.ratelimit import rate_limit_hit

    key = apikey_create(outlet=world.pos_karawang, scopes="status", rate_limit=2).api_key
    start = 6_000_000.0  # the start of a minute
    assert rate_limit_hit(key, now=start) is None
    assert rate_limit_hit(key, now=start + 1) is None
    assert rate_limit_hit(key, now=start + 2) == 58  # this minute is full: wait for the next
    # One second into the next minute, the last minute still weighs 2 x 59/60: wait until it fades.
    assert rate_limit_hit(key, now=start + 61) == 30
    assert rate_limit_hit(key, now=start + 91) is None
    assert rate_limit_hit(key, now=start + 92) is not None


def test_closing_an_outlet_revokes_its_keys_at_once(world, issue, client_for, admin_user):
    from jaring.api.models import ApiKey
    from jaring.channels.models import Outlet
    from jaring.channels.services import outlet_save

    api = client_for(issue(outlet=world.pos_balikpapan))
    assert api.get("statements/2024-05-03").status_code == 200
    outlet = Outlet.objects.get(pk=world.pos_balikpapan.pk)
    outlet.is_active = False
    outlet_save(outlet=outlet, actor=admin_user, summary="closed")
    assert api.get("statements/2024-05-03").status_code == 401
    assert not ApiKey.objects.filter(outlet=outlet, revoked_at__isnull=True).exists()
