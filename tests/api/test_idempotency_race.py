"""Two requests with one Idempotency-Key at the same instant record one payment (needs PostgreSQL: the
race is between two database connections, each in its own thread, committing for real)."""

import threading

import pytest
from django.db import connection, connections
from tests.api.conftest import Api, registration

from jaring.contributions.models import Payment

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to lose "
        "(run with DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def seeded(django_db_blocker):
    """A transactional test ends by emptying every table; one that ran before this one left no rates,
    occupations or regions behind, so they are put back when missing."""
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


def at_once(count: int, send) -> list:
    """Runs ``send()`` in ``count`` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            answers[index] = send()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_concurrent_retries_with_one_key_record_exactly_one_payment(seeded, issue):
    key = issue(scopes="register,pay,status")
    person = registration()
    api = Api(key)
    assert api.post("participants", person).status_code == 201
    ask = {"nik": person["nik"], "birth_date": person["birth_date"]}
    price = api.post("participants/status", ask).json()["prices"][0]["amount"]
    body = {"nik": person["nik"], "birth_date": person["birth_date"], "months": 1, "amount": price}

    answers = at_once(6, lambda: Api(key).post("payments", body, **{"Idempotency-Key": "RACE-1"}))

    assert sorted(answer.status_code for answer in answers) == [200, 200, 200, 200, 200, 201]
    assert len({answer.content for answer in answers}) == 1
    assert Payment.objects.filter(idempotency_key="RACE-1").count() == 1


def test_concurrent_requests_with_one_key_and_different_bodies_record_one(seeded, issue):
    key = issue(scopes="register,pay,status")
    api = Api(key)
    people = [registration(), registration()]
    prices = []
    for person in people:
        assert api.post("participants", person).status_code == 201
        ask = {"nik": person["nik"], "birth_date": person["birth_date"]}
        prices.append(api.post("participants/status", ask).json()["prices"][0]["amount"])
    bodies = iter(
        [
            {"nik": person["nik"], "birth_date": person["birth_date"], "months": 1, "amount": price}
            for person, price in zip(people, prices, strict=True)
        ]
    )
    lock = threading.Lock()

    def send():
        with lock:
            body = next(bodies)
        return Api(key).post("payments", body, **{"Idempotency-Key": "RACE-2"})

    answers = at_once(2, send)

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    assert Payment.objects.filter(idempotency_key="RACE-2").count() == 1
