"""Dates and months in Asia/Jakarta, the one time zone jaring counts in."""

from datetime import date, datetime

from django.utils import timezone

from jaring.rules.months import Month


def local_date(moment: datetime | None = None) -> date:
    """The calendar date in Jakarta of ``moment`` (default: now)."""
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


def month_of(moment: datetime | None = None) -> Month:
    """The contribution month of ``moment`` (default: now) in Jakarta."""
    return Month.from_date(local_date(moment))


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Jakarta, for "as of" reads."""
    return timezone.make_aware(datetime.combine(day, datetime.max.time()))


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
