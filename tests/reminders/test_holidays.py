"""Due dates on working days: Indonesia's public holidays from the ``holidays`` package, corrected by the
operator (collective leave added, a moved Islamic holiday removed)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command

from jaring.accounts.models import AuditEntry
from jaring.reminders.models import HolidayCorrection
from jaring.reminders.queries import month_due_date
from jaring.reminders.services import holiday_correction_clear, holiday_correction_set, reminders_plan
from jaring.rules.months import Month

pytestmark = pytest.mark.django_db


def test_a_fifteenth_on_a_public_holiday_moves_to_the_next_working_day():
    # Good Friday, 15 April 2022: the weekend follows, so the contribution was due on Monday the 18th
    assert month_due_date(Month.of(2022, 4)) == date(2022, 4, 18)
    assert month_due_date(Month.of(2026, 12)) == date(2026, 12, 15)


def test_collective_leave_added_by_the_operator_moves_it_too():
    # Idulfitri fell on Friday 15 June 2018; the government added collective leave up to the 20th
    assert month_due_date(Month.of(2018, 6)) == date(2018, 6, 18)
    for day in (18, 19, 20):
        holiday_correction_set(
            day=date(2018, 6, day),
            name="Cuti bersama Idulfitri",
            change="added",
            source="SKB 3 Menteri",
            actor=None,
        )
    assert month_due_date(Month.of(2018, 6)) == date(2018, 6, 21)
    assert AuditEntry.objects.filter(object_type__icontains="holidaycorrection").count() == 3


def test_a_holiday_the_calendar_has_wrong_is_removed_and_the_announced_day_added():
    # The package estimates Idulfitri 2029 on Thursday 15 and Friday 16 February (due Monday the 19th);
    # suppose it is announced for Wednesday 14 and Thursday 15
    assert month_due_date(Month.of(2029, 2)) == date(2029, 2, 19)
    holiday_correction_set(
        day=date(2029, 2, 16), name="Idulfitri diumumkan 14-15 Februari", change="removed", actor=None
    )
    holiday_correction_set(day=date(2029, 2, 14), name="Idulfitri", change="added", actor=None)
    assert month_due_date(Month.of(2029, 2)) == date(2029, 2, 16)
    assert holiday_correction_clear(day=date(2029, 2, 16), actor=None)
    assert month_due_date(Month.of(2029, 2)) == date(2029, 2, 19)
    assert not holiday_correction_clear(day=date(2029, 2, 16), actor=None)


def test_a_correction_needs_a_name():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        holiday_correction_set(day=date(2026, 12, 24), name=" ", change="added", actor=None)
    assert not HolidayCorrection.objects.exists()


def test_the_reminders_follow_the_moved_due_date(worker):
    unpaid = worker(paid_through="2026-11")  # December not paid
    # collective leave on Tuesday 15 December: the due date is the 16th, so the 13th is too early
    holiday_correction_set(day=date(2026, 12, 15), name="Cuti bersama", change="added", actor=None)
    assert reminders_plan(day=date(2026, 12, 12), actor=None).added == 0
    result = reminders_plan(day=date(2026, 12, 13), actor=None)
    assert (result.due, result.added) == (date(2026, 12, 16), 1)
    assert unpaid.pk


def test_the_operator_corrects_holidays_from_the_command_line(capsys):
    call_command("holidays", "add", "2026-12-15", "Cuti bersama", "--source", "SKB 3 Menteri")
    assert "2026-12 is due 2026-12-16" in capsys.readouterr().out
    call_command("holidays", "list", "--year", "2026", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert {"day": "2026-12-15", "name": "Cuti bersama", "corrected": True} in listed["holidays"]
    assert listed["due_dates"]["2026-12"] == "2026-12-16"
    call_command("holidays", "clear", "2026-12-15")
    assert "taken back" in capsys.readouterr().out
    assert not HolidayCorrection.objects.exists()
