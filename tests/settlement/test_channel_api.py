"""The channel API: inquiry, payment notification and reversal advice, signed host-to-host."""

import time

import pytest

from jaring.accounts.models import AuditEntry
from jaring.contributions.models import Payment
from jaring.members.codes import participant_payment_code
from jaring.settlement.credentials import channel_secret

INQUIRY = "/api/v1/channel/inquiry"
PAYMENTS = "/api/v1/channel/payments"
REVERSALS = "/api/v1/channel/reversals"


@pytest.fixture
def worker(register):
    return register(name="Siti Wahyuni")


def test_inquiry_then_the_same_payment_twice_records_one_payment(channel, send, worker):
    code = participant_payment_code(worker)
    asked = send(channel, INQUIRY, {"customer": code})
    assert asked.status_code == 200, asked.content
    answer = asked.json()
    assert answer["name"] == "S*** W******"
    assert {option["months"]: option["amount"] for option in answer["options"]} == {
        1: 16_800,
        3: 50_400,
        6: 100_800,
        12: 201_600,
    }
    body = {"customer": code, "months": 3, "amount": 50_400, "reference": "BNI-0001"}
    first = send(channel, PAYMENTS, body)
    again = send(channel, PAYMENTS, body)  # the channel timed out and sent it again, signed anew
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["receipt"] == again.json()["receipt"]
    payment = Payment.objects.get(participant=worker)
    assert (payment.months, payment.amount, payment.outlet, payment.channel) == (
        3,
        50_400,
        channel.outlet,
        "bank",
    )
    assert payment.source == "channel:BNI-H2H" and payment.idempotency_key == "BNI-0001"


def test_a_wrong_signature_records_nothing_and_is_audited(channel, send, worker):
    body = {"customer": participant_payment_code(worker), "months": 1, "amount": 16_800, "reference": "R1"}
    answer = send(channel, PAYMENTS, body, secret="jrg_ch_not-the-secret")
    assert answer.status_code == 401
    assert answer.json()["type"].endswith("/channel-signature")
    assert not Payment.objects.exists()
    refused = AuditEntry.objects.get(action="refused")
    assert "BNI-H2H" in refused.summary and "wrong signature" in refused.summary


def test_a_body_changed_after_signing_is_refused(channel, client, worker):
    import json

    from jaring.settlement.credentials import signed_headers

    body = {"customer": participant_payment_code(worker), "months": 1, "amount": 16_800, "reference": "R1"}
    headers = signed_headers(
        channel.secret,
        channel.code,
        method="POST",
        path=PAYMENTS,
        body=json.dumps(body).encode(),
        at=time.time(),
    )
    tampered = json.dumps({**body, "months": 12, "amount": 201_600}).encode()
    answer = client.post(PAYMENTS, tampered, content_type="application/json", headers=headers)
    assert answer.status_code == 401
    assert not Payment.objects.exists()


def test_a_replayed_request_is_refused(channel, send, client, worker):
    import json

    from jaring.settlement.credentials import signed_headers

    raw = json.dumps({"customer": participant_payment_code(worker)}).encode()
    headers = signed_headers(
        channel.secret, channel.code, method="POST", path=INQUIRY, body=raw, at=time.time()
    )
    assert client.post(INQUIRY, raw, content_type="application/json", headers=headers).status_code == 200
    replay = client.post(INQUIRY, raw, content_type="application/json", headers=headers)
    assert replay.status_code == 401
    assert "received before" in replay.json()["detail"] or "diterima" in replay.json()["detail"]
    assert AuditEntry.objects.filter(action="refused", summary__contains="replayed").count() == 1


def test_a_stale_timestamp_is_refused(channel, send, worker):
    from jaring.settlement.credentials import TOLERANCE

    body = {"customer": participant_payment_code(worker), "months": 1, "amount": 16_800, "reference": "R1"}
    # The header carries whole seconds (the fraction is cut), so a margin of a few seconds past the
    # tolerance keeps the request stale however the clock's fraction falls.
    assert send(channel, PAYMENTS, body, at=time.time() - TOLERANCE - 3).status_code == 401
    assert send(channel, PAYMENTS, body, at=time.time() + TOLERANCE + 3).status_code == 401
    assert not Payment.objects.exists()
    assert send(channel, PAYMENTS, body, at=time.time() - 200).status_code == 201


def test_an_unknown_or_revoked_channel_is_refused(channel, send, worker):
    from jaring.settlement.services import channel_renew, channel_revoke

    body = {"customer": participant_payment_code(worker)}
    assert send(channel, INQUIRY, body, code="BRI-H2H").status_code == 401
    channel_revoke(channel=channel)
    assert send(channel, INQUIRY, body).status_code == 401
    renewed = channel_renew(channel=channel)
    assert send(channel, INQUIRY, body).status_code == 401  # the old secret stays dead
    assert send(channel, INQUIRY, body, secret=renewed.secret).status_code == 200
    assert renewed.secret == channel_secret("BNI-H2H", 2)


def test_the_nik_is_a_customer_number_too(channel, send, worker):
    body = {"customer": worker.nik, "amount": 16_800, "reference": "OVO-1"}
    answer = send(channel, PAYMENTS, body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["months"] == 1  # the amount paid for one month


def test_an_amount_that_pays_for_no_months_is_refused(channel, send, worker):
    body = {"customer": worker.nik, "amount": 20_000, "reference": "OVO-1"}
    answer = send(channel, PAYMENTS, body)
    assert answer.status_code == 422
    assert answer.json()["reasons"] == ["amount:price_mismatch"]
    assert not Payment.objects.exists()


def test_an_unknown_code_is_refused_by_field(channel, send, worker):
    code = participant_payment_code(worker)
    mistyped = code[:-1] + str((int(code[-1]) + 1) % 10)
    answer = send(channel, INQUIRY, {"customer": mistyped})
    assert answer.status_code == 422
    assert answer.json()["reasons"] == ["customer:unknown"]


def test_reversal_advice_undoes_the_payment_once(channel, send, worker):
    code = participant_payment_code(worker)
    send(channel, PAYMENTS, {"customer": code, "months": 1, "amount": 16_800, "reference": "R9"})
    first = send(channel, REVERSALS, {"reference": "R9", "reason": "timeout"})
    again = send(channel, REVERSALS, {"reference": "R9", "reason": "timeout"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["amount"] == -16_800
    assert Payment.objects.filter(kind="reversal").count() == 1
    worker.standing.refresh_from_db()
    assert worker.standing.paid_through is None
    unknown = send(channel, REVERSALS, {"reference": "R10"})
    assert unknown.status_code == 422 and unknown.json()["reasons"] == ["reference:unknown"]


def test_unusual_inquiry_volume_alerts_once_an_hour(channel, send, worker):
    channel.inquiry_alert = 2
    channel.save(update_fields=["inquiry_alert"])
    for _ in range(4):
        assert send(channel, INQUIRY, {"customer": worker.nik}).status_code == 200
    alerts = AuditEntry.objects.filter(summary__startswith="alert: payment channel BNI-H2H")
    assert alerts.count() == 1


def test_a_channel_over_its_rate_limit_waits(channel, send, worker):
    channel.rate_limit = 2
    channel.save(update_fields=["rate_limit"])
    answers = [send(channel, INQUIRY, {"customer": worker.nik}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
