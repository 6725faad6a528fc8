"""The command line and the worker's task."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from tests.reminders.conftest import DAY

from jaring.reminders.models import ContactPreference, Reminder

pytestmark = pytest.mark.django_db


def test_plan_send_and_status_from_the_command_line(worker, capsys, settings, tmp_path):
    settings.HOME = tmp_path
    worker(paid_through="2026-09")
    call_command("reminders", "plan", "--day", DAY.isoformat(), "--json")
    assert json.loads(capsys.readouterr().out)["by_kind"] == {"arrears": 1}
    call_command("reminders", "send", "--now", "2026-11-20T22:00")
    assert "quiet hours: nothing sent before 2026-11-21 08:00" in capsys.readouterr().out
    call_command("reminders", "send", "--now", "2026-11-21T09:00", "--provider", "console")
    assert "sent 1" in capsys.readouterr().out
    sent = json.loads((tmp_path / "reminders" / "sent.jsonl").read_text().splitlines()[0])
    assert "Rp33.600" in sent["text"]
    call_command("reminders", "status", "--json")
    assert json.loads(capsys.readouterr().out)["sent"] == 1


def test_a_worker_opts_out_from_the_command_line(worker, capsys):
    participant = worker(paid_through="2026-09")
    call_command("reminders", "optout", participant.number, "--channel", "sms")
    assert "opted out of reminders by sms" in capsys.readouterr().out
    assert ContactPreference.objects.get(participant=participant).opted_in is False
    call_command("reminders", "plan", "--day", DAY.isoformat())
    assert not Reminder.objects.exists()


def test_the_worker_plans_and_sends(worker, capsys, settings, tmp_path):
    settings.HOME = tmp_path
    worker(paid_through="2026-09")
    call_command("reminders", "plan", "--day", DAY.isoformat(), "--enqueue")
    assert "enqueued task" in capsys.readouterr().out
    assert Reminder.objects.count() == 1
