"""Dated records over the API: a till or a phone syncing late may date a payment, deposit or registration
within the grace window for late records; earlier dates need a key with the ``history`` scope."""

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.api.conftest import Api, registration

from jaring.accounts.models import AuditEntry
from jaring.contributions.models import Payment
from jaring.contributions.services import payment_quote
from jaring.members.models import Participant

EVERY = "register,pay,deposit,status,statement"


def ago(days: int) -> str:
    return (timezone.now() - timedelta(days=days)).isoformat()


@pytest.fixture
def operator(issue):
    return Api(issue(scopes=f"{EVERY},history"))


@pytest.fixture
def worker(operator):
    """Registered two years ago, by the operator's migration key."""
    body = registration(registered_at=ago(730))
    response = operator.post("participants", body)
    assert response.status_code == 201, response.content
    return Participant.objects.get(nik=body["nik"])


def payment(worker, days: int) -> dict:
    _months, price = payment_quote(worker, months=1, at=timezone.now() - timedelta(days=days))
    return {
        "nik": worker.nik,
        "birth_date": worker.birth_date.isoformat(),
        "months": 1,
        "amount": price.total,
        "paid_at": ago(days),
    }


def test_a_payment_dated_a_year_ago_needs_the_history_scope(api, operator, worker):
    refused = api.post("payments", payment(worker, 365), **{"Idempotency-Key": "H-1"})
    assert refused.status_code == 422 and refused.json()["reasons"] == ["paid_at:too_old"]
    assert not Payment.objects.exists()
    accepted = operator.post("payments", payment(worker, 365), **{"Idempotency-Key": "H-2"})
    assert accepted.status_code == 201, accepted.content
    entry = AuditEntry.objects.get(
        object_type="contributions.payment", object_id=str(accepted.json()["payment_id"])
    )
    assert "historical date" in entry.summary


def test_a_payment_taken_yesterday_is_accepted_without_the_history_scope(api, worker):
    response = api.post("payments", payment(worker, 1), **{"Idempotency-Key": "Y-1"})
    assert response.status_code == 201, response.content


def test_a_registration_or_deposit_dated_before_the_window_is_refused_without_the_scope(api, worker):
    response = api.post("participants", registration(registered_at=ago(365)))
    assert response.status_code == 422 and response.json()["reasons"] == ["registered_at:too_old"]
    body = {"nik": worker.nik, "birth_date": worker.birth_date.isoformat(), "amount": 5_000}
    response = api.post("deposits", {**body, "collected_at": ago(30)}, **{"Idempotency-Key": "D-1"})
    assert response.status_code == 422 and response.json()["reasons"] == ["collected_at:too_old"]


def test_a_batch_item_dated_a_year_ago_is_refused_on_its_own(api, worker):
    items = [
        {"type": "payment", "reference": "B-1", **payment(worker, 365)},
        {"type": "payment", "reference": "B-2", **payment(worker, 2)},
    ]
    results = api.post("batch", {"items": items}).json()["results"]
    assert [result["status"] for result in results] == ["rejected", "accepted"]


def test_a_moment_without_its_utc_offset_is_refused(api, worker):
    body = {**payment(worker, 1), "paid_at": "2026-01-02T10:00:00"}
    assert api.post("payments", body, **{"Idempotency-Key": "N-1"}).status_code == 422
