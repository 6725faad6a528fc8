"""Dates and months in Asia/Jakarta, the one time zone jaring counts in."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jaring.common.text import has_control_character
from jaring.rules.months import Month

# jaring counts in one zone (settings.TIME_ZONE); converting with it directly avoids Django's per-call
# lookup of the active time zone, which the bulk paths would pay for every row.
ZONE = ZoneInfo(settings.TIME_ZONE)
# The years a date or month given to jaring may fall in (pages, the API, files). Far wider than any
# contribution, birth date or report, and far inside what ``date`` arithmetic can do: a day of year 1 or
# 9999 could not be converted to Jakarta, nor a month stepped past, without an OverflowError.
FIRST_YEAR, LAST_YEAR = 1900, 2200


class OutOfRange(BadRequest):
    """A readable date or month outside ``FIRST_YEAR..LAST_YEAR``, asked for by a page: the page answers
    400 with this message (in the page's language)."""

    def __init__(self, text: str):
        super().__init__(
            _("%(text)s is outside the years jaring counts in (%(first)s to %(last)s).")
            % {"text": text, "first": FIRST_YEAR, "last": LAST_YEAR}
        )


def year_counts(year: int) -> bool:
    """``year`` lies in ``FIRST_YEAR..LAST_YEAR``."""
    return FIRST_YEAR <= year <= LAST_YEAR


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


def _read_day(text: str) -> date | None:
    text = (text or "").strip()
    if has_control_character(text):
        return None  # "2024-05-10\x00" is not a date, though its first ten characters are
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_day(text: str) -> date | None:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` (as Indonesian spreadsheets write it); None when unreadable or
    outside ``FIRST_YEAR..LAST_YEAR``."""
    day = _read_day(text)
    return day if day is not None and year_counts(day.year) else None


def parse_moment(text: str) -> datetime | None:
    """A date (10:00 in Jakarta) or an ISO date-time (aware); None when unreadable or outside
    ``FIRST_YEAR..LAST_YEAR``."""
    text = (text or "").strip()
    if len(text) > 10:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if not year_counts(moment.year):
            return None
        return moment.replace(tzinfo=ZONE) if moment.tzinfo is None else moment
    day = parse_day(text)
    return at_ten(day) if day else None


def parse_month(text: str) -> Month | None:
    """``YYYY-MM``; None when unreadable or outside ``FIRST_YEAR..LAST_YEAR``."""
    try:
        month = Month.parse(text or "")
    except ValueError:
        return None
    return month if year_counts(month.year) else None


def day_asked(text: str | None) -> date | None:
    """The day a page was asked for (``?as_of=``): None when not given or unreadable (each page says
    what it shows then); raises ``OutOfRange`` for a real date outside the years jaring counts in."""
    day = _read_day(text or "")
    if day is not None and not year_counts(day.year):
        raise OutOfRange(text.strip())
    return day


def month_asked(text: str | None) -> Month | None:
    """The month a page was asked for (``?month=``, a path's month): None when not given or unreadable;
    raises ``OutOfRange`` for a month outside the years jaring counts in."""
    try:
        month = Month.parse(text or "")
    except ValueError:
        return None
    if not year_counts(month.year):
        raise OutOfRange(text.strip())
    return month
