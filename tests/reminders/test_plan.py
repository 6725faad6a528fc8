"""The month's plan: who gets which reminder, once, in Indonesian, with the right amount."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.reminders.conftest import DAY

from jaring.members.codes import participant_payment_code
from jaring.reminders.models import ContactPreference, Reminder
from jaring.reminders.services import contact_preference_set, reminders_plan, reminders_send
from jaring.rules.months import Month

pytestmark = pytest.mark.django_db


def only_reminder(participant) -> Reminder:
    reminders = list(Reminder.objects.filter(participant=participant))
    assert len(reminders) == 1, reminders
    return reminders[0]


def test_a_worker_two_months_behind_gets_the_arrears_reminder_once_in_indonesian(worker):
    behind = worker(paid_through="2026-09")  # October and November unpaid
    first = reminders_plan(day=DAY, actor=None)
    again = reminders_plan(day=DAY, actor=None)
    later = reminders_plan(day=DAY + timedelta(days=8), actor=None)

    reminder = only_reminder(behind)
    assert reminder.kind == "arrears"
    assert reminder.month == Month.of(2026, 11)
    assert (reminder.months, reminder.amount) == (2, 33_600)  # two months of JKK+JKM at Rp16,800
    assert reminder.channel == "sms"
    assert reminder.message.startswith("BPJS Ketenagakerjaan: iuran Anda tertunggak 2 bulan, total Rp33.600.")
    assert participant_payment_code(behind) in reminder.message
    assert (first.added, again.added, later.added) == (1, 0, 0)
    assert first.by_kind == {"arrears": 1}


def test_an_opted_out_worker_gets_none(worker, gateway):
    opted_out = worker(paid_through="2026-09")
    contact_preference_set(
        participant=opted_out, channel="sms", opted_in=False, source="replied STOP", actor=None
    )
    reminders_plan(day=DAY, actor=None)
    assert not Reminder.objects.filter(participant=opted_out).exists()


def test_a_worker_who_opts_out_after_the_plan_is_not_sent_to(worker):
    from jaring.reminders.providers import ConsoleProvider

    changed_mind = worker(paid_through="2026-09")
    reminders_plan(day=DAY, actor=None)
    contact_preference_set(participant=changed_mind, channel="sms", opted_in=False, actor=None)
    sent = []
    provider = ConsoleProvider(stream=type("S", (), {"write": lambda self, line: sent.append(line)})())
    result = reminders_send(now=_jakarta(DAY, 10), provider=provider)
    assert result.sent == 0 and sent == []
    assert only_reminder(changed_mind).status == Reminder.Status.CANCELLED


def test_whatsapp_only_after_an_opt_in(worker):
    plain = worker(paid_through="2026-09")
    opted_in = worker(paid_through="2026-09")
    contact_preference_set(participant=opted_in, channel="whatsapp", opted_in=True, actor=None)
    only_sms_out = worker(paid_through="2026-09")
    contact_preference_set(participant=only_sms_out, channel="sms", opted_in=False, actor=None)
    contact_preference_set(participant=only_sms_out, channel="whatsapp", opted_in=True, actor=None)
    reminders_plan(day=DAY, actor=None)
    assert only_reminder(plain).channel == "sms"
    assert only_reminder(opted_in).channel == "whatsapp"
    assert only_reminder(only_sms_out).channel == "whatsapp"
    assert ContactPreference.objects.count() == 3


def test_at_most_one_message_per_worker_in_the_days_between(worker):
    three_behind = worker(paid_through="2026-08")  # Sep, Oct, Nov unpaid: the last month before the lapse
    reminders_plan(day=DAY, actor=None)  # the 20th: arrears
    reminders_plan(day=date(2026, 11, 24), actor=None)  # the lapse warning's window is open, 4 days later
    assert [r.kind for r in Reminder.objects.filter(participant=three_behind)] == ["arrears"]
    reminders_plan(day=date(2026, 11, 27), actor=None)  # 7 days after the first
    kinds = [r.kind for r in Reminder.objects.filter(participant=three_behind).order_by("id")]
    assert kinds == ["arrears", "lapse_warning"]
    warning = Reminder.objects.get(participant=three_behind, kind="lapse_warning")
    assert warning.amount == 3 * 16_800 and "nonaktif setelah November 2026" in warning.message


def test_who_is_reminded_of_what_on_the_due_date_window(worker):
    paid = worker(paid_through="2026-11")
    due_soon = worker(paid_through="2026-10")
    lapsed_a_month = worker(paid_through=None, phone="081298765432")  # registered in August, never paid
    no_phone = worker(paid_through="2026-10", phone="")
    result = reminders_plan(day=date(2026, 11, 13), actor=None)  # 3 days before the due date (the 16th)
    assert not Reminder.objects.filter(participant__in=[paid, no_phone]).exists()
    assert only_reminder(due_soon).kind == "due_soon"
    assert only_reminder(due_soon).amount == 16_800
    assert "jatuh tempo 16 November 2026" in only_reminder(due_soon).message
    # never paid since August: August..November is 4 unpaid months, one more than the arrears policy's 3
    reactivate = only_reminder(lapsed_a_month)
    assert (reactivate.kind, reactivate.months, reactivate.amount) == ("reactivate", 1, 16_800)
    assert result.by_kind == {"due_soon": 1, "reactivate": 1}


def test_the_lapse_is_read_from_the_coverage_policy(worker):
    from jaring.contributions.models import RateRule
    from jaring.contributions.queries import ratebook_forget

    two_behind = worker(paid_through="2026-09")
    policy = RateRule.objects.get(kind="policy")
    policy.data = {**policy.data, "arrears_months": 2}
    policy.save()  # what an operator's correction in the back office does
    ratebook_forget()
    reminders_plan(day=date(2026, 11, 24), actor=None)
    assert only_reminder(two_behind).kind == "lapse_warning"


def test_workers_whose_payer_pays_are_not_reminded(worker):
    from jaring.contributions.models import GroupMembership, Payer, PayerGroup

    member = worker(paid_through="2026-09")
    payer = Payer.objects.create(code="DKI", name="Pemprov DKI", kind="APBD")
    group = PayerGroup.objects.create(payer=payer, code="PPSU", name="PPSU")
    GroupMembership.objects.create(group=group, participant=member, first_month=Month.of(2026, 8))
    reminders_plan(day=DAY, actor=None)
    assert not Reminder.objects.filter(participant=member).exists()


def _jakarta(day, hour, minute=0):
    from datetime import datetime

    from jaring.common.clock import ZONE

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)
