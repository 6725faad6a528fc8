"""Rate limits: a sliding-window counter kept in Django's cache, for an API key's requests a minute
(``api_key_hit``) and for a desk user's lookups of workers registered elsewhere an hour
(``desk.counter``).

Two counters per name, this window's and the last one's; a request is let through while
``last * (share of the last window still inside the sliding window) + this`` stays within the limit. That
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

WINDOW = 60  # seconds: an API key's limit is per minute


def _cache():
    return caches[getattr(settings, "JARING_API_RATELIMIT_CACHE", "default")]


def rate_limit_hit(api_key, *, now: float | None = None, count: int = 1) -> int | None:
    """Counts ``count`` requests of the API key (a batch counts each of its items) against its limit a
    minute: see ``window_hit``."""
    return window_hit(f"key:{api_key.prefix}", limit=api_key.rate_limit, now=now, count=count)


def window_hit(
    name: str, *, limit: int, window: int = WINDOW, now: float | None = None, count: int = 1
) -> int | None:
    """Counts ``count`` requests under ``name``; None when they are within ``limit`` a ``window`` of
    seconds, otherwise the whole seconds to wait before they would be let through (for ``Retry-After``).
    Refused requests are not counted, so a client that waits as told gets through."""
    now = time.time() if now is None else now
    period, into = divmod(now, window)
    period = int(period)
    cache = _cache()
    current_key = f"jaring:ratelimit:{name}:{window}:{period}"
    cache.add(current_key, 0, timeout=2 * window + 1)
    try:
        current = cache.incr(current_key, count)
    except ValueError:  # evicted between add and incr
        cache.set(current_key, current := count, timeout=2 * window + 1)
    previous = cache.get(f"jaring:ratelimit:{name}:{window}:{period - 1}", 0)
    carried = previous * (window - into) / window
    if carried + current <= limit:
        return None
    cache.decr(current_key, count)
    return _wait(limit=limit, previous=previous, current=current - count, into=into, window=window)


def _wait(*, limit: int, previous: int, current: int, into: float, window: int) -> int:
    """Seconds until one more request fits: the last minute's weight fades as the window slides."""
    if current >= limit or previous == 0:
        # This minute alone is full: wait for the next one, whose carried weight is then this one's.
        seconds = window - into
    else:
        # Need previous * (window - into - t) / window + current + 1 <= limit.
        seconds = (previous * (window - into) / window + current + 1 - limit) * window / previous
    return max(1, min(window, math.ceil(seconds)))
