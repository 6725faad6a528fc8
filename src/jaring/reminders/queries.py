"""Reads of the reminder rules, the holidays and the outbox that the services, CLI and pages share, and
the retention of reminded workers against the holdout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import holidays as holiday_calendars
from django.db.models import Case, Count, DateTimeField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate

from jaring.common.clock import ZONE, local_date, start_of_day
from jaring.common.rules import entry_in_force, rule_entries
from jaring.contributions.models import Payment
from jaring.reminders.models import HolidayCorrection, Reminder, ReminderRule
from jaring.rules.months import Month
from jaring.rules.reminders import ReminderRules, load_reminder_rules
from jaring.rules.workdays import due_date


def reminder_rules(month: Month) -> ReminderRules:
    """The reminder rules in force in ``month`` (one query over the ``ReminderRule`` rows)."""
    grouped = rule_entries(ReminderRule.objects.all())
    kinds = []
    for kind in ReminderRule.Kind.values:
        if kind in (ReminderRule.Kind.DELIVERY, ReminderRule.Kind.HOLDOUT):
            continue
        entry = entry_in_force(grouped.get(kind, []), month)
        if entry is not None:
            kinds.append({**entry, "kind": kind})
    return load_reminder_rules(
        kinds,
        entry_in_force(grouped.get(ReminderRule.Kind.DELIVERY, []), month),
        entry_in_force(grouped.get(ReminderRule.Kind.HOLDOUT, []), month),
    )


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


# -- retention: reminded workers against the holdout


@dataclass(frozen=True)
class Group:
    """The workers of a cohort in one group, and how many of them paid in the window."""

    workers: int = 0
    paid: int = 0

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.paid, self.workers) if self.workers else None


@dataclass(frozen=True)
class Retention:
    """One cohort: the workers a ``kind`` of reminder was due to about ``month``'s contribution, split
    into those reminded and those held out, each with how many paid from the day of their reminder to
    ``paid_by`` (the next month's due date). ``complete`` once that day has passed; until then the
    figures still grow."""

    month: Month
    kind: str
    reminded: Group
    held_out: Group
    paid_by: date
    complete: bool

    @property
    def difference(self) -> Fraction | None:
        """The reminded's share that paid less the held-out's (times 100: percentage points); None when
        a group is empty."""
        if self.reminded.share is None or self.held_out.share is None:
            return None
        return self.reminded.share - self.held_out.share


def retention_windows(first: Month, last: Month) -> dict[Month, date]:
    """Each cohort month from ``first`` to ``last`` and the last day of its window: the next month's due
    date (holidays read once for all of them)."""
    months = [first + n for n in range(last - first + 1)]
    days = holidays_in({m.year for m in months} | {(m + 2).year for m in months})
    return {month: due_date(month + 1, days) for month in months}


def reminder_retention(
    *, first: Month, last: Month, participants: QuerySet | None = None, today: date | None = None
) -> list[Retention]:
    """The cohorts of ``first`` to ``last`` (a cohort: the month a reminder is about and its kind), oldest
    first, of the workers among ``participants`` (every worker when None).

    Reminded are all the outbox rows not held out, whatever became of the message (scheduled, sent,
    delivered, failed, cancelled after an opt-out): the holdout was drawn from all of them, so the two
    groups are compared as drawn. A worker paid when a ledger entry of theirs that is not a reversal and
    was not reversed was paid from the (Jakarta) day of their reminder to the end of the next month's
    due date. One grouped query over the outbox rows of the months (the ``reminder_cohort`` index), each
    asking the ledger by its ``(participant, paid_at)`` index whether such an entry exists, over the
    cohort month's first day to the window's end (and whether a reversal points at it, by its own
    index)."""
    today = today or local_date()
    windows = retention_windows(first, last)

    def per_cohort(moment) -> Case:
        return Case(
            *(When(month=month, then=Value(moment(month, day))) for month, day in windows.items()),
            output_field=DateTimeField(),
        )

    # A cohort's reminders are all planned within its month, so its window opens no earlier than the
    # month's first day: a bound on ``paid_at`` that keeps the probe to the months' partitions of the
    # ledger; the day of each worker's own reminder is the filter after it.
    window_start = per_cohort(lambda month, _day: start_of_day(month.first_day()))
    window_end = per_cohort(lambda _month, day: start_of_day(day + timedelta(days=1)))
    reversed_later = Payment.objects.filter(reverses_id=OuterRef("pk"))
    paid = (
        Payment.objects.filter(
            participant_id=OuterRef("participant_id"),
            paid_at__gte=OuterRef("window_start"),
            paid_at__lt=OuterRef("window_end"),
        )
        .exclude(kind=Payment.Kind.REVERSAL)
        .annotate(paid_on=TruncDate("paid_at", tzinfo=ZONE))
        .filter(paid_on__gte=OuterRef("planned_on"))
        .filter(~Exists(reversed_later))
    )
    rows = Reminder.objects.filter(month__gte=first, month__lte=last)
    if participants is not None:
        rows = rows.filter(participant_id__in=participants.order_by().values("pk"))
    held = Q(status=Reminder.Status.HELD_OUT)
    grouped = (
        rows.annotate(window_start=window_start, window_end=window_end, paid=Exists(paid))
        .order_by()
        .values("month", "kind")
        .annotate(
            reminded=Count("pk", filter=~held),
            reminded_paid=Count("pk", filter=~held & Q(paid=True)),
            held_out=Count("pk", filter=held),
            held_out_paid=Count("pk", filter=held & Q(paid=True)),
        )
    )
    order = {kind: n for n, kind in enumerate(ReminderRule.Kind.values)}
    lines = [
        Retention(
            month=row["month"],
            kind=row["kind"],
            reminded=Group(row["reminded"], row["reminded_paid"]),
            held_out=Group(row["held_out"], row["held_out_paid"]),
            paid_by=windows[row["month"]],
            complete=today > windows[row["month"]],
        )
        for row in grouped
    ]
    return sorted(lines, key=lambda line: (line.month, order.get(line.kind, len(order))))
