"""Reads the API needs: keys by token, participants as a partner names them, an outlet's daily statement."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jaring.api.keycache import apikey_recalled, apikey_remember
from jaring.api.models import ApiKey
from jaring.api.services import KEY_KIND, PREFIX_LENGTH, secret_hash
from jaring.channels.models import Agent, Outlet
from jaring.common.clock import end_of_day, local_date, start_of_day
from jaring.common.errors import error_dict
from jaring.contributions.models import Deposit, Payment
from jaring.members.models import Participant
from jaring.members.queries import identifier_parse, participant_find


def apikey_for_token(token: str) -> ApiKey | None:
    """The active key whose full text is ``token``; None for a malformed, unknown, wrong or revoked key
    (the caller cannot tell which, on purpose).

    The key's row is remembered by this process for a few seconds (``jaring.api.keycache``): a key
    revoked elsewhere answers 401 within them."""
    token = (token or "").strip()
    if not token.startswith(KEY_KIND) or len(token) < PREFIX_LENGTH + 2 or token[PREFIX_LENGTH] != "_":
        return None
    prefix = token[:PREFIX_LENGTH]
    api_key = apikey_recalled(prefix)
    if api_key is None:
        try:  # get(), not first(): no ORDER BY to build for a unique lookup
            api_key = ApiKey.objects.select_related("outlet__partner", "agent").get(
                prefix=prefix, revoked_at__isnull=True
            )
        except ApiKey.DoesNotExist:
            return None
        apikey_remember(api_key)
    if not hmac.compare_digest(api_key.secret_hash, secret_hash(token[PREFIX_LENGTH + 1 :])):
        return None
    return api_key


def apikey_list(*, outlet: Outlet | None = None, include_revoked: bool = True) -> QuerySet[ApiKey]:
    keys = ApiKey.objects.select_related("outlet", "agent").order_by("outlet__code", "created_at")
    if outlet is not None:
        keys = keys.filter(outlet=outlet)
    if not include_revoked:
        keys = keys.filter(revoked_at__isnull=True)
    return keys


def participant_identify(*, nik: str | None = None, number: str | None = None) -> Participant:
    """The participant a partner names by NIK or by participant number (exactly one of them).

    Raises ``ValidationError`` on the field given when it is malformed or names nobody. Used to pay or
    deposit for a participant, which any outlet may do: workers pay where they are, not where they
    registered.
    """
    field, named, _value = _named(nik, number)
    participant = participant_find(named, queryset=Participant.objects.select_related("standing"))
    if participant is None:
        raise error_dict(field, _unknown_message(), "unknown")
    return participant


def _named(nik: str | None, number: str | None) -> tuple[str, str, str | int]:
    """The field a participant is named on, what it says, and what that names (the NIK, or the id inside
    the number); raises ``ValidationError`` when neither or both are given, or the one given is
    malformed."""
    nik, number = (nik or "").strip(), (number or "").strip()
    if bool(nik) == bool(number):
        raise error_dict("nik", _("Give either the NIK or the participant number."), "required")
    parsed = identifier_parse(nik or number)
    if nik and (parsed is None or parsed[0] != "nik"):
        raise error_dict("nik", _("A NIK has exactly 16 digits."))
    if number and (parsed is None or parsed[0] != "pk"):
        raise error_dict("number", _("This is not a participant number (11 digits with a check digit)."))
    return ("nik", nik, parsed[1]) if nik else ("number", number, parsed[1])


def participant_paying(*, nik: str | None, number: str | None, birth_date: date) -> Participant:
    """The participant a partner pays or deposits for, named by NIK or number *and* birth date (both on
    the worker's KTP and card). An unknown NIK and a wrong birth date are refused alike (``unknown`` on
    the field given), so that payments cannot be used to learn who is registered; only a sender who knows
    the birth date hears the price, the months due or the standing."""
    participant = participant_identify(nik=nik, number=number)  # a malformed NIK or number says so
    if participant.birth_date != birth_date:
        field = "nik" if (nik or "").strip() else "number"
        raise error_dict(field, _unknown_message(), "unknown")
    return participant


def participants_paying(named: Sequence[tuple[str | None, str | None, date]]) -> list[int | ValidationError]:
    """``participant_paying`` for a list of (NIK, number, birth date): the id of each participant, or the
    ``ValidationError`` that call would raise; two queries for the whole list (a phone's outbox)."""
    read: list[tuple[str, str, str | int] | ValidationError] = []
    for nik, number, _birth_date in named:
        try:
            read.append(_named(nik, number))
        except ValidationError as error:
            read.append(error)
    niks = [said[2] for said in read if isinstance(said, tuple) and said[0] == "nik"]
    ids = [said[2] for said in read if isinstance(said, tuple) and said[0] == "number"]
    by_nik = {
        nik: (pk, born)
        for pk, nik, born in Participant.objects.filter(nik__in=niks).values_list("pk", "nik", "birth_date")
    }
    by_id = dict(Participant.objects.filter(pk__in=ids).values_list("pk", "birth_date"))
    found = []
    for said, (_nik, _number, birth_date) in zip(read, named, strict=True):
        if isinstance(said, ValidationError):
            found.append(said)
            continue
        field, _text, value = said
        pk, born = by_nik.get(value, (None, None)) if field == "nik" else (value, by_id.get(value))
        # an unknown participant and a wrong birth date are refused alike (see participant_paying)
        known = born is not None and born == birth_date
        found.append(pk if known else error_dict(field, _unknown_message(), "unknown"))
    return found


def _unknown_message() -> str:
    return _("No participant matches this NIK (or number) and birth date.")


def participant_verified(*, nik: str | None, number: str | None, birth_date: date) -> Participant | None:
    """The participant named by NIK (or number) whose birth date is ``birth_date``; None when there is no
    such participant *or* the birth date differs, so that a NIK alone tells nothing."""
    try:
        participant = participant_identify(nik=nik, number=number)
    except ValidationError:
        return None
    return participant if participant.birth_date == birth_date else None


@dataclass(frozen=True)
class Statement:
    """What an outlet (or one agent of it) recorded on one day in Jakarta, for reconciliation."""

    outlet: Outlet
    agent: Agent | None
    day: date
    registrations: int
    payments: list[Payment]
    deposits: list[Deposit]

    @property
    def payments_amount(self) -> int:
        return sum(payment.amount for payment in self.payments)

    @property
    def deposits_amount(self) -> int:
        return sum(deposit.amount for deposit in self.deposits)


def outlet_statement(*, outlet: Outlet, agent: Agent | None, day: date) -> Statement:
    """The day's registrations credited to ``outlet`` (and ``agent`` when given), its ledger entries
    (payments and their reversals; months bought from deposits are counted as the deposits that bought
    them, and payer bills are not the outlet's takings) and its deposits, with their references."""
    if day > local_date():
        raise error_dict("day", _("The date is in the future."))
    start, end = start_of_day(day), end_of_day(day)
    people = Participant.objects.filter(outlet=outlet, registered_at__range=(start, end))
    payments = Payment.objects.filter(
        outlet=outlet,
        paid_at__range=(start, end),
        kind__in=[Payment.Kind.CONTRIBUTION, Payment.Kind.REVERSAL],
    )
    deposits = Deposit.objects.filter(outlet=outlet, collected_at__range=(start, end))
    if agent is not None:
        people, payments, deposits = (
            people.filter(agent=agent),
            payments.filter(agent=agent),
            deposits.filter(agent=agent),
        )
    return Statement(
        outlet=outlet,
        agent=agent,
        day=day,
        registrations=people.count(),
        payments=list(payments.defer("breakdown", "fingerprint").order_by("paid_at", "id")),
        deposits=list(deposits.defer("fingerprint").order_by("collected_at", "id")),
    )
