"""A process's short memory of the API keys it has read, so that a busy key is not read on every request.

A partner's till sends every request with the same key; reading the key with its outlet, partner and
agent (three joins) was the most expensive statement of a status lookup. Each process keeps what it read
for ``JARING_API_KEY_CACHE_SECONDS`` (default 5; 0 turns the memory off). What that costs:

- a key revoked by ``jaring apikey revoke`` (another process) is refused by every worker within that many
  seconds; in the process that revokes it (the admin, a test) at once;
- a change to a key, outlet, partner or agent saved in another process (an agent deactivated, a rate
  limit changed) reaches the API within the same seconds; one saved in this process at once (every
  such save empties the memory: they are rare).

The secret is still checked on every request against the remembered hash; only keys that exist are
remembered, so unknown prefixes cannot fill the memory, and it is emptied when it holds too many.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from jaring.api.models import ApiKey
from jaring.channels.models import Agent, Outlet, Partner

DEFAULT_SECONDS = 5.0
_MAX_KEYS = 10_000
_keys: dict[str, tuple[float, ApiKey]] = {}


def _seconds() -> float:
    return float(getattr(settings, "JARING_API_KEY_CACHE_SECONDS", DEFAULT_SECONDS))


def apikey_recalled(prefix: str) -> ApiKey | None:
    """The active key with ``prefix`` if this process read it less than the cache time ago."""
    remembered = _keys.get(prefix)
    if remembered is None:
        return None
    if time.monotonic() - remembered[0] >= _seconds():
        _keys.pop(prefix, None)
        return None
    return remembered[1]


def apikey_remember(api_key: ApiKey) -> None:
    """Keeps an active key just read (with its outlet, partner and agent) for the cache time."""
    if _seconds() <= 0:
        return
    if len(_keys) >= _MAX_KEYS:
        _keys.clear()
    _keys[api_key.prefix] = (time.monotonic(), api_key)


def apikey_forget(prefix: str | None = None) -> None:
    """Forgets the key with ``prefix`` (every key when None): it is read again on its next request."""
    if prefix is None:
        _keys.clear()
    else:
        _keys.pop(prefix, None)


def apikey_changed(prefix: str | None = None) -> None:
    """Forgets the key with ``prefix`` (every key when None) now and again when the current transaction
    commits: a request in another thread may read the row as it was before the commit meanwhile."""
    apikey_forget(prefix)
    transaction.on_commit(lambda: apikey_forget(prefix))


def _changed(sender, **kwargs) -> None:
    apikey_changed()


def keycache_connect() -> None:
    """Empties the memory whenever a key, outlet, partner or agent is saved or deleted in this process."""
    for model in (ApiKey, Agent, Outlet, Partner):
        post_save.connect(_changed, sender=model, dispatch_uid=f"keycache-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"keycache-delete-{model.__name__}")
