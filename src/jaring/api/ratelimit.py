"""The per-key rate limit (requests a minute): a sliding-window counter kept in Django's cache.

Two counters per key, this minute's and the last one's; a request is let through while
``last * (share of the last minute still inside the window) + this`` stays within the key's limit. That
is as smooth as an exact moving window for practical purposes, and costs three cache operations.

The counters live in the cache named by the setting ``JARING_API_RATELIMIT_CACHE`` (default
``"default"``). Django's default cache is per-process memory, so with N gunicorn workers a key may make
up to N times its limit; production points that cache at Redis (atomic increments, shared by every
worker and machine) or at the database cache (shared, but its increments are not atomic, so the count is
approximate under heavy concurrency).

``limits`` (PyPI) was tried first: its memory store starts a timer thread on most requests, which cost
milliseconds of latency per request under gunicorn's threads; the cache needs no thread.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import caches

from jaring.api.models import ApiKey

WINDOW = 60  # seconds: limits are per minute


def _cache():
    return caches[getattr(settings, "JARING_API_RATELIMIT_CACHE", "default")]


def rate_limit_hit(api_key: ApiKey, *, now: float | None = None, count: int = 1) -> int | None:
    """Counts ``count`` requests of the key (a batch counts each of its items); None when they are
    within its limit, otherwise the whole seconds to wait before they would be let through (for
    ``Retry-After``). Refused requests are not counted, so a client that waits as told gets through."""
    now = time.time() if now is None else now
    window, into = divmod(now, WINDOW)
    window = int(window)
    cache = _cache()
    current_key = f"jaring:ratelimit:{api_key.prefix}:{window}"
    cache.add(current_key, 0, timeout=2 * WINDOW + 1)
    try:
        current = cache.incr(current_key, count)
    except ValueError:  # evicted between add and incr
        cache.set(current_key, current := count, timeout=2 * WINDOW + 1)
    previous = cache.get(f"jaring:ratelimit:{api_key.prefix}:{window - 1}", 0)
    carried = previous * (WINDOW - into) / WINDOW
    if carried + current <= api_key.rate_limit:
        return None
    cache.decr(current_key, count)
    return _wait(limit=api_key.rate_limit, previous=previous, current=current - count, into=into)


def _wait(*, limit: int, previous: int, current: int, into: float) -> int:
    """Seconds until one more request fits: the last minute's weight fades as the window slides."""
    if current >= limit or previous == 0:
        # This minute alone is full: wait for the next one, whose carried weight is then this one's.
        seconds = WINDOW - into
    else:
        # Need previous * (WINDOW - into - t) / WINDOW + current + 1 <= limit.
        seconds = (previous * (WINDOW - into) / WINDOW + current + 1 - limit) * WINDOW / previous
    return max(1, min(WINDOW, math.ceil(seconds)))
