"""Reads of the payment channels: a channel by code, its terms on a day, the participant a customer number
names (payment code or NIK), what an inquiry answers, and the open differences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jaring.common.clock import month_of
from jaring.contributions.queries import coverage_runs, ratebook
from jaring.contributions.services import payment_quote
from jaring.members.codes import participant_by_payment_code
from jaring.members.models import Participant
from jaring.rules.money import format_rupiah
from jaring.rules.months import Month
from jaring.rules.payment_code import CODE_DIGITS
from jaring.settlement.models import ChannelTerms, Difference, PaymentChannel
from jaring.settlement.terms import Terms

NIK_LENGTH = 16


def channel_named(code: str | None) -> PaymentChannel | None:
    """The channel with this code (any case), with its outlet and the outlet's partner."""
    if not code:
        return None
    return (
        PaymentChannel.objects.select_related("outlet__partner")
        .filter(code=str(code).strip().upper())
        .first()
    )


class TermsBook:
    """A channel's terms by month, read once (a settlement file asks for each line's)."""

    def __init__(self, channel: PaymentChannel):
        self.rows = [
            (row.valid_from, row.valid_to, Terms.from_data(row.data))
            for row in ChannelTerms.objects.filter(channel=channel).order_by("valid_from")
        ]
        self._by_month: dict[Month, Terms] = {}

    def on(self, moment: datetime | date) -> Terms:
        month = month_of(moment) if isinstance(moment, datetime) else Month.from_date(moment)
        if (found := self._by_month.get(month)) is None:
            found = self._by_month[month] = self._find(month)
        return found

    def _find(self, month: Month) -> Terms:
        for valid_from, valid_to, terms in reversed(self.rows):
            if valid_from <= month and (valid_to is None or month <= valid_to):
                return terms
        return Terms.of(cutoff="00:00", fee=0, fee_share=0)  # no terms recorded: calendar days, no fee


def customer_digits(customer: str | None) -> str:
    """The digits of a customer number as typed at a channel (spaces and dots dropped)."""
    return "".join(ch for ch in str(customer or "") if ch.isdigit())


def participant_by_customer(customer: str | None, *, queryset=None) -> Participant | None:
    """The participant a channel's customer number names: the payment code (13 digits), or the NIK (16
    digits), as e-wallets and banks already take it. None for anything else or nobody."""
    digits = customer_digits(customer)
    queryset = queryset if queryset is not None else Participant.objects.select_related("standing")
    if len(digits) == CODE_DIGITS:
        return participant_by_payment_code(digits, queryset=queryset)
    if len(digits) == NIK_LENGTH:
        return queryset.filter(nik=digits).first()
    return None


@dataclass(frozen=True)
class Option:
    months: int
    first: Month
    last: Month
    amount: int


def payment_options(participant: Participant, *, at: datetime | None = None) -> list[Option]:
    """What the participant would pay now for each number of months a payment may cover (1, 3, 6, 12),
    each month priced by the schedule in force for it: what an inquiry answers. Counts that would reach
    too far ahead are left out."""
    runs = coverage_runs(participant)
    policy = ratebook().policy_for(month_of(at))
    options = []
    for count in policy.payment_month_counts:
        covered, price = payment_quote(participant, months=count, at=at, runs=runs)
        if covered[-1] > month_of(at) + policy.months_ahead_max:
            continue
        options.append(Option(count, covered[0], covered[-1], price.total))
    return options


def months_for_amount(participant: Participant, amount: int, *, at: datetime | None = None) -> int:
    """The number of months an amount pays for now (a channel that sends only the amount); ValidationError
    naming the amounts it could be otherwise."""
    options = payment_options(participant, at=at)
    for option in options:
        if option.amount == amount:
            return option.months
    amounts = ", ".join(f"{option.months}: {format_rupiah(option.amount)}" for option in options)
    message = _("The amount pays for no number of months (%(amounts)s).") % {"amounts": amounts}
    raise ValidationError({"amount": [ValidationError(message, code="price_mismatch")]})


def differences_of(
    *, channel: PaymentChannel | None = None, day: date | None = None, open_only: bool = True
) -> QuerySet[Difference]:
    """The differences of a channel (or every channel) and business date, the open ones by default."""
    rows = Difference.objects.select_related("channel", "file")
    condition = Q()
    if open_only:
        condition &= Q(resolved_at__isnull=True)
    if channel is not None:
        condition &= Q(channel=channel)
    if day is not None:
        condition &= Q(business_date=day)
    return rows.filter(condition)
