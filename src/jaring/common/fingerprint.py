"""Fingerprints of requests, to tell a retry from a different request under the same idempotency key."""

import hashlib
import json


def request_fingerprint(payload: dict) -> str:
    """A stable SHA-256 of the request's meaningful fields (key order does not matter)."""
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
