"""What keeps the API fast: few statements per call, and keys remembered for a few seconds per process.

bench/api.py measures the latency; these tests keep the statement counts from creeping back up."""

from jaring.api import keycache
from jaring.api.models import ApiKey
from jaring.api.services import apikey_revoke
from jaring.channels.models import Agent
from jaring.common.clock import month_of
from jaring.contributions.queries import participant_status_now
from jaring.contributions.services import payment_record


def _lookup(person) -> dict:
    return {"nik": person.nik, "birth_date": person.birth_date.isoformat()}


def test_a_status_lookup_reads_the_participant_and_its_runs_only(
    api, register, django_assert_max_num_queries
):
    person = register()
    assert api.post("participants/status", _lookup(person)).status_code == 200  # the key is read once
    with django_assert_max_num_queries(2):  # the participant; its coverage runs
        response = api.post("participants/status", _lookup(person))
    assert response.status_code == 200 and response.json()["status"] == "new"


def test_a_payment_takes_a_bounded_number_of_statements(api, register, django_assert_max_num_queries):
    person = register()
    api.post("participants/status", _lookup(person))
    # The participant by NIK; then in one transaction: the participant locked, the idempotency key,
    # the coverage runs, the ledger entry and its ledger key, the runs written, the tallies, coverage
    # deltas and the two monthly roll-ups (one statement each, sent together on PostgreSQL), the
    # participant's standing, the audit entry. Two more here: the test's own transaction makes the
    # service's transaction a savepoint.
    with django_assert_max_num_queries(15):
        response = api.post(
            "payments",
            {"nik": person.nik, "birth_date": person.birth_date.isoformat(), "months": 1, "amount": 16_800},
            **{"Idempotency-Key": "P-1"},
        )
    assert response.status_code == 201, response.content


def test_the_status_prices_are_what_a_payment_then_asks(api, register):
    person = register()
    payment_record(participant=person, months=3, amount=50_400, source="pos", idempotency_key="k1")
    standing = participant_status_now(person)
    assert standing.standing == "active" and standing.paid_through == month_of() + 2
    price = standing.next_prices[1].total
    response = api.post(
        "payments",
        {"nik": person.nik, "birth_date": person.birth_date.isoformat(), "months": 1, "amount": price},
        **{"Idempotency-Key": "P-2"},
    )
    assert response.status_code == 201 and response.json()["first_month"] == str(month_of() + 3)


def test_a_key_revoked_by_another_process_is_refused_within_the_cache_seconds(api, monkeypatch):
    assert api.get("statements/2024-05-03").status_code == 200
    # Another process (the CLI) revokes it: this process is not told, and remembers the key a while.
    ApiKey.objects.filter(prefix=api.key[:17]).update(revoked_at="2024-05-03T00:00:00Z")
    assert api.get("statements/2024-05-03").status_code == 200
    later = keycache.time.monotonic() + keycache.DEFAULT_SECONDS
    monkeypatch.setattr(keycache.time, "monotonic", lambda: later)
    assert api.get("statements/2024-05-03").status_code == 401


def test_a_key_revoked_in_this_process_is_refused_at_once(api):
    assert api.get("statements/2024-05-03").status_code == 200
    apikey_revoke(prefix=api.key[:17])
    assert api.get("statements/2024-05-03").status_code == 401


def test_an_agent_deactivated_in_this_process_takes_no_payment_at_once(world, issue, client_for, register):
    person = register()
    api = client_for(issue(agent=world.agent))
    body = {"nik": person.nik, "birth_date": person.birth_date.isoformat(), "months": 1, "amount": 16_800}
    assert api.post("participants/status", _lookup(person)).status_code == 200
    agent = Agent.objects.get(pk=world.agent.pk)
    agent.status = Agent.Status.INACTIVE
    agent.save()
    response = api.post("payments", body, **{"Idempotency-Key": "P-3"})
    assert response.status_code == 422 and "agent" in response.json()["errors"]


def test_the_memory_can_be_turned_off(api, settings, django_assert_max_num_queries):
    settings.JARING_API_KEY_CACHE_SECONDS = 0
    api.get("statements/2024-05-03")
    with django_assert_max_num_queries(10) as queries:
        api.get("statements/2024-05-03")
    assert any("api_apikey" in query["sql"] for query in queries.captured_queries)
