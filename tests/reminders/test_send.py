"""Sending the outbox: the gateway over HTTP (a local fake), its delivery callbacks, quiet hours, retries,
and logs without the worker's phone or NIK."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from tests.reminders.conftest import DAY

from jaring.common.clock import ZONE
from jaring.reminders.models import Reminder
from jaring.reminders.phones import phone_e164
from jaring.reminders.providers import ConsoleProvider, GatewayProvider
from jaring.reminders.services import reminders_plan, reminders_send

pytestmark = pytest.mark.django_db


def at(hour, minute=0, day=DAY):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


@pytest.fixture
def gateway_settings(settings, gateway):
    settings.JARING_REMINDER_PROVIDER = "gateway"
    settings.JARING_REMINDER_GATEWAY_URL = gateway.url
    settings.JARING_REMINDER_GATEWAY_TOKEN = gateway.token
    return gateway


def provider(gateway, **options):
    return GatewayProvider(url=gateway.url, token=gateway.token, wait_initial=0.01, wait_max=0.02, **options)


def test_the_fake_gateways_delivery_callback_marks_it_delivered(worker, gateway_settings, client):
    gateway = gateway_settings
    behind = worker(paid_through="2026-09")
    reminders_plan(day=DAY, actor=None)
    result = reminders_send(now=at(10), provider=provider(gateway))
    assert result.sent == 1
    [sent] = gateway.messages
    assert sent["to"] == "+6281234567890" and sent["channel"] == "sms"
    assert "Rp33.600" in sent["text"]
    reminder = Reminder.objects.get(participant=behind)
    assert (reminder.status, reminder.provider, reminder.provider_message_id) == (
        "sent",
        "gateway",
        sent["id"],
    )

    body, headers = gateway.report(sent["id"], "delivered")
    url = reverse("reminders:callback", kwargs={"provider": "gateway"})
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.DELIVERED and reminder.delivered_at is not None
    # the gateway retries its callback: nothing changes
    assert client.post(url, body, content_type="application/json", **headers).json()["status"] == "delivered"


def test_a_callback_with_a_bad_signature_changes_nothing(worker, gateway_settings, client):
    gateway = gateway_settings
    worker(paid_through="2026-09")
    reminders_plan(day=DAY, actor=None)
    reminders_send(now=at(10), provider=provider(gateway))
    body, _headers = gateway.report(gateway.messages[0]["id"], "delivered")
    url = reverse("reminders:callback", kwargs={"provider": "gateway"})
    forged = {"HTTP_X_JARING_SIGNATURE": "0" * 64}
    assert client.post(url, body, content_type="application/json", **forged).status_code == 403
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert Reminder.objects.get().status == Reminder.Status.SENT
    assert client.get(url).status_code == 405
    unknown = reverse("reminders:callback", kwargs={"provider": "pigeon"})
    assert client.post(unknown, body, content_type="application/json").status_code == 404


def test_a_failure_report_marks_it_failed(worker, gateway_settings, client):
    gateway = gateway_settings
    worker(paid_through="2026-09")
    reminders_plan(day=DAY, actor=None)
    reminders_send(now=at(10), provider=provider(gateway))
    body, headers = gateway.report(gateway.messages[0]["id"], "undelivered")
    url = reverse("reminders:callback", kwargs={"provider": "gateway"})
    assert client.post(url, body, content_type="application/json", **headers).json()["status"] == "failed"


def test_nothing_is_sent_in_the_quiet_hours(worker, gateway):
    worker(paid_through="2026-09")
    reminders_plan(day=DAY, actor=None)
    late = reminders_send(now=at(21, 30), provider=provider(gateway))
    assert late.sent == 0 and gateway.requests == 0
    assert late.quiet_until == at(8, 0, DAY + timedelta(days=1))
    early = reminders_send(now=at(7, 59, DAY + timedelta(days=1)), provider=provider(gateway))
    assert early.sent == 0 and gateway.requests == 0
    morning = reminders_send(now=at(8, 0, DAY + timedelta(days=1)), provider=provider(gateway))
    assert morning.sent == 1


def test_a_busy_gateway_is_retried_at_once_then_later_with_a_growing_wait(worker, gateway):
    worker(paid_through="2026-09")
    reminders_plan(day=DAY, actor=None)
    gateway.busy = 2  # two 503s, then it takes the message: tenacity's retries within one send
    assert reminders_send(now=at(10), provider=provider(gateway)).sent == 1
    assert gateway.requests == 3


def test_a_gateway_down_for_long_is_tried_again_until_the_attempts_run_out(worker, gateway):
    worker(paid_through="2026-09")
    reminders_plan(day=DAY, actor=None)
    gateway.busy = 1000
    now = at(10)
    waits = []
    for _ in range(5):
        result = reminders_send(now=now, provider=provider(gateway, attempts=2))
        reminder = Reminder.objects.get()
        if reminder.status == Reminder.Status.FAILED:
            break
        assert result.retrying == 1
        waits.append(reminder.next_attempt_at - now)
        # not yet due again a minute before the wait is over
        assert (
            reminders_send(
                now=reminder.next_attempt_at - timedelta(minutes=1), provider=provider(gateway)
            ).retrying
            == 0
        )
        now = reminder.next_attempt_at
    assert waits == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
        timedelta(minutes=40),
    ]
    assert (reminder.status, reminder.attempts) == (Reminder.Status.FAILED, 5)
    assert "503" in reminder.error


def test_a_refused_message_fails_at_once(worker, gateway):
    worker(paid_through="2026-09")
    reminders_plan(day=DAY, actor=None)
    wrong_token = GatewayProvider(url=gateway.url, token="salah", wait_initial=0.01, wait_max=0.02)
    assert reminders_send(now=at(10), provider=wrong_token).failed == 1
    assert Reminder.objects.get().status == Reminder.Status.FAILED and gateway.requests == 1


def test_the_logs_hold_neither_the_phone_nor_the_nik(worker, gateway, caplog, tmp_path):
    behind = worker(paid_through="2026-09", phone="081311112222")
    other = worker(paid_through="2026-09", phone="0813-3333-4444")
    worker(paid_through="2026-09", phone="0999999999")  # no such number: fails without sending
    reminders_plan(day=DAY, actor=None)
    gateway.busy = 3  # the first worker's message needs a later attempt
    caplog.set_level(logging.DEBUG)
    reminders_send(now=at(10), provider=provider(gateway, attempts=2))
    reminders_send(now=at(12), provider=provider(gateway))
    console = tmp_path / "sent.jsonl"
    Reminder.objects.filter(status="sent").update(status="scheduled")
    reminders_send(now=at(14), provider=ConsoleProvider(path=console))
    text = caplog.text + console.read_text()
    assert "reminder" in caplog.text and "sent by gateway" in caplog.text
    for person in (behind, other):
        for secret in (person.nik, person.phone, phone_e164(person.phone), phone_e164(person.phone)[1:]):
            assert secret not in text
        assert person.phone.replace("-", "")[1:] not in text
    assert json.loads(console.read_text().splitlines()[0])["to"].startswith("*")


def test_phones_are_read_into_e164():
    assert phone_e164("0812-3456-7890") == "+6281234567890"
    assert phone_e164("+62 812 3456 7890") == "+6281234567890"
    assert phone_e164("6281234567890") == "+6281234567890"
    assert phone_e164("12") is None
    assert phone_e164("") is None
