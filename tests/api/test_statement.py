"""The daily statement: only the key's outlet (and agent), with references and amounts."""

from datetime import timedelta

from tests.api.conftest import registration

from jaring.common.clock import local_date


def register_and_pay(api, reference: str) -> int:
    body = registration()
    assert api.post("participants", body).status_code == 201
    status = api.post("participants/status", {"nik": body["nik"], "birth_date": body["birth_date"]}).json()
    price = status["prices"][0]["amount"]
    paid = api.post(
        "payments",
        {"nik": body["nik"], "birth_date": body["birth_date"], "months": 1, "amount": price},
        **{"Idempotency-Key": reference},
    )
    assert paid.status_code == 201
    return price


def test_the_statement_lists_only_the_keys_outlet(world, issue, client_for):
    karawang = client_for(issue(outlet=world.pos_karawang))
    bank = client_for(issue(outlet=world.bank_karawang))
    price_a = register_and_pay(karawang, "A-1")
    price_b = register_and_pay(karawang, "A-2")
    register_and_pay(bank, "B-1")
    depositor = registration()
    bank.post("participants", depositor)
    bank.post(
        "deposits",
        {"nik": depositor["nik"], "birth_date": depositor["birth_date"], "amount": 5000},
        **{"Idempotency-Key": "B-D1"},
    )

    today = local_date().isoformat()
    mine = karawang.get(f"statements/{today}").json()
    assert mine["outlet"] == "POS-KRW" and mine["date"] == today
    assert mine["registrations"] == 2
    assert mine["payments_count"] == 2 and mine["payments_amount"] == price_a + price_b
    assert [line["reference"] for line in mine["payments"]] == ["A-1", "A-2"]
    assert mine["deposits_count"] == 0 and mine["deposits"] == []

    theirs = bank.get(f"statements/{today}").json()
    assert [line["reference"] for line in theirs["payments"]] == ["B-1"]
    assert [(line["reference"], line["amount"]) for line in theirs["deposits"]] == [("B-D1", 5000)]
    assert theirs["registrations"] == 2 and theirs["deposits_amount"] == 5000


def test_an_agents_key_sees_the_agents_part_of_the_outlet(world, issue, client_for):
    outlet_key = client_for(issue(outlet=world.pos_karawang))
    agent_key = client_for(issue(outlet=world.pos_karawang, agent=world.agent))
    register_and_pay(outlet_key, "O-1")
    register_and_pay(agent_key, "G-1")
    today = local_date().isoformat()
    assert [p["reference"] for p in agent_key.get(f"statements/{today}").json()["payments"]] == ["G-1"]
    everything = outlet_key.get(f"statements/{today}").json()
    assert [p["reference"] for p in everything["payments"]] == ["O-1", "G-1"]
    assert everything["registrations"] == 2


def test_a_statement_of_an_empty_day_and_of_a_future_day(api):
    yesterday = (local_date() - timedelta(days=1)).isoformat()
    empty = api.get(f"statements/{yesterday}").json()
    assert (empty["registrations"], empty["payments_count"], empty["deposits_count"]) == (0, 0, 0)
    future = api.get(f"statements/{(local_date() + timedelta(days=1)).isoformat()}")
    assert future.status_code == 422 and "day" in future.json()["errors"]
    assert api.get("statements/2024-13-01").status_code == 422
