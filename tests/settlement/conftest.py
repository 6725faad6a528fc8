import json
import time

import pytest

from jaring.settlement.credentials import signed_headers


@pytest.fixture
def channel(world):
    """BNI's host-to-host link, its payments credited to BNI Karawang; ``.secret`` is what BNI holds."""
    from django.core.cache import caches

    from jaring.settlement.services import channel_create

    caches["default"].clear()  # the rate limit counts a channel's requests by its code
    issued = channel_create(code="BNI-H2H", name="BNI host-to-host", outlet=world.bank_karawang)
    issued.channel.secret = issued.secret
    return issued.channel


@pytest.fixture
def send(client):
    """``send(channel, "/api/v1/channel/payments", {...})``: a request signed as the channel signs it;
    ``secret``, ``at`` and ``headers`` change what is sent."""

    def _send(channel, path, body, *, secret=None, at=None, headers=None, code=None):
        raw = json.dumps(body).encode()
        signed = signed_headers(
            secret or channel.secret,
            code or channel.code,
            method="POST",
            path=path,
            body=raw,
            at=time.time() if at is None else at,
        )
        signed.update(headers or {})
        return client.post(path, raw, content_type="application/json", headers=signed)

    return _send
