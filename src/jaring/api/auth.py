"""Authentication by API key (``Authorization: Bearer jrg_live_...``), scope, and rate limit."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from jaring.api.models import ApiKey
from jaring.api.problems import PayloadTooLarge, RateLimited, ScopeMissing
from jaring.api.queries import apikey_for_token
from jaring.api.services import apikey_touch
from jaring.common.ratelimit import rate_limit_hit


class ApiKeyAuth(HttpBearer):
    """Lets a request through with an active key that holds ``scope`` and is within its rate limit.

    A missing, malformed, unknown or revoked key, or one of a closed outlet, answers 401 (all alike); a key
    without the scope 403;
    a key over its limit 429 with ``Retry-After``. Every request of a known key counts against its
    limit, refused ones included. ``request.auth`` is the ``ApiKey``.

    ``body_limit`` lets an operation take a body larger than Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (the batch endpoint: 10,000 items are a few megabytes); the body is read only once the key is known.
    """

    def __init__(self, scope: str | None = None, *, body_limit: int | None = None):
        self.scope = scope
        self.body_limit = body_limit
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        api_key = apikey_for_token(token)
        if api_key is None or not api_key.outlet.is_active:
            return None  # a closed outlet's keys answer as revoked ones (its keys are revoked on closing)
        if (wait := rate_limit_hit(api_key)) is not None:
            raise RateLimited(wait)
        if self.scope is not None and self.scope not in api_key.scope_set:
            raise ScopeMissing(self.scope)
        apikey_touch(api_key)
        if self.body_limit is not None:
            _body_read(request, self.body_limit)
        return api_key


def _body_read(request: HttpRequest, limit: int) -> None:
    """Reads a body of up to ``limit`` bytes, as ``HttpRequest.body`` would with that limit."""
    if hasattr(request, "_body"):
        return
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit:
        raise PayloadTooLarge(limit)
    if length <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or length):
        return  # Django reads it as usual
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when it is read; this operation takes more,
    # so it is read here the way HttpRequest.body does, and HttpRequest.body then returns it.
    request._body = request.read()
    request._stream = BytesIO(request._body)
