"""Up to 10,000 registrations, payments and deposits in one request, each applied on its own."""

from django.http import HttpRequest
from ninja import Router

from jaring.api.auth import ApiKeyAuth
from jaring.api.batch import batch_apply, batch_scopes
from jaring.api.problems import RateLimited, ScopeMissing
from jaring.api.routers.common import refusals
from jaring.api.schemas import BatchIn, BatchOut
from jaring.common.ratelimit import rate_limit_hit

router = Router(tags=["batch"])

BATCH_MAX_BYTES = 16 * 1024 * 1024  # 10,000 items of a few hundred bytes each, with room to spare


@router.post(
    "/batch",
    auth=ApiKeyAuth(body_limit=BATCH_MAX_BYTES),
    response={200: BatchOut, **refusals(413, 422, 429)},
    operation_id="batch_apply",
    summary="Apply a batch of registrations, payments and deposits",
)
def batch(request: HttpRequest, payload: BatchIn):
    """Applies each item on its own, in order, and answers one result per item: ``accepted``,
    ``duplicate`` (already recorded) or ``rejected`` with its errors. Payments and deposits carry their
    own ``reference`` (their idempotency key), so resending a batch records nothing twice. The key needs
    the scope of every item type in the batch (register, pay, deposit), or nothing is applied (403)."""
    api_key = request.auth
    for scope in sorted(batch_scopes(payload.items) - api_key.scope_set):
        raise ScopeMissing(scope)
    # Each item counts against the key's limit as the single call it stands for (the request itself was
    # counted when the key was checked): a batch is no way around the limit.
    if len(payload.items) > 1 and (wait := rate_limit_hit(api_key, count=len(payload.items) - 1)) is not None:
        raise RateLimited(wait)
    return BatchOut.of(batch_apply(api_key=api_key, items=payload.items, request=request))
