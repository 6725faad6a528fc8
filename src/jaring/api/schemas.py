"""What the API reads and writes (Pydantic, via ninja), and how ledger rows become responses.

Request schemas check shapes only (types, lengths, required fields); every business rule is checked by
the services, so the API, the desk and the file importer refuse the same things with the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    WrapValidator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from jaring.common.clock import FIRST_YEAR, LAST_YEAR, year_counts
from jaring.common.privacy import mask_nik
from jaring.contributions.models import Deposit, Payment
from jaring.members.models import Participant
from jaring.rules.months import Month, month_span
from jaring.rules.participant_number import participant_number

if TYPE_CHECKING:
    from jaring.api.queries import Statement

BATCH_MAX_ITEMS = 10_000
MAX_RUPIAH = 10**12  # far above any real amount, far below what a 64-bit column holds
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD``: Pydantic alone would also read ``0`` as 1970-01-01 (a Unix time); and only a year
    jaring counts in (``common.clock``: year 1 or 9999 cannot be converted to Jakarta time)."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        year = int(value[:4])
    elif isinstance(value, date):
        year = value.year
    else:
        raise PydanticCustomError("date_format", "Input should be a date written YYYY-MM-DD")
    if not year_counts(year):
        raise PydanticCustomError(
            "date_out_of_range",
            "Input should be a date from {first} to {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _moment(value: datetime) -> datetime:
    if not year_counts(value.year):
        raise PydanticCustomError(
            "date_out_of_range",
            "Input should be a date from {first} to {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


# When a record was made (an offline device syncing, a till's settlement), with its UTC offset; empty is
# now. Earlier than the coverage policy's ``late_record_days`` needs the key's ``history`` scope.
Moment = Annotated[AwareDatetime | None, AfterValidator(lambda value: value and _moment(value))]
_MOMENT = "with its UTC offset; empty: now. More than 7 days back needs the key's history scope (too_old)"
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def _plain_text(value: str) -> str:
    """No control characters (PostgreSQL refuses NUL in text) and no lone surrogates (not UTF-8)."""
    if _CONTROL.search(value):
        raise PydanticCustomError("string_control", "Text should not contain control characters")
    return value


Text = Annotated[str, AfterValidator(_plain_text)]
Nik = Annotated[Text, Field(max_length=32, description="16 digits", examples=["3215015204850003"])]
Number = Annotated[Text, Field(max_length=32, description="participant number, 11 digits")]
# Not blank: the services refuse a reference of spaces alone as missing (``reference:required``).
NOT_BLANK = r"\S"
Reference = Annotated[
    str,
    # on the text itself (before ``_plain_text``), so that the document states the pattern
    Field(min_length=1, max_length=100, pattern=NOT_BLANK, description="the partner's own reference"),
    AfterValidator(_plain_text),
]


class Problem(Schema):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(examples=["/api/v1/problems/validation"])
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict, description="messages per field")
    reasons: list[str] = Field(
        default_factory=list,
        description="stable field:code reasons (amount:price_mismatch), the same on every channel",
    )


# Requests


class RegistrationIn(Schema):
    nik: Nik
    name: Text = Field(max_length=200, examples=["Siti Rahayu"])
    birth_date: IsoDate = Field(examples=["1985-04-12"])
    sex: Literal["M", "F"] = Field(examples=["F"])
    phone: Text = Field("", max_length=30)
    village_code: Text = Field(max_length=13, examples=["32.15.01.1001"])
    occupation: Text = Field(max_length=30, examples=["PEDAGANG_PASAR"], description="occupation code")
    declared_income: int = Field(
        gt=0, le=MAX_RUPIAH, examples=[1_000_000], description="whole rupiah a month"
    )
    programmes: Text = Field(max_length=20, examples=["JKK+JKM"], description="JKK+JKM or JKK+JKM+JHT")
    registered_at: Moment = Field(None, description=f"when the worker signed up, {_MOMENT}")
    event_code: Text = Field(
        "", max_length=30, examples=["FUNRUN15-JKT"], description="the event the worker signed up at, if any"
    )

    def registered(self) -> dict[str, Any]:
        """The body as the registration service's fields (``participant_register``,
        ``RegistrationRequest``); the outlet and agent are the key's, never the body's."""
        return {
            "nik": self.nik,
            "name": self.name,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "phone": self.phone,
            "village_code": self.village_code,
            "occupation_code": self.occupation,
            "declared_income": self.declared_income,
            "programmes": self.programmes,
            "registered_at": self.registered_at,
            "event_code": self.event_code,
        }


PARTICIPANT_FIELDS = ("nik", "number")


def _named_by_one(schema: dict[str, Any]) -> None:
    """The document says what ``_one_named`` checks, so that a body it allows is not refused for its shape:
    one of the two is text with something in it, and not both (a null or blank other one is no name)."""
    named = {"type": "string", "pattern": NOT_BLANK}
    schema["oneOf"] = [{"required": [name], "properties": {name: dict(named)}} for name in PARTICIPANT_FIELDS]


class ParticipantRef(Schema):
    """A participant named by NIK or by participant number: exactly one of the two."""

    model_config = ConfigDict(json_schema_extra=_named_by_one)

    nik: Nik | None = None
    number: Number | None = None

    @model_validator(mode="after")
    def _one_named(self) -> ParticipantRef:
        # As ``api.queries.participant_identify`` reads them: blank is not given. Refused here, as a shape,
        # so that every endpoint answers it alike (the status lookup would otherwise answer 404).
        named = [name for name in PARTICIPANT_FIELDS if (getattr(self, name) or "").strip()]
        if len(named) != 1:
            raise PydanticCustomError(
                "participant_named",
                "Give either the NIK or the participant number",
                {"fields": PARTICIPANT_FIELDS},
            )
        return self


class StatusIn(ParticipantRef):
    birth_date: IsoDate = Field(
        examples=["1985-04-12"], description="must match the participant's; a wrong one answers 404"
    )


class PaymentIn(ParticipantRef):
    birth_date: IsoDate = Field(
        examples=["1985-04-12"],
        description="the participant's (on the KTP and card); a wrong one is refused like an unknown NIK",
    )
    months: int = Field(ge=1, le=12, examples=[1], description="1, 3, 6 or 12")
    amount: int = Field(
        gt=0, le=MAX_RUPIAH, examples=[16_800], description="whole rupiah; must equal the price"
    )
    paid_at: Moment = Field(None, description=f"when the worker paid, {_MOMENT}")


class DepositIn(ParticipantRef):
    birth_date: IsoDate = Field(
        examples=["1985-04-12"],
        description="the participant's (on the KTP and card); a wrong one is refused like an unknown NIK",
    )
    amount: int = Field(gt=0, le=MAX_RUPIAH, examples=[5_000], description="whole rupiah collected")
    collected_at: Moment = Field(None, description=f"when the amount was collected, {_MOMENT}")


class BatchRegistration(RegistrationIn):
    type: Literal["registration"]


class BatchPayment(PaymentIn):
    type: Literal["payment"]
    reference: Reference


class BatchDeposit(DepositIn):
    type: Literal["deposit"]
    reference: Reference


class InvalidItem:
    """A batch item whose shape is wrong: rejected on its own instead of failing the whole batch."""

    def __init__(self, item_type: str | None, errors: list[dict[str, Any]]):
        self.type = item_type
        self.errors = errors


def _each_on_its_own(value: Any, handler) -> Any:
    try:
        return handler(value)
    except PydanticValidationError as error:
        item_type = value.get("type") if isinstance(value, dict) else None
        return InvalidItem(item_type if isinstance(item_type, str) else None, error.errors(include_url=False))


BatchItem = Annotated[
    BatchRegistration | BatchPayment | BatchDeposit,
    Field(discriminator="type"),
    WrapValidator(_each_on_its_own),
]


class BatchIn(Schema):
    items: list[BatchItem] = Field(max_length=BATCH_MAX_ITEMS)


# Responses


class RegistrationOut(Schema):
    participant_number: str
    nik: str = Field(description="masked")
    status: str
    registered_at: datetime
    outlet: str
    agent: str | None
    warnings: list[str]


class PriceOut(Schema):
    months: int
    first_month: str
    last_month: str
    amount: int


class StatusOut(Schema):
    participant_number: str
    nik: str = Field(description="masked")
    as_of: date
    status: Literal["active", "arrears", "lapsed", "new", "merged"]
    merged_into: str | None = Field(
        None, description="for a record merged into another of the same person: the number that survives"
    )
    paid_through: str | None = Field(description="the last covered month, YYYY-MM")
    registered_month: str
    programmes: str
    deposit_balance: int
    prices: list[PriceOut] = Field(description="what paying the next 1, 3, 6 or 12 months costs today")


class PaymentOut(Schema):
    payment_id: int
    reference: str
    participant_number: str
    nik: str = Field(description="masked")
    first_month: str
    last_month: str
    months: int
    amount: int
    paid_at: datetime
    outlet: str | None
    agent: str | None

    @classmethod
    def of(cls, payment: Payment, participant: Participant) -> PaymentOut:
        months = month_span(as_month(payment.first_month), payment.months)
        return cls(
            payment_id=payment.pk,
            reference=payment.idempotency_key,
            participant_number=participant.number,
            nik=mask_nik(participant.nik),
            first_month=str(months[0]),
            last_month=str(months[-1]),
            months=payment.months,
            amount=payment.amount,
            paid_at=payment.paid_at,
            outlet=payment.outlet.code if payment.outlet_id else None,
            agent=payment.agent.code if payment.agent_id else None,
        )


class MonthBought(Schema):
    payment_id: int
    month: str
    amount: int


class DepositOut(Schema):
    deposit_id: int
    reference: str
    participant_number: str
    nik: str = Field(description="masked")
    amount: int
    balance_after: int
    collected_at: datetime
    months_bought: list[MonthBought]

    @classmethod
    def of(cls, deposit: Deposit, purchases: list[Payment], participant: Participant) -> DepositOut:
        return cls(
            deposit_id=deposit.pk,
            reference=deposit.idempotency_key,
            participant_number=participant.number,
            nik=mask_nik(participant.nik),
            amount=deposit.amount,
            balance_after=deposit.balance_after,
            collected_at=deposit.collected_at,
            months_bought=[
                MonthBought(payment_id=entry.pk, month=str(as_month(entry.first_month)), amount=entry.amount)
                for entry in sorted(purchases, key=lambda entry: entry.pk)
            ],
        )


class BatchResult(Schema):
    index: int
    type: str | None
    status: Literal["accepted", "rejected", "duplicate"]
    errors: dict[str, list[str]] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list, description="stable field:code reasons")
    reference: str | None = None
    participant_number: str | None = None
    payment_id: int | None = None
    deposit_id: int | None = None


class BatchOut(Schema):
    accepted: int
    rejected: int
    duplicate: int
    results: list[BatchResult]

    @classmethod
    def of(cls, results: list[BatchResult]) -> BatchOut:
        counts = Counter(result.status for result in results)
        return cls(
            accepted=counts["accepted"],
            rejected=counts["rejected"],
            duplicate=counts["duplicate"],
            results=results,
        )


class StatementPayment(Schema):
    payment_id: int
    reference: str
    source: str
    kind: str
    participant_number: str
    first_month: str
    months: int
    amount: int
    paid_at: datetime


class StatementDeposit(Schema):
    deposit_id: int
    reference: str
    source: str
    participant_number: str
    amount: int
    collected_at: datetime


class StatementOut(Schema):
    outlet: str
    agent: str | None
    date: dt.date
    registrations: int
    payments_count: int
    payments_amount: int
    deposits_count: int
    deposits_amount: int
    payments: list[StatementPayment]
    deposits: list[StatementDeposit]

    @classmethod
    def of(cls, statement: Statement) -> StatementOut:
        return cls(
            outlet=statement.outlet.code,
            agent=statement.agent.code if statement.agent else None,
            date=statement.day,
            registrations=statement.registrations,
            payments_count=len(statement.payments),
            payments_amount=statement.payments_amount,
            deposits_count=len(statement.deposits),
            deposits_amount=statement.deposits_amount,
            payments=[
                StatementPayment(
                    payment_id=payment.pk,
                    reference=payment.idempotency_key,
                    source=payment.source,
                    kind=payment.kind,
                    participant_number=participant_number(payment.participant_id),
                    first_month=str(as_month(payment.first_month)),
                    months=payment.months,
                    amount=payment.amount,
                    paid_at=payment.paid_at,
                )
                for payment in statement.payments
            ],
            deposits=[
                StatementDeposit(
                    deposit_id=deposit.pk,
                    reference=deposit.idempotency_key,
                    source=deposit.source,
                    participant_number=participant_number(deposit.participant_id),
                    amount=deposit.amount,
                    collected_at=deposit.collected_at,
                )
                for deposit in statement.deposits
            ],
        )


def as_month(value: Month | int) -> Month:
    """A month read from a ``MonthField`` (a ``Month``), or its index as a freshly created row holds it."""
    return value if isinstance(value, Month) else Month(value)
