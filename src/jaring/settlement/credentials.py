"""A payment channel's secret and the signature of its requests.

A channel signs each request: ``X-Jaring-Signature`` is the hex HMAC-SHA256, under the channel's secret,
of ``<timestamp>\\n<nonce>\\n<METHOD>\\n<path>\\n`` followed by the body's bytes, with the Unix
``X-Jaring-Timestamp`` and the ``X-Jaring-Nonce`` (a fresh random text of 8 to 64 characters) it sent. A
request whose timestamp is more than ``TOLERANCE`` seconds from jaring's clock is stale; one whose
signature was seen before is a replay (``models.SignatureSeen``). The nonce lets a channel retry the same
body in the same second: each try is signed anew.

HMAC needs the secret on both sides, so it cannot be kept only as a hash, as API keys are. Instead
jaring keeps no secret at all: a channel's secret is derived from the deployment's secret key, the
channel's code and its credential's generation. The database holds a SHA-256 of it (telling a changed
deployment key from a wrong signature), so a copy of the database signs nothing, and renewing a
credential moves the generation on. Changing ``JARING_SECRET_KEY`` changes every channel's secret:
renew them all then (docs/channels.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

TOLERANCE = 300  # seconds either side of jaring's clock
CHANNEL_HEADER = "X-Jaring-Channel"
TIMESTAMP_HEADER = "X-Jaring-Timestamp"
NONCE_HEADER = "X-Jaring-Nonce"
SIGNATURE_HEADER = "X-Jaring-Signature"


def _deployment_key() -> bytes:
    return hashlib.sha256(b"jaring payment channel secrets\x00" + settings.SECRET_KEY.encode()).digest()


def channel_secret(code: str, generation: int) -> str:
    """The secret of generation ``generation`` of channel ``code``'s credential (shown once, when made)."""
    mac = hmac.new(_deployment_key(), f"{code}\x00{generation}".encode(), hashlib.sha256).digest()
    return "jrg_ch_" + base64.urlsafe_b64encode(mac[:30]).decode()


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def signature(secret: str, *, timestamp: str, nonce: str, method: str, path: str, body: bytes) -> str:
    """What a channel sends as ``X-Jaring-Signature`` (the channel's side of the bargain, and the test's)."""
    message = f"{timestamp}\n{nonce}\n{method.upper()}\n{path}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(
    secret: str, sent: str, *, timestamp: str, nonce: str, method: str, path: str, body: bytes
) -> bool:
    expected = signature(secret, timestamp=timestamp, nonce=nonce, method=method, path=path, body=body)
    return hmac.compare_digest(expected, (sent or "").strip().lower())


def signed_headers(
    secret: str, code: str, *, method: str, path: str, body: bytes, at: float, nonce: str | None = None
) -> dict[str, str]:
    """The four headers of a signed request made at Unix time ``at``."""
    timestamp = str(int(at))
    nonce = nonce or secrets.token_urlsafe(12)
    return {
        CHANNEL_HEADER: code,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(
            secret, timestamp=timestamp, nonce=nonce, method=method, path=path, body=body
        ),
    }
