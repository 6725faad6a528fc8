"""A channel's terms (cut-off time and fees) and the business date they give a payment.

A channel closes its day at its cut-off (Asia/Jakarta): a payment at or after it belongs to the next
business date, and the settlement file of a business date lists the payments from the cut-off of the day
before to its own. A cut-off of 00:00 makes the business date the calendar date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaring.common.clock import ZONE
from jaring.rules.money import round_half_up
from jaring.rules.months import Month

FROM_THE_START = Month.of(2000, 1)  # a channel's first terms hold from before any payment it may settle
DAY = timedelta(days=1)


def cutoff_parse(text: str) -> time:
    try:
        hours, minutes = (int(part) for part in str(text).strip().split(":"))
        return time(hours, minutes)
    except ValueError:
        raise ValidationError(
            {"cutoff": [_("The cut-off is a time of day written HH:MM (23:00).")]}
        ) from None


@dataclass(frozen=True)
class Terms:
    cutoff: time
    fee: int  # rupiah the channel keeps per payment
    fee_share: int  # and this many basis points of the amount (25 = 0.25 %)

    @classmethod
    def of(cls, *, cutoff: str, fee: int, fee_share: int) -> Terms:
        errors: dict[str, list[str]] = {}
        try:
            parsed = cutoff_parse(cutoff)
        except ValidationError as error:
            errors.update(error.message_dict)
            parsed = time(0)
        for name, value in (("fee", fee), ("fee_share", fee_share)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors[name] = [_("A whole number, zero or more.")]
        if errors:
            raise ValidationError(errors)
        return cls(parsed, fee, fee_share)

    @classmethod
    def from_data(cls, data: dict) -> Terms:
        return cls(
            cutoff_parse(data.get("cutoff", "00:00")), int(data.get("fee", 0)), int(data.get("fee_share", 0))
        )

    def as_data(self) -> dict:
        return {"cutoff": self.cutoff_text, "fee": self.fee, "fee_share": self.fee_share}

    @property
    def cutoff_text(self) -> str:
        return self.cutoff.strftime("%H:%M")

    @property
    def _shift(self) -> timedelta:
        since_midnight = timedelta(hours=self.cutoff.hour, minutes=self.cutoff.minute)
        return (DAY - since_midnight) % DAY

    def business_date(self, moment: datetime) -> date:
        """The business date of a payment made at ``moment``."""
        return (moment.astimezone(ZONE) + self._shift).date()

    def business_day(self, day: date) -> tuple[datetime, datetime]:
        """The moments [start, end) whose business date is ``day``."""
        start = datetime.combine(day, time(0), tzinfo=ZONE) - self._shift
        return start, start + DAY

    def fee_of(self, amount: int) -> int:
        """What the channel keeps of one payment of ``amount``."""
        return (
            self.fee + round_half_up(Fraction(amount * self.fee_share, 10_000))
            if self.fee_share
            else self.fee
        )
