"""Reminders to informal workers: which reminder a worker's standing calls for on a day, the wording, the
quiet hours and the wait before another attempt. Pure arithmetic over the rules kept as data
(``rules/data/reminders.json``, copied into ``reminders.ReminderRule`` rows).

How far behind a worker is counts the unpaid months up to the current month, this month included:
``unpaid = current - last paid month`` (the month before registration when none was ever paid). The
arrears window and the lapse are the coverage policy's (``CoveragePolicy.arrears_months``, given by the
caller from the rate book), never restated here: up to ``arrears_months`` unpaid months is arrears, more
is lapsed.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from hashlib import blake2b
from importlib import resources
from typing import Any

from jaring.rules.months import Month


class Kind(StrEnum):
    DUE_SOON = "due_soon"  # N days before the due date of a month not yet paid
    ARREARS = "arrears"  # after the due date passed unpaid, while the arrears may still be paid
    LAPSE_WARNING = "lapse_warning"  # the last unpaid month before the membership lapses
    REACTIVATE = "reactivate"  # after a lapse: pay again with the NIK to be covered again


class Channel(StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"


# The values a template may name; ``{amount}`` is already "Rp16.800", ``{due}`` "15 Desember 2026".
PLACEHOLDERS = frozenset({"amount", "code", "months", "month", "due"})
MONTH_NAMES = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
    "November", "Desember",
)  # fmt: skip


def rupiah(amount: int) -> str:
    """Whole rupiah as Indonesians write it: ``Rp16.800``."""
    return f"{'-' if amount < 0 else ''}Rp{abs(amount):,}".replace(",", ".")


def tanggal(day: date) -> str:
    """``15 Desember 2026``."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def bulan(month: Month) -> str:
    """``Desember 2026``."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def template_check(template: str) -> str:
    """``template`` when every placeholder it names is one of ``PLACEHOLDERS``; ValueError otherwise (an
    operator's typo must fail when the rule is loaded, not in the middle of a run)."""
    for _text, name, _spec, _conversion in string.Formatter().parse(template):
        if name is not None and name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{name}}} in a reminder template")
    return template


def message(template: str, *, amount: int, code: str, months: int, month: Month, due: date) -> str:
    """The text a worker receives."""
    return template.format(
        amount=rupiah(amount), code=code, months=months, month=bulan(month), due=tanggal(due)
    )


@dataclass(frozen=True)
class KindRule:
    """When one kind of reminder is sent, and its wording. ``start`` is the first day of the window,
    counted from the due date (negative: before it) or, with ``from_month_end``, from the last day of
    the month; the window runs to the end of the month, so a run missed on the first day catches up the
    next day."""

    kind: Kind
    template: str
    start: int
    from_month_end: bool = False
    months_after_lapse: tuple[int, ...] = ()
    whatsapp_template: str = ""

    def opens(self, month: Month, due: date) -> date:
        base = month.last_day() if self.from_month_end else due
        return base + timedelta(days=self.start)


@dataclass(frozen=True)
class Delivery:
    """How reminders travel: channels in order of preference, those that need the worker's opt-in, at
    most one message per worker per ``min_days_between`` days, no sending in the quiet hours (Jakarta
    time, ``quiet_start`` to ``quiet_end``, across midnight when start > end), and the retries."""

    channels: tuple[Channel, ...] = (Channel.WHATSAPP, Channel.SMS)
    opt_in_required: frozenset[Channel] = frozenset({Channel.WHATSAPP})
    min_days_between: int = 7
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)
    max_attempts: int = 5
    retry_base_minutes: int = 5
    retry_cap_minutes: int = 360


def holdout_draw(participant_id: int, month: Month, key: bytes) -> Fraction:
    """The worker's draw for ``month``'s cohort, a number in [0, 1): a BLAKE2b of the participant id and
    the month keyed with the installation's key (``members.PaymentCodeKey``). The same for a worker all
    through a month, whoever computes it; without the key nobody can tell who will be drawn."""
    hasher = blake2b(key=key, digest_size=8, person=b"jaring-holdout")
    hasher.update(participant_id.to_bytes(8, "big") + month.index.to_bytes(4, "big"))
    return Fraction(int.from_bytes(hasher.digest(), "big"), 2**64)


@dataclass(frozen=True)
class Holdout:
    """The share of the workers a reminder is due to who are drawn at random, month by month, and not
    reminded, so that whether reminders work can be measured against them (``reminders.queries.
    reminder_retention``). A share of 0: everyone is reminded."""

    share: Fraction = Fraction(0)

    def holds_out(self, participant_id: int, month: Month, key: bytes) -> bool:
        """True when the worker is in ``month``'s holdout (``holdout_draw`` below the share)."""
        return bool(self.share) and holdout_draw(participant_id, month, key) < self.share


@dataclass(frozen=True)
class ReminderRules:
    kinds: Mapping[Kind, KindRule]
    delivery: Delivery
    holdout: Holdout = Holdout()

    def kind_for(
        self, *, unpaid: int, day: date, month: Month, due: date, arrears_months: int
    ) -> Kind | None:
        """The reminder a worker with ``unpaid`` unpaid months (``month`` included) gets on ``day`` of
        ``month``, whose contribution is due on ``due``; None when none applies. ``arrears_months`` is the
        coverage policy's. One kind a day: the most urgent whose window is open."""
        if unpaid <= 0:
            return None
        rule = self.kinds.get
        if unpaid > arrears_months:
            reactivate = rule(Kind.REACTIVATE)
            if reactivate and unpaid - arrears_months in reactivate.months_after_lapse:
                return Kind.REACTIVATE if day >= reactivate.opens(month, due) else None
            return None
        lapse = rule(Kind.LAPSE_WARNING)
        if lapse and unpaid == arrears_months and day >= lapse.opens(month, due):
            return Kind.LAPSE_WARNING
        arrears = rule(Kind.ARREARS)
        if arrears and day >= arrears.opens(month, due) and day > due:
            return Kind.ARREARS
        soon = rule(Kind.DUE_SOON)
        if soon and soon.opens(month, due) <= day <= due:
            return Kind.DUE_SOON
        return None

    def kinds_by_unpaid(self, *, day: date, month: Month, due: date, arrears_months: int) -> dict[int, Kind]:
        """``kind_for`` for every number of unpaid months that calls for a reminder on ``day``: the
        selection of a run asks the database for exactly these numbers."""
        reactivate = self.kinds.get(Kind.REACTIVATE)
        longest = arrears_months + max(reactivate.months_after_lapse if reactivate else (), default=0)
        found = {}
        for unpaid in range(1, longest + 1):
            kind = self.kind_for(unpaid=unpaid, day=day, month=month, due=due, arrears_months=arrears_months)
            if kind is not None:
                found[unpaid] = kind
        return found


def months_due(kind: Kind, unpaid: int) -> int:
    """How many months the reminder asks for: every unpaid month while they may still be paid, only the
    current month after a lapse (the gap can no longer be bought)."""
    return 1 if kind is Kind.REACTIVATE else unpaid


def _clock(text: Any, what: str) -> time:
    try:
        return time.fromisoformat(str(text))
    except ValueError as error:
        raise ValueError(f"{what} must be HH:MM, not {text!r}") from error


def _share(value: Any) -> Fraction:
    try:
        share = Fraction(str(value))
    except (ValueError, ZeroDivisionError) as error:
        raise ValueError(f"the holdout share must be a number such as 0.10, not {value!r}") from error
    if not 0 <= share < 1:
        raise ValueError("the holdout share must be at least 0 and less than 1")
    return share


def load_reminder_rules(
    kinds: Iterable[Mapping[str, Any]],
    delivery: Mapping[str, Any] | None,
    holdout: Mapping[str, Any] | None = None,
) -> ReminderRules:
    """The rules from the entries in force (each with its ``kind``), as in ``rules/data/reminders.json``;
    no ``holdout`` entry: nobody is held out. ValueError for an entry that cannot be read."""
    found: dict[Kind, KindRule] = {}
    for entry in kinds:
        kind = Kind(entry["kind"])
        if "days_before_month_end" in entry:
            start, from_end = -int(entry["days_before_month_end"]), True
        elif "days_after_due" in entry:
            start, from_end = int(entry["days_after_due"]), False
        else:
            start, from_end = -int(entry.get("days_before_due", 0)), False
        found[kind] = KindRule(
            kind=kind,
            template=template_check(str(entry["template"])),
            start=start,
            from_month_end=from_end,
            months_after_lapse=tuple(int(n) for n in entry.get("months_after_lapse", ())),
            whatsapp_template=str(entry.get("whatsapp_template", "")),
        )
    data = dict(delivery or {})
    rules = Delivery(
        channels=tuple(Channel(c) for c in data.get("channels", Delivery.channels)),
        opt_in_required=frozenset(Channel(c) for c in data.get("opt_in_required", Delivery.opt_in_required)),
        min_days_between=int(data.get("min_days_between", Delivery.min_days_between)),
        quiet_start=_clock(data.get("quiet_start", "20:00"), "quiet_start"),
        quiet_end=_clock(data.get("quiet_end", "08:00"), "quiet_end"),
        max_attempts=int(data.get("max_attempts", Delivery.max_attempts)),
        retry_base_minutes=int(data.get("retry_base_minutes", Delivery.retry_base_minutes)),
        retry_cap_minutes=int(data.get("retry_cap_minutes", Delivery.retry_cap_minutes)),
    )
    if rules.min_days_between < 0 or rules.max_attempts < 1:
        raise ValueError("min_days_between cannot be negative and max_attempts must be at least 1")
    held = Holdout(share=_share(holdout.get("share", 0))) if holdout else Holdout()
    return ReminderRules(kinds=found, delivery=rules, holdout=held)


def is_quiet(moment: time, start: time, end: time) -> bool:
    """True when ``moment`` (a local time of day) lies in the quiet hours ``start`` (included) to ``end``
    (excluded), which run across midnight when ``start`` is after ``end``; none when they are equal."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_until(moment: datetime, start: time, end: time) -> datetime:
    """``moment`` (local, aware or not) when it is outside the quiet hours, else the moment they end."""
    if not is_quiet(moment.timetz().replace(tzinfo=None), start, end):
        return moment
    ends = datetime.combine(moment.date(), end, tzinfo=moment.tzinfo)
    return ends if ends > moment else ends + timedelta(days=1)


def retry_delay(attempts: int, *, base_minutes: int, cap_minutes: int) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: doubling from ``base_minutes``,
    never more than ``cap_minutes``."""
    if attempts < 1:
        return timedelta(0)
    return timedelta(minutes=min(cap_minutes, base_minutes * 2 ** min(attempts - 1, 30)))


def packaged_reminder_rules() -> dict[str, Any]:
    """The rules shipped in ``data/reminders.json`` (``kinds``, ``delivery`` and ``holdout``)."""
    text = resources.files("jaring.rules").joinpath("data/reminders.json").read_text(encoding="utf-8")
    return json.loads(text)
