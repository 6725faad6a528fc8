"""Dates and months in Asia/Jakarta, the one time zone jaring counts in."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from jaring.rules.months import Month

# jaring counts in one zone (settings.TIME_ZONE); converting with it directly avoids Django's per-call
# lookup of the active time zone, which the bulk paths would pay for every row.
ZONE = ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime | None = None) -> date:
    """The calendar date in Jakarta of ``moment`` (default: now)."""
    return (moment or timezone.now()).astimezone(ZONE).date()


def month_of(moment: datetime | None = None) -> Month:
    """The contribution month of ``moment`` (default: now) in Jakarta."""
    return Month.from_date(local_date(moment))


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Jakarta, for "as of" reads."""
    return datetime.combine(day, datetime.max.time(), tzinfo=ZONE)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZONE)


def at_ten(day: date) -> datetime:
    """10:00 in Jakarta on ``day``: the moment given to records that carry only a date."""
    return datetime(day.year, day.month, day.day, 10, tzinfo=ZONE)


def parse_day(text: str) -> date | None:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` (as Indonesian spreadsheets write it); None when unreadable."""
    text = (text or "").strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_moment(text: str) -> datetime | None:
    """A date (10:00 in Jakarta) or an ISO date-time; None when unreadable."""
    text = (text or "").strip()
    if len(text) > 10:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        return moment.replace(tzinfo=ZONE) if moment.tzinfo is None else moment
    day = parse_day(text)
    return at_ten(day) if day else None
