"""A payment, deposit or status lookup names its participant by NIK or by participant number, exactly one of
the two; a batch's payment or deposit carries its own reference. The OpenAPI document says so, and what it
allows the endpoint does not refuse for its shape; a body naming neither (or both) is answered 422 on each
of the two fields, by every endpoint alike."""

import jsonschema_rs
import pytest
from tests.api.conftest import registration

from jaring.contributions.models import Payment

EITHER = "Give either the NIK or the participant number."
NAMED = ("PaymentIn", "DepositIn", "StatusIn", "BatchPayment", "BatchDeposit")


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def allows(document, name: str, body: dict) -> bool:
    return jsonschema_rs.Draft202012Validator(document["components"]["schemas"][name]).is_valid(body)


@pytest.fixture
def person(api):
    body = registration()
    number = api.post("participants", body).json()["participant_number"]
    status = api.post("participants/status", {"nik": body["nik"], "birth_date": body["birth_date"]}).json()
    return {
        "nik": body["nik"],
        "number": number,
        "birth_date": body["birth_date"],
        "price": status["prices"][0],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMED)
def test_the_document_requires_the_nik_or_the_number_but_not_both(document, name):
    schema = document["components"]["schemas"][name]
    assert [branch["required"] for branch in schema["oneOf"]] == [["nik"], ["number"]]
    rest = {"birth_date": "1985-04-12", "months": 1, "amount": 16_800, "type": "payment", "reference": "R-1"}
    if name in ("BatchDeposit", "DepositIn"):
        rest = {**rest, "type": "deposit"}
    assert allows(document, name, {**rest, "nik": "3215015204850003"})
    assert allows(document, name, {**rest, "number": "00000000018", "nik": None})
    assert allows(document, name, {**rest, "number": "00000000018", "nik": "  "})  # blank is not given
    assert not allows(document, name, rest)
    assert not allows(document, name, {**rest, "nik": None, "number": " "})
    assert not allows(document, name, {**rest, "nik": "3215015204850003", "number": "00000000018"})


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["BatchPayment", "BatchDeposit"])
def test_the_document_requires_a_batch_items_reference_with_something_in_it(document, name):
    schema = document["components"]["schemas"][name]
    assert "reference" in schema["required"]
    item = {"type": name[5:].lower(), "nik": "3215015204850003", "birth_date": "1985-04-12", "months": 1}
    item["amount"] = 16_800
    assert allows(document, name, {**item, "reference": "R-1"})
    assert not allows(document, name, item)
    assert not allows(document, name, {**item, "reference": "   "})


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("payments", {"birth_date": "1985-04-12", "months": 1, "amount": 16_800}),
        ("deposits", {"birth_date": "1985-04-12", "amount": 5_000}),
        ("participants/status", {"birth_date": "1985-04-12"}),
    ],
)
def test_a_body_naming_neither_is_answered_422_on_both_fields(api, path, body):
    for named in ({}, {"nik": None, "number": "  "}, {"nik": "3215015204850003", "number": "00000000018"}):
        response = api.post(path, {**body, **named}, language="en", **{"Idempotency-Key": "N-1"})
        assert response.status_code == 422, (named, response.content)
        problem = response.json()
        assert problem["type"] == "/api/v1/problems/validation"
        assert problem["errors"] == {"nik": [EITHER], "number": [EITHER]}
    assert not Payment.objects.exists()


def test_a_body_naming_one_with_the_other_blank_is_not_refused_for_its_shape(api, person):
    body = {"nik": " ", "number": person["number"], "birth_date": person["birth_date"], "months": 1}
    response = api.post(
        "payments", {**body, "amount": person["price"]["amount"]}, **{"Idempotency-Key": "B-1"}
    )
    assert response.status_code == 201, response.content
    status = api.post("participants/status", {"nik": None, **{k: body[k] for k in ("number", "birth_date")}})
    assert status.status_code == 200


def test_a_batch_item_naming_neither_or_with_a_blank_reference_is_rejected_on_its_own(api, person):
    item = {
        "type": "payment",
        "birth_date": person["birth_date"],
        "months": 1,
        "amount": person["price"]["amount"],
    }
    items = [
        {**item, "reference": "B-1"},
        {**item, "reference": "B-2", "nik": person["nik"], "number": " "},
        {**item, "reference": "   ", "nik": person["nik"]},
    ]
    results = api.post("batch", {"items": items}, language="en").json()["results"]
    assert [result["status"] for result in results] == ["rejected", "accepted", "rejected"]
    assert results[0]["errors"] == {"nik": [EITHER], "number": [EITHER]}
    assert results[2]["errors"] == {"reference": ["This field cannot be empty."]}


@pytest.mark.django_db
def test_an_idempotency_key_of_spaces_is_refused_as_the_document_says(document, api, person):
    for path in ("/api/v1/payments", "/api/v1/deposits"):
        header = next(
            p for p in document["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key"
        )
        assert header["required"] and header["schema"]["pattern"] == r"\S"
    body = {
        "nik": person["nik"],
        "birth_date": person["birth_date"],
        "months": 1,
        "amount": person["price"]["amount"],
    }
    response = api.post("payments", body, **{"Idempotency-Key": "   "})
    assert response.status_code == 422
    assert not Payment.objects.exists()
