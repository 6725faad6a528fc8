"""``POST /api/v1/sync``: a field phone's outbox in one request, answered record by record."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from jaring.api.auth import ApiKeyAuth
from jaring.api.problems import ApiProblem, RateLimited
from jaring.api.routers.common import refusals
from jaring.common.ratelimit import rate_limit_hit
from jaring.field.models import Device
from jaring.field.services import outbox_sync

router = Router(tags=["field"])


class NotAPhone(ApiProblem):
    status = 403
    slug = "not-a-phone"

    def title(self) -> str:
        return _("Not a field phone's key")


SYNC_MAX_RECORDS = 2_000
SYNC_MAX_BYTES = 4 * 1024 * 1024


class OutboxRecord(Schema):
    key: str = Field(description="the key the phone made for the record (up to 64 characters)")
    kind: Literal["registration", "payment", "deposit", "drop"] | str
    made_at: datetime | None = Field(None, description="the phone's clock when the record was made")
    replaces: str = Field("", description="the key of a refused record this one resends or drops")
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="the registration, payment or deposit as the batch endpoint takes it",
    )


class SyncIn(Schema):
    records: list[OutboxRecord] = Field(max_length=SYNC_MAX_RECORDS)


class SyncAnswer(Schema):
    key: str
    kind: str
    state: Literal["recorded", "as_deposit", "refused", "dropped"]
    reasons: list[str]
    messages: dict[str, list[str]]
    participant_number: str | None
    payment_id: int | None
    deposit_id: int | None
    note: str


class SyncOut(Schema):
    records: list[SyncAnswer]


@router.post(
    "/sync",
    auth=ApiKeyAuth(body_limit=SYNC_MAX_BYTES),
    response={200: SyncOut, **refusals(403, 413, 422, 429)},
    operation_id="outbox_sync",
    summary="Sync a field phone's outbox",
)
def sync(request: HttpRequest, payload: SyncIn):
    """Applies each record of the phone's outbox in order, through the same services as every channel,
    and answers each with its state: ``recorded``, ``as_deposit`` (a payment whose price changed
    meanwhile, recorded as a deposit of the same money), ``refused`` (with its reasons, in the
    request's language) or ``dropped``. A record sent before under the same key is answered as it was
    then, so a sync retried or resumed records nothing twice. Only a phone's own key syncs (403)."""
    api_key = request.auth
    device = Device.objects.select_related("agent", "api_key").filter(api_key=api_key).first()
    if device is None:
        raise NotAPhone(_("This key is not a field phone's; phones are enrolled on the desk."))
    if (
        len(payload.records) > 1
        and (wait := rate_limit_hit(api_key, count=len(payload.records) - 1)) is not None
    ):
        raise RateLimited(wait)
    answers = outbox_sync(
        device=device, records=[record.dict() for record in payload.records], request=request
    )
    return SyncOut(records=[SyncAnswer(**answer.__dict__) for answer in answers])
