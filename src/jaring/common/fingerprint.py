"""Fingerprints of requests, to tell a retry from a different request under the same idempotency key."""

import hashlib


def request_fingerprint(payload: dict) -> str:
    """A stable SHA-256 of the request's meaningful fields (key order does not matter)."""
    text = "|".join(f"{key}={payload[key]!r}" for key in sorted(payload))
    return hashlib.sha256(text.encode()).hexdigest()
