"""The status lookup: any participant, but only with the right birth date; NIK masked."""

from datetime import date

from tests.api.conftest import registration

from jaring.common.clock import month_of


def registered(api, **fields) -> dict:
    body = registration(**fields)
    response = api.post("participants", body)
    assert response.status_code == 201, response.content
    return {**body, "number": response.json()["participant_number"]}


def test_status_needs_the_nik_and_the_right_birth_date(api):
    person = registered(api, name="Dewi Lestari", phone="081277776666")
    response = api.post("participants/status", {"nik": person["nik"], "birth_date": person["birth_date"]})
    assert response.status_code == 200
    data = response.json()
    assert data["participant_number"] == person["number"]
    assert data["nik"] != person["nik"] and data["nik"].startswith(person["nik"][:6]) and "*" in data["nik"]
    assert data["status"] == "new" and data["paid_through"] is None
    assert [price["months"] for price in data["prices"]] == [1, 3, 6, 12]
    assert data["prices"][0]["first_month"] == str(month_of())
    text = response.content.decode()
    assert "Dewi" not in text and "081277776666" not in text


def test_a_wrong_birth_date_answers_exactly_like_an_unknown_nik(api):
    person = registered(api)
    wrong = api.post("participants/status", {"nik": person["nik"], "birth_date": "1990-07-22"})
    unknown = api.post("participants/status", {"nik": "3215016107909999", "birth_date": person["birth_date"]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    assert wrong.json()["type"] == "/api/v1/problems/not-found"


def test_status_by_participant_number(api):
    person = registered(api)
    response = api.post(
        "participants/status", {"number": person["number"], "birth_date": person["birth_date"]}
    )
    assert response.status_code == 200
    bad = api.post("participants/status", {"number": person["number"], "birth_date": "2000-01-01"})
    assert bad.status_code == 404


def test_status_answers_for_participants_registered_at_another_outlet(world, api, issue, client_for):
    person = registered(api)
    elsewhere = client_for(issue(outlet=world.bank_karawang, scopes="status"))
    response = elsewhere.post(
        "participants/status", {"nik": person["nik"], "birth_date": person["birth_date"]}
    )
    assert response.status_code == 200


def test_status_after_a_payment_is_active_through_this_month(api):
    person = registered(api)
    ask = {"nik": person["nik"], "birth_date": person["birth_date"]}
    price = api.post("participants/status", ask).json()["prices"][0]
    paid = api.post(
        "payments",
        {"nik": person["nik"], "birth_date": person["birth_date"], "months": 1, "amount": price["amount"]},
        **{"Idempotency-Key": "r-1"},
    )
    assert paid.status_code == 201, paid.content
    data = api.post("participants/status", ask).json()
    assert data["status"] == "active" and data["paid_through"] == str(month_of())
    assert data["prices"][0]["first_month"] == str(month_of() + 1)


def test_status_needs_a_birth_date(api):
    person = registered(api)
    response = api.post("participants/status", {"nik": person["nik"]})
    assert response.status_code == 422
    assert "birth_date" in response.json()["errors"]
    assert date.fromisoformat(person["birth_date"])
