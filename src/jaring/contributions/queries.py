"""Reads of rates, coverage and participant standing that pages, API, CLI and reports share."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from jaring.common.clock import end_of_day, local_date
from jaring.common.rules import rule_entries
from jaring.contributions.models import CoverageRun, Payment, RateRule
from jaring.members.models import Participant
from jaring.rules.coverage import Run, months_for_payment, paid_through, runs_from_months, standing_at
from jaring.rules.months import Month, month_span
from jaring.rules.participant_number import participant_number
from jaring.rules.programmes import parse_programmes
from jaring.rules.rates import Price, RateBook, load_ratebook
from jaring.rules.wage_rates import WageRateBook, load_wage_ratebook


def covered_after(participants: QuerySet[Participant], horizon: int, current: Month) -> QuerySet[CoverageRun]:
    """The coverage runs holding the month ``horizon`` months after the registration month of each of
    ``participants`` whose reading month is over before ``current``: one run per participant still
    covered then (runs of one participant never overlap), so counting them counts participants. Group
    them by a participant's column to count cohorts (an agent's months, an event's sign-ups)."""
    month_after = F("participant__registered_month") + horizon
    return CoverageRun.objects.filter(
        participant__in=participants.filter(registered_month__lt=current - horizon),
        first_month__lte=month_after,
        last_month__gte=month_after,
    )


_RATEBOOK_SECONDS = 60
_cache: dict[str, tuple[float, RateBook | WageRateBook]] = {}


def ratebook() -> RateBook:
    """The rate book in force, built from the ``RateRule`` rows (cached for a minute; saving a rule clears
    the cache of this process)."""
    cached = _cache.get("book")
    if cached and time.monotonic() - cached[0] < _RATEBOOK_SECONDS:
        return cached[1]
    book = load_ratebook(ratebook_data())
    _cache["book"] = (time.monotonic(), book)
    return book


def ratebook_forget() -> None:
    _cache.clear()


def ratebook_data() -> dict:
    """The rules as the plain mapping ``load_ratebook`` reads (``common.rules``: the windows and flags
    from the columns)."""
    sections = {
        RateRule.Kind.SCHEDULE: "schedules",
        RateRule.Kind.ADJUSTMENT: "adjustments",
        RateRule.Kind.POLICY: "policies",
    }
    return rule_entries(RateRule.objects.filter(kind__in=list(sections)), sections)


def wage_ratebook() -> WageRateBook:
    """The wage earners' rate book in force, from the ``RateRule`` rows of the PU kinds (cached for a
    minute, as the rate book is, and forgotten with it)."""
    cached = _cache.get("wage")
    if cached and time.monotonic() - cached[0] < _RATEBOOK_SECONDS:
        return cached[1]
    sections = {
        RateRule.Kind.WAGE: "wage_schedules",
        RateRule.Kind.CEILING: "jp_ceilings",
        RateRule.Kind.JKP: "jkp",
        RateRule.Kind.SIZES: "size_classes",
    }
    book = load_wage_ratebook(rule_entries(RateRule.objects.filter(kind__in=list(sections)), sections))
    _cache["wage"] = (time.monotonic(), book)
    return book


def coverage_runs(participant: Participant) -> tuple[Run, ...]:
    """The participant's covered runs as kept beside the ledger, in order."""
    # order_by: the model's default ordering starts with the participant, which would join the
    # participant table to sort one participant's rows.
    runs = CoverageRun.objects.filter(participant_id=participant.pk).order_by("first_month")
    return tuple(Run(first, last) for first, last in runs.values_list("first_month", "last_month"))


def covered_months_from_ledger(participant: Participant, *, until=None) -> set[Month]:
    """Months covered by the ledger entries recorded up to ``until`` (all entries when None), reversals
    taken out. The ledger is the truth; ``CoverageRun`` rows are kept from it."""
    entries = Payment.objects.filter(participant=participant)
    if until is not None:
        entries = entries.filter(paid_at__lte=until)
    return covered_months(entries.values_list("id", "kind", "first_month", "months", "reverses_id"))


def covered_months(entries) -> set[Month]:
    """Months covered by ledger entries given as (id, kind, first_month, months, reverses_id)."""
    entries = list(entries)
    reversed_ids = {entry[4] for entry in entries if entry[1] == Payment.Kind.REVERSAL}
    months: set[Month] = set()
    for entry_id, kind, first, count, _reverses in entries:
        if kind != Payment.Kind.REVERSAL and entry_id not in reversed_ids:
            months.update(month_span(first, count))
    return months


def participant_standing(runs: tuple[Run, ...], *, registered: Month, month: Month) -> str:
    """The participant status for ``month``: active, arrears or lapsed by the coverage rules, and "new"
    for a participant who never paid and has not lapsed."""
    arrears_months = ratebook().policy_for(month).arrears_months
    standing = str(standing_at(runs, registered=registered, month=month, arrears_months=arrears_months))
    if not runs and standing != Participant.Status.LAPSED:
        return Participant.Status.NEW.value
    return standing


@dataclass(frozen=True)
class ParticipantStatus:
    participant: Participant
    as_of: date
    standing: str
    paid_through: Month | None
    runs: tuple[Run, ...]
    payments: list[Payment]
    next_prices: dict[int, Price]
    merged_into: str | None = None  # the number of the record this one was merged into

    def as_dict(self) -> dict:
        p = self.participant
        return {
            "number": p.number,
            "nik": p.masked_nik,
            "name": p.name,
            "as_of": self.as_of.isoformat(),
            "status": self.standing,
            "merged_into": self.merged_into,
            "paid_through": str(self.paid_through) if self.paid_through else None,
            "registered_month": str(p.registered_month),
            "outlet": p.outlet.code,
            "channel": p.channel,
            "programmes": p.programmes,
            "declared_income": p.declared_income,
            "deposit_balance": p.standing.deposit_balance,
            "covered": [{"first": str(run.first), "last": str(run.last)} for run in self.runs],
            "payments": [
                {
                    "id": payment.pk,
                    "kind": payment.kind,
                    "first_month": str(payment.first_month),
                    "months": payment.months,
                    "amount": payment.amount,
                    "paid_at": payment.paid_at.isoformat(),
                    "reference": payment.idempotency_key,
                }
                for payment in self.payments
            ],
            "next_prices": {str(count): price.total for count, price in self.next_prices.items()},
        }


def participant_status(participant: Participant, *, as_of: date) -> ParticipantStatus:
    """The participant's standing on ``as_of`` from the ledger entries recorded by the end of that day:
    active, in arrears, lapsed, or new (registered, never paid, not yet lapsed)."""
    payments = list(
        Payment.objects.filter(participant_id=participant.pk, paid_at__lte=end_of_day(as_of)).order_by(
            "paid_at", "id"
        )
    )
    runs = runs_from_months(
        covered_months((p.pk, p.kind, p.first_month, p.months, p.reverses_id) for p in payments)
    )
    return _status(participant, as_of=as_of, runs=runs, payments=payments)


def participant_status_now(participant: Participant) -> ParticipantStatus:
    """The participant's standing and prices today, from the coverage runs kept beside the ledger: the
    runs a payment made now is priced from, so the prices are exactly what ``payment_record`` will ask.
    ``payments`` is empty. This is what the partner API's status lookup answers, on every request: it
    reads a row or two instead of the participant's whole ledger (``participant_status`` reads the
    ledger, for history and for the pages that list the entries)."""
    return _status(participant, as_of=local_date(), runs=coverage_runs(participant), payments=[])


def _status(
    participant: Participant, *, as_of: date, runs: tuple[Run, ...], payments: list[Payment]
) -> ParticipantStatus:
    month = Month.from_date(as_of)
    if month < participant.registered_month:
        raise ValidationError(
            {"as_of": _("The participant was not registered yet on %(day)s.") % {"day": as_of}}
        )
    book = ratebook()
    policy = book.policy_for(month)
    standing = participant_standing(runs, registered=participant.registered_month, month=month)
    # a record merged into another answers with a pointer to it (members.services.merge)
    merged_into = participant.standing.merged_into_id
    if merged_into is not None:
        standing = Participant.Status.MERGED.value
    programmes = parse_programmes(participant.programmes)
    next_prices = {}
    for count in () if merged_into is not None else policy.payment_month_counts:  # it takes no money
        months = months_for_payment(
            runs, registered=participant.registered_month, current=month, count=count, policy=policy
        )
        next_prices[count] = book.price(
            months[0], count, income=participant.declared_income, programmes=programmes
        )
    return ParticipantStatus(
        participant=participant,
        as_of=as_of,
        standing=standing,
        paid_through=paid_through(runs),
        runs=runs,
        payments=payments,
        next_prices=next_prices,
        merged_into=None if merged_into is None else participant_number(merged_into),
    )
