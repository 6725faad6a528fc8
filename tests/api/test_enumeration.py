"""Payments cannot be used to learn who is registered: every payment or deposit names the worker by NIK
(or number) and birth date, an unknown NIK and a wrong birth date are refused alike, and a batch counts
each of its items against the key's rate limit."""

from datetime import date

from tests.api.conftest import Api

from jaring.contributions.models import Payment
from jaring.rules.nik import Sex, make_nik

WRONG_BIRTH_DATE = "1970-01-01"


def test_a_batch_of_probes_tells_nothing_about_who_is_registered(world, issue, register):
    registered = {register().nik for _ in range(20)}
    unknown = {make_nik("32.15.01", date(1990, 7, 21), Sex("F"), serial) for serial in range(6000, 8980)}
    api = Api(issue(rate_limit=10_000))
    items = [
        {"type": "payment", "reference": f"PROBE-{index}", "nik": nik, "birth_date": WRONG_BIRTH_DATE,
         "months": 1, "amount": 1_000}
        for index, nik in enumerate(sorted(registered | unknown))
    ]  # fmt: skip
    assert len(items) == 3_000
    response = api.post("batch", {"items": items})
    assert response.status_code == 200
    results = response.json()["results"]
    # Registered or not, the same refusal, the same words, nothing about months, prices or standing.
    answers = {(json_key(result["errors"]), tuple(result["reasons"])) for result in results}
    assert len(answers) == 1
    ((errors, reasons),) = answers
    assert reasons == ("nik:unknown",) and "Rp" not in errors
    assert not Payment.objects.exists()


def json_key(errors: dict) -> str:
    return repr(sorted(errors.items()))


def test_the_birth_date_opens_the_price_to_the_worker_who_knows_it(world, api, register):
    person = register()
    body = {"nik": person.nik, "months": 1, "amount": 1_000}
    wrong = api.post("payments", {**body, "birth_date": WRONG_BIRTH_DATE}, **{"Idempotency-Key": "E-1"})
    nobody = api.post(
        "payments",
        {**body, "nik": "3215016107909999", "birth_date": WRONG_BIRTH_DATE},
        **{"Idempotency-Key": "E-2"},
    )
    assert wrong.status_code == nobody.status_code == 422
    assert wrong.json()["errors"] == nobody.json()["errors"] and wrong.json()["reasons"] == ["nik:unknown"]
    right = api.post(
        "payments", {**body, "birth_date": person.birth_date.isoformat()}, **{"Idempotency-Key": "E-3"}
    )
    assert right.status_code == 422 and right.json()["reasons"] == ["amount:price_mismatch"]


def test_each_item_of_a_batch_counts_against_the_rate_limit(world, issue):
    api = Api(issue(rate_limit=100))
    probe = {"type": "deposit", "nik": "3215016107909999", "birth_date": WRONG_BIRTH_DATE, "amount": 1_000}
    items = [{**probe, "reference": f"L-{index}"} for index in range(150)]
    response = api.post("batch", {"items": items})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    # The refused batch counted as one request; 99 items more fill the minute's 100, and then nothing goes.
    assert api.post("batch", {"items": items[:99]}).status_code == 200
    assert api.post("batch", {"items": items[:1]}).status_code == 429
