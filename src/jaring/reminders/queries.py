"""Reads of the reminder rules, the holidays and the outbox that the services, CLI and pages share."""

from __future__ import annotations

from datetime import date

import holidays as holiday_calendars
from django.db.models import Count

from jaring.common.rules import entry_in_force, rule_entries
from jaring.reminders.models import HolidayCorrection, Reminder, ReminderRule
from jaring.rules.months import Month
from jaring.rules.reminders import ReminderRules, load_reminder_rules
from jaring.rules.workdays import due_date


def reminder_rules(month: Month) -> ReminderRules:
    """The reminder rules in force in ``month`` (one query over the ``ReminderRule`` rows)."""
    grouped = rule_entries(ReminderRule.objects.all())
    kinds = []
    for kind in ReminderRule.Kind.values:
        if kind == ReminderRule.Kind.DELIVERY:
            continue
        entry = entry_in_force(grouped.get(kind, []), month)
        if entry is not None:
            kinds.append({**entry, "kind": kind})
    return load_reminder_rules(kinds, entry_in_force(grouped.get(ReminderRule.Kind.DELIVERY, []), month))


def public_holidays(years) -> dict[date, str]:
    """Indonesia's public holidays in ``years`` as the ``holidays`` package knows them (Islamic holidays
    are its estimates until an operator corrects them)."""
    return dict(holiday_calendars.country_holidays("ID", years=sorted(set(years))).items())


def holidays_in(years) -> dict[date, str]:
    """The days that are not working days besides the weekend in ``years``: the public holidays, with the
    operator's corrections (``HolidayCorrection``) added and removed."""
    years = sorted(set(years))
    days = public_holidays(years)
    corrections = HolidayCorrection.objects.filter(day__year__gte=years[0], day__year__lte=years[-1])
    for correction in corrections:
        if correction.change == HolidayCorrection.Change.ADDED:
            days[correction.day] = correction.name
        else:
            days.pop(correction.day, None)
    return days


def month_due_date(month: Month) -> date:
    """The day ``month``'s contribution is due: the 15th, or the next working day after the weekend and
    the holidays (which may run into the next year's first days only in December)."""
    return due_date(month, holidays_in({month.year, (month + 1).year}))


def outbox_counts() -> dict[str, int]:
    """How many reminders are in each status."""
    counts = dict.fromkeys(Reminder.Status.values, 0)
    for row in Reminder.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
