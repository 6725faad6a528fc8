"""Batches: up to 10,000 items, each applied or rejected on its own, one result per item in order."""

import json

from tests.api.conftest import registration

from jaring.contributions.models import Deposit, Payment
from jaring.members.models import Participant


def price_of_one_month(api, body) -> int:
    status = api.post("participants/status", {"nik": body["nik"], "birth_date": body["birth_date"]}).json()
    return status["prices"][0]["amount"]


def test_a_mixed_batch_applies_the_good_items_and_rejects_the_bad_ones(world, api):
    known = registration()
    assert api.post("participants", known).status_code == 201
    price = price_of_one_month(api, known)
    fresh = registration()
    items = [
        {"type": "registration", **fresh},
        {"type": "registration", **registration(occupation="ASTRONAUT")},
        {"type": "registration", **known},
        {
            "type": "payment",
            "reference": "B-1",
            "nik": known["nik"],
            "birth_date": known["birth_date"],
            "months": 1,
            "amount": price,
        },
        {
            "type": "payment",
            "reference": "B-2",
            "nik": known["nik"],
            "birth_date": known["birth_date"],
            "months": 1,
            "amount": 5,
        },
        {
            "type": "payment",
            "reference": "B-3",
            "nik": "3215016107909999",
            "birth_date": "1985-04-12",
            "months": 1,
            "amount": price,
        },
        {"type": "payment", "nik": known["nik"], "birth_date": known["birth_date"], "months": "one"},
        {"type": "refund", "amount": 5},
        "not an object",
    ]
    response = api.post("batch", {"items": items})
    assert response.status_code == 200, response.content
    data = response.json()
    results = data["results"]
    assert [result["index"] for result in results] == list(range(len(items)))
    assert [result["status"] for result in results] == [
        "accepted",
        "rejected",
        "duplicate",
        "accepted",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert (data["accepted"], data["duplicate"], data["rejected"]) == (2, 1, 6)
    assert results[0]["participant_number"] == Participant.objects.get(nik=fresh["nik"]).number
    assert results[1]["errors"] == {"occupation": ["Kode pekerjaan ASTRONAUT tidak dikenal."]}
    assert "POS-KRW" in results[2]["errors"]["nik"][0]
    assert results[3]["payment_id"] == Payment.objects.get(idempotency_key="B-1").pk
    assert list(results[4]["errors"]) == ["amount"]
    assert list(results[5]["errors"]) == ["nik"]
    assert set(results[6]["errors"]) == {"reference", "months", "amount"}
    assert results[6]["errors"]["reference"] == ["Isian ini wajib diisi."]
    assert list(results[7]["errors"]) == ["type"]
    assert results[8]["errors"]
    assert Payment.objects.count() == 1
    assert Participant.objects.count() == 2


def test_resending_a_batch_records_nothing_twice(api):
    person = registration()
    api.post("participants", person)
    price = price_of_one_month(api, person)
    items = [
        {"type": "registration", **registration()},
        {
            "type": "payment",
            "reference": "R-1",
            "nik": person["nik"],
            "birth_date": person["birth_date"],
            "months": 1,
            "amount": price,
        },
        {
            "type": "deposit",
            "reference": "D-1",
            "nik": person["nik"],
            "birth_date": person["birth_date"],
            "amount": 2_500,
        },
    ]
    first = api.post("batch", {"items": items}).json()
    again = api.post("batch", {"items": items}).json()
    assert [r["status"] for r in first["results"]] == ["accepted", "accepted", "accepted"]
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate", "duplicate"]
    assert again["results"][1]["payment_id"] == first["results"][1]["payment_id"]
    assert again["results"][2]["deposit_id"] == first["results"][2]["deposit_id"]
    assert again["results"][0]["participant_number"] == first["results"][0]["participant_number"]
    assert Payment.objects.count() == 1 and Deposit.objects.count() == 1


def test_a_batch_over_10000_items_is_refused_whole(api):
    items = [{"type": "deposit", "reference": str(i), "nik": "1", "amount": 1} for i in range(10_001)]
    response = api.post("batch", {"items": items}, language="en")
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"]["items"] == ["A batch holds at most 10,000 items; 10,001 were sent. Split it."]
    indonesian = api.post("batch", {"items": items}).json()
    assert indonesian["errors"]["items"] == [
        "Satu batch memuat paling banyak 10.000 butir; yang dikirim 10.001. Bagi menjadi beberapa batch."
    ]


def test_a_batch_may_be_larger_than_djangos_upload_limit(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    items = [{"type": "registration", **registration()} for _ in range(20)]
    assert len(json.dumps({"items": items})) > 2_000
    response = api.post("batch", {"items": items})
    assert response.status_code == 200
    assert response.json()["accepted"] == 20
    single = api.post("participants", {**registration(), "name": "x" * 3_000})
    assert single.status_code == 413
    assert single.json()["type"] == "/api/v1/problems/payload-too-large"


def test_a_batch_needs_the_scope_of_every_item_type_or_nothing_is_applied(issue, client_for):
    api = client_for(issue(scopes="register"))
    person = registration()
    items = [
        {"type": "registration", **person},
        {
            "type": "payment",
            "reference": "S-1",
            "nik": person["nik"],
            "birth_date": person["birth_date"],
            "months": 1,
            "amount": 16_800,
        },
    ]
    response = api.post("batch", {"items": items})
    assert response.status_code == 403
    assert "pay" in response.json()["detail"]
    assert not Participant.objects.exists()


def test_batch_registrations_are_credited_to_the_keys_outlet(world, issue, client_for):
    api = client_for(issue(outlet=world.pos_balikpapan, agent=world.agent))
    person = registration(outlet="POS-KRW", agent="AG-9")
    assert api.post("batch", {"items": [{"type": "registration", **person}]}).json()["accepted"] == 1
    participant = Participant.objects.get(nik=person["nik"])
    assert participant.outlet == world.pos_balikpapan and participant.agent == world.agent
