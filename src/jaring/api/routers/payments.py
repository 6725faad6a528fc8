"""Recording payments and deposits (daily collection), each under the partner's Idempotency-Key."""

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router, Status

from jaring.accounts.audit import Actor
from jaring.api.auth import ApiKeyAuth
from jaring.api.models import Scope
from jaring.api.queries import participant_paying
from jaring.api.routers.common import refusals
from jaring.api.schemas import NOT_BLANK, DepositIn, DepositOut, PaymentIn, PaymentOut, Text
from jaring.contributions.services import deposit_record, outlet_source, payment_record

router = Router(tags=["payments"])

IdempotencyKey = Annotated[
    Text,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK,
        description="The partner's reference for this payment; a retry with it records nothing new.",
    ),
]
REPLAYED = "Idempotent-Replayed"


@router.post(
    "/payments",
    auth=ApiKeyAuth(Scope.PAY),
    response={201: PaymentOut, 200: PaymentOut, **refusals(409, 413, 422)},
    operation_id="payment_record",
    summary="Record a payment",
)
def pay(request: HttpRequest, response: HttpResponse, payload: PaymentIn, idempotency_key: IdempotencyKey):
    """Records a participant's payment for 1, 3, 6 or 12 months at the key's outlet; ``amount`` must be
    the price (see the status endpoint). 201 when recorded; a retry with the same Idempotency-Key and
    body answers 200 with the first result; the same key with another body answers 409."""
    api_key = request.auth
    participant = participant_paying(nik=payload.nik, number=payload.number, birth_date=payload.birth_date)
    result = payment_record(
        participant=participant,
        months=payload.months,
        amount=payload.amount,
        paid_at=payload.paid_at,
        source=outlet_source(api_key.outlet),
        idempotency_key=idempotency_key,
        outlet=api_key.outlet,
        agent=api_key.agent,
        actor=Actor.api_key(api_key, request),
        history_allowed=Scope.HISTORY in api_key.scope_set,
    )
    if not result.created:
        response[REPLAYED] = "true"
    return Status(201 if result.created else 200, PaymentOut.of(result.payment, participant))


@router.post(
    "/deposits",
    auth=ApiKeyAuth(Scope.DEPOSIT),
    response={201: DepositOut, 200: DepositOut, **refusals(409, 413, 422)},
    operation_id="deposit_record",
    summary="Record a deposit (daily collection)",
)
def deposit(
    request: HttpRequest, response: HttpResponse, payload: DepositIn, idempotency_key: IdempotencyKey
):
    """Adds a collected amount to the participant's balance; every whole month the balance now pays for
    is bought and listed. Retries behave as for payments."""
    api_key = request.auth
    participant = participant_paying(nik=payload.nik, number=payload.number, birth_date=payload.birth_date)
    result = deposit_record(
        participant=participant,
        amount=payload.amount,
        collected_at=payload.collected_at,
        source=outlet_source(api_key.outlet),
        idempotency_key=idempotency_key,
        outlet=api_key.outlet,
        agent=api_key.agent,
        actor=Actor.api_key(api_key, request),
        history_allowed=Scope.HISTORY in api_key.scope_set,
    )
    if not result.created:
        response[REPLAYED] = "true"
    return Status(
        201 if result.created else 200, DepositOut.of(result.deposit, result.purchases, participant)
    )
