"""Payments and deposits: credited to the key's outlet, idempotent under the partner's reference."""

import pytest
from tests.api.conftest import registration

from jaring.common.errors import IdempotencyConflict
from jaring.contributions.models import Deposit, Payment
from jaring.contributions.services import payment_record
from jaring.members.models import Participant


@pytest.fixture
def person(api):
    body = registration()
    number = api.post("participants", body).json()["participant_number"]
    status = api.post("participants/status", {"nik": body["nik"], "birth_date": body["birth_date"]}).json()
    prices = {price["months"]: price["amount"] for price in status["prices"]}
    return {"nik": body["nik"], "number": number, "prices": prices, "birth_date": body["birth_date"]}


def pay(api, body, key="ref-1", **options):
    return api.post("payments", body, **({"Idempotency-Key": key} if key else {}), **options)


def test_a_payment_is_recorded_for_the_keys_outlet(world, api, person):
    response = pay(
        api,
        {
            "nik": person["nik"],
            "birth_date": person["birth_date"],
            "months": 3,
            "amount": person["prices"][3],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    payment = Payment.objects.get()
    assert data["payment_id"] == payment.pk and data["reference"] == "ref-1"
    assert data["months"] == 3 and data["amount"] == person["prices"][3]
    assert data["participant_number"] == person["number"] and data["nik"] != person["nik"]
    assert payment.outlet == world.pos_karawang and payment.source == "outlet:POS-KRW"
    assert payment.idempotency_key == "ref-1"


def test_a_retry_with_the_same_key_and_body_returns_the_first_result(api, person):
    body = {
        "nik": person["nik"],
        "birth_date": person["birth_date"],
        "months": 1,
        "amount": person["prices"][1],
    }
    first = pay(api, body)
    again = pay(api, body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1


def test_the_same_key_with_a_different_body_answers_409(api, person):
    assert (
        pay(
            api,
            {
                "nik": person["nik"],
                "birth_date": person["birth_date"],
                "months": 1,
                "amount": person["prices"][1],
            },
        ).status_code
        == 201
    )
    response = pay(
        api,
        {
            "nik": person["nik"],
            "birth_date": person["birth_date"],
            "months": 3,
            "amount": person["prices"][3],
        },
        language="en",
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/api/v1/problems/idempotency-conflict"
    assert "ref-1" in problem["detail"] and problem["title"] == "Idempotency key reused"
    assert Payment.objects.count() == 1


def test_a_payment_sent_by_api_and_again_in_the_outlets_file_is_recorded_once(world, api, person):
    """The file importer records an outlet's payments under source outlet:<code> with the file's
    reference column: the same key as the API's Idempotency-Key."""
    pay(
        api,
        {
            "nik": person["nik"],
            "birth_date": person["birth_date"],
            "months": 1,
            "amount": person["prices"][1],
        },
        key="KRW-2024-0001",
    )
    participant = Participant.objects.get(nik=person["nik"])
    from_file = payment_record(
        participant=participant,
        months=1,
        amount=person["prices"][1],
        source="outlet:POS-KRW",
        idempotency_key="KRW-2024-0001",
        outlet=world.pos_karawang,
    )
    assert not from_file.created
    with pytest.raises(IdempotencyConflict):
        payment_record(
            participant=participant,
            months=3,
            amount=person["prices"][3],
            source="outlet:POS-KRW",
            idempotency_key="KRW-2024-0001",
            outlet=world.pos_karawang,
        )


def test_the_idempotency_key_header_is_required(api, person):
    response = pay(
        api,
        {
            "nik": person["nik"],
            "birth_date": person["birth_date"],
            "months": 1,
            "amount": person["prices"][1],
        },
        key=None,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"Idempotency-Key": ["Isian ini wajib diisi."]}
    assert not Payment.objects.exists()


def test_a_wrong_amount_names_the_price(api, person):
    response = pay(
        api, {"number": person["number"], "birth_date": person["birth_date"], "months": 1, "amount": 1000}
    )
    assert response.status_code == 422
    (message,) = response.json()["errors"]["amount"]
    assert "Rp1.000" in message
    assert not Payment.objects.exists()


def test_an_unknown_participant_is_a_field_error(api):
    response = pay(
        api, {"nik": "3215016107909999", "birth_date": "1985-04-12", "months": 1, "amount": 16_800}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["nik"]
    neither = pay(api, {"birth_date": "1985-04-12", "months": 1, "amount": 16_800})
    assert list(neither.json()["errors"]) == ["nik", "number"]


def test_a_payment_by_participant_number(api, person):
    response = pay(
        api,
        {
            "number": person["number"],
            "birth_date": person["birth_date"],
            "months": 1,
            "amount": person["prices"][1],
        },
    )
    assert response.status_code == 201


def test_deposits_buy_months_when_the_balance_reaches_the_price(api, person):
    price = person["prices"][1]
    first = api.post(
        "deposits",
        {"nik": person["nik"], "birth_date": person["birth_date"], "amount": price - 1000},
        **{"Idempotency-Key": "d-1"},
    )
    assert first.status_code == 201, first.content
    assert first.json()["balance_after"] == price - 1000 and first.json()["months_bought"] == []
    second = api.post(
        "deposits",
        {"nik": person["nik"], "birth_date": person["birth_date"], "amount": 2000},
        **{"Idempotency-Key": "d-2"},
    )
    assert second.status_code == 201
    data = second.json()
    assert data["balance_after"] == 1000
    assert [bought["amount"] for bought in data["months_bought"]] == [price]
    again = api.post(
        "deposits",
        {"nik": person["nik"], "birth_date": person["birth_date"], "amount": 2000},
        **{"Idempotency-Key": "d-2"},
    )
    assert again.status_code == 200 and again.content == second.content
    conflict = api.post(
        "deposits",
        {"nik": person["nik"], "birth_date": person["birth_date"], "amount": 3000},
        **{"Idempotency-Key": "d-2"},
    )
    assert conflict.status_code == 409
    assert Deposit.objects.count() == 2


def test_paying_needs_the_pay_scope_and_depositing_the_deposit_scope(issue, client_for, person):
    api = client_for(issue(scopes="pay,status"))
    body = {"nik": person["nik"], "birth_date": person["birth_date"], "amount": 1000}
    assert api.post("deposits", body, **{"Idempotency-Key": "x"}).status_code == 403
    api = client_for(issue(scopes="deposit"))
    assert (
        pay(
            api,
            {
                "nik": person["nik"],
                "birth_date": person["birth_date"],
                "months": 1,
                "amount": person["prices"][1],
            },
        ).status_code
        == 403
    )
    assert not Payment.objects.exists() and not Deposit.objects.exists()
