"""The channel API (``/api/v1/channel/``): host-to-host calls of payment channels (banks, e-wallets, retail
chains, Pos). Every request is signed (``credentials``); the routes parse, call one query or service, and
shape the answer. See docs/channels.md."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Router, Schema, Status
from ninja.security import APIKeyHeader

from jaring.accounts.audit import Actor, Said, audit
from jaring.accounts.network import client_ip
from jaring.api.problems import ApiProblem, RateLimited
from jaring.api.routers.common import refusals
from jaring.api.schemas import MAX_RUPIAH, Moment, Reference, Text, as_month
from jaring.common.privacy import mask_name
from jaring.common.ratelimit import window_hit
from jaring.contributions.models import Payment
from jaring.rules.months import month_span
from jaring.settlement.credentials import (
    CHANNEL_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE,
    channel_secret,
    secret_hash,
    signature_matches,
)
from jaring.settlement.models import PaymentChannel
from jaring.settlement.queries import channel_named, participant_by_customer, payment_options
from jaring.settlement.services import channel_payment, channel_reversal, inquiry_count, request_admit
from jaring.settlement.services.h2h import unknown_customer

logger = logging.getLogger("jaring.settlement")
router = Router(tags=["payment channels"])
REFUSALS_AUDITED_PER_MINUTE = 30  # per address: a flood of bad signatures must not flood the trail
REPLAYED = "Idempotent-Replayed"


class SignatureRefused(ApiProblem):
    status = 401
    slug = "channel-signature"

    def title(self) -> str:
        return _("Request not accepted")

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'HMAC realm="jaring-channel"'}


class ChannelSignature(APIKeyHeader):
    """Lets a request through when ``X-Jaring-Channel`` names an active channel, ``X-Jaring-Timestamp``
    is within ``TOLERANCE`` seconds of now, ``X-Jaring-Nonce`` is there, ``X-Jaring-Signature`` is the
    HMAC of the request under the channel's secret, that signature was not seen before, and the channel
    is within its rate limit.
    ``request.auth`` is the ``PaymentChannel``. A refusal writes nothing but its audit entry."""

    param_name = SIGNATURE_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> PaymentChannel | None:
        code = request.headers.get(CHANNEL_HEADER, "")
        channel = channel_named(code)
        if channel is None or not channel.is_active or not key:
            _refuse(request, code, gettext_noop("unknown or revoked channel, or no signature"))
        secret = channel_secret(channel.code, channel.generation)
        if secret_hash(secret) != channel.secret_hash:
            logger.error("payment channel %s: its secret changed with the deployment's key; renew it", code)
            _refuse(request, code, gettext_noop("the channel's credential no longer matches"))
        stamp = request.headers.get(TIMESTAMP_HEADER, "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE:
            _refuse(request, code, gettext_noop("timestamp missing or more than 5 minutes off"), "stale")
        nonce = request.headers.get(NONCE_HEADER, "")
        if not 8 <= len(nonce) <= 64:
            _refuse(request, code, gettext_noop("nonce missing or not 8 to 64 characters"))
        body = request.body
        if not signature_matches(
            secret, key, timestamp=stamp, nonce=nonce, method=request.method, path=request.path, body=body
        ):
            _refuse(request, code, gettext_noop("wrong signature"))
        if (wait := window_hit(f"channel:{channel.code}", limit=channel.rate_limit)) is not None:
            raise RateLimited(wait)
        if not request_admit(channel=channel, signature=key.strip().lower()):
            _refuse(request, code, gettext_noop("replayed request"), "replayed")
        return channel


_DETAILS = {
    "signature": gettext_noop(
        "The channel, its credential or the request's signature is not valid; nothing was recorded."
    ),
    "stale": gettext_noop(
        "X-Jaring-Timestamp must be the Unix time of the request, within 5 minutes of ours; nothing was "
        "recorded."
    ),
    "replayed": gettext_noop(
        "This signed request was received before; sign each request anew (a retry too). Nothing was recorded."
    ),
}


def _refuse(request: HttpRequest, code: str, why: str, kind: str = "signature"):
    """Audits the refusal (up to a number a minute per address) and answers 401."""
    if window_hit(f"channel-refused:{client_ip(request)}", limit=REFUSALS_AUDITED_PER_MINUTE) is None:
        said = Said(
            gettext_noop("refused a request of payment channel %(code)s to %(path)s: %(why)s"),
            {"code": code[:30] or "-", "path": request.path, "why": why},
        )
        audit(
            Actor(f"payment channel {code[:30] or '-'}", request=request),
            "refused",
            obj=PaymentChannel,
            summary=said,
        )
    raise SignatureRefused(_(_DETAILS[kind]))


def _actor(request: HttpRequest) -> Actor:
    return Actor(f"payment channel {request.auth.code}", request=request)


# Schemas

Customer = Text


class InquiryIn(Schema):
    customer: Customer = Field(
        max_length=40, description="the participant's payment code (13 digits) or NIK (16 digits)"
    )


class OptionOut(Schema):
    months: int
    first_month: str
    last_month: str
    amount: int = Field(description="whole rupiah")


class InquiryOut(Schema):
    customer: str
    name: str = Field(description="masked: each word's first letter")
    status: str
    paid_through: str | None
    options: list[OptionOut] = Field(description="what a payment of 1, 3, 6 or 12 months costs now")


class ChannelPaymentIn(Schema):
    customer: Customer = Field(max_length=40, description="payment code or NIK")
    months: int | None = Field(None, ge=1, le=12, description="empty: the months the amount pays for")
    amount: int = Field(gt=0, le=MAX_RUPIAH, description="whole rupiah")
    reference: Reference
    paid_at: Moment = Field(None, description="when the worker paid, with its UTC offset; empty: now")


class ChannelPaymentOut(Schema):
    reference: str
    receipt: int = Field(description="jaring's ledger entry")
    name: str
    first_month: str
    last_month: str
    months: int
    amount: int
    paid_at: datetime


class ReversalIn(Schema):
    reference: Reference
    reason: Text = Field("", max_length=200)
    reversed_at: Moment = Field(None)


class ReversalOut(Schema):
    reference: str
    reversal: int = Field(description="jaring's reversing ledger entry")
    amount: int = Field(description="negative: what was taken back")
    reversed_at: datetime


# Routes


@router.post(
    "/channel/inquiry",
    auth=ChannelSignature(),
    response={200: InquiryOut, **refusals(422)},
    operation_id="channel_inquiry",
    summary="Inquiry: whom a payment code names and what is due",
)
def inquiry(request: HttpRequest, payload: InquiryIn):
    """The participant a payment code (or NIK) names, masked, and the price now of 1, 3, 6 and 12 months,
    each month by the rate schedule in force for it. Inquiries are counted per channel and hour."""
    inquiry_count(channel=request.auth)
    participant = participant_by_customer(payload.customer)
    if participant is None:
        raise unknown_customer()
    paid_through = participant.standing.paid_through
    return InquiryOut(
        customer=payload.customer,
        name=mask_name(participant.name),
        status=participant.standing.status,
        paid_through=str(paid_through) if paid_through else None,
        options=[
            OptionOut(months=o.months, first_month=str(o.first), last_month=str(o.last), amount=o.amount)
            for o in payment_options(participant)
        ],
    )


@router.post(
    "/channel/payments",
    auth=ChannelSignature(),
    response={201: ChannelPaymentOut, 200: ChannelPaymentOut, **refusals(409, 422)},
    operation_id="channel_payment",
    summary="Payment notification",
)
def payment(request: HttpRequest, response: HttpResponse, payload: ChannelPaymentIn):
    """Records the payment the channel took, its ``reference`` the idempotency key: 201 when recorded,
    200 with the first answer when the reference was recorded before with the same request, 409 when it
    was used for another."""
    result = channel_payment(
        channel=request.auth,
        customer=payload.customer,
        months=payload.months,
        amount=payload.amount,
        reference=payload.reference,
        paid_at=payload.paid_at,
        actor=_actor(request),
    )
    if not result.created:
        response[REPLAYED] = "true"
    entry: Payment = result.payment
    months = month_span(as_month(entry.first_month), entry.months)
    return Status(
        201 if result.created else 200,
        ChannelPaymentOut(
            reference=entry.idempotency_key,
            receipt=entry.pk,
            name=mask_name(entry.participant.name),
            first_month=str(months[0]),
            last_month=str(months[-1]),
            months=entry.months,
            amount=entry.amount,
            paid_at=entry.paid_at,
        ),
    )


@router.post(
    "/channel/reversals",
    auth=ChannelSignature(),
    response={201: ReversalOut, 200: ReversalOut, **refusals(409, 422)},
    operation_id="channel_reversal",
    summary="Reversal advice",
)
def reversal(request: HttpRequest, response: HttpResponse, payload: ReversalIn):
    """Undoes the channel's payment of ``reference`` (the channel timed out or cancelled): 201 when
    reversed, 200 when the same advice came before."""
    result = channel_reversal(
        channel=request.auth,
        reference=payload.reference,
        reason=payload.reason,
        reversed_at=payload.reversed_at,
        actor=_actor(request),
    )
    if not result.created:
        response[REPLAYED] = "true"
    entry = result.payment
    return Status(
        201 if result.created else 200,
        ReversalOut(
            reference=payload.reference, reversal=entry.pk, amount=entry.amount, reversed_at=entry.paid_at
        ),
    )
