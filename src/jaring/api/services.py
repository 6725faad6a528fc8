"""Writes to API keys: issuing, revoking, and noting when a key was last used."""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jaring.api.keycache import apikey_changed
from jaring.api.models import DEFAULT_RATE_LIMIT, ApiKey, Scope
from jaring.channels.models import Agent, Outlet

KEY_KIND = "jrg_live_"
_ID_ALPHABET = string.ascii_lowercase + string.digits
_ID_LENGTH = 8
PREFIX_LENGTH = len(KEY_KIND) + _ID_LENGTH
# Writing ``last_used_at`` on every request would turn every read into a write; once a minute is
# enough to tell a key in use from a forgotten one.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    token: str  # the full key: shown once, never stored


def secret_hash(secret: str) -> str:
    """The stored form of a key's secret part. A SHA-256 is enough: the secret is 32 random bytes, so
    there is nothing to guess and a slow password hash would only slow every request down."""
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_parse(scopes: str | Iterable[str]) -> list[str]:
    """The scopes named (comma-separated or a list), in canonical order; ValidationError otherwise."""
    names = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    chosen = {name.strip().lower() for name in names if name and name.strip()}
    unknown = sorted(chosen - set(Scope.values))
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scope %(scopes)s; the scopes are %(known)s.")
                % {"scopes": ", ".join(unknown), "known": ", ".join(Scope.values)}
            }
        )
    if not chosen:
        raise ValidationError({"scopes": _("A key needs at least one scope.")})
    return [scope for scope in Scope.values if scope in chosen]


def apikey_create(
    *,
    outlet: Outlet,
    scopes: str | Iterable[str],
    agent: Agent | None = None,
    name: str = "",
    rate_limit: int = DEFAULT_RATE_LIMIT,
) -> IssuedKey:
    """Issues a key for ``outlet`` (and ``agent``, who must work for the outlet's partner) with
    ``scopes``. The returned token is the only time the full key exists outside the caller's hands."""
    errors: dict[str, list[str]] = {}
    try:
        chosen = scopes_parse(scopes)
    except ValidationError as error:
        errors.update(error.message_dict)
        chosen = []
    if not outlet.is_active:
        errors.setdefault("outlet", []).append(_("Outlet %(code)s is closed.") % {"code": outlet.code})
    if agent is not None:
        if agent.partner_id != outlet.partner_id:
            errors.setdefault("agent", []).append(
                _("Agent %(code)s does not work for this outlet's partner.") % {"code": agent.code}
            )
        elif agent.status != Agent.Status.ACTIVE:
            errors.setdefault("agent", []).append(_("Agent %(code)s is not active.") % {"code": agent.code})
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or rate_limit < 1:
        errors.setdefault("rate_limit", []).append(
            _("The rate limit is a whole number of requests a minute.")
        )
    if errors:
        raise ValidationError(errors)
    for _attempt in range(5):  # 36^8 prefixes: a collision is rare, and the unique index catches it
        prefix = KEY_KIND + "".join(secrets.choice(_ID_ALPHABET) for _position in range(_ID_LENGTH))
        secret = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    prefix=prefix,
                    secret_hash=secret_hash(secret),
                    name=(name or "").strip()[:120],
                    outlet=outlet,
                    agent=agent,
                    scopes=",".join(chosen),
                    rate_limit=rate_limit,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            continue
        return IssuedKey(api_key=api_key, token=f"{prefix}_{secret}")
    raise RuntimeError("could not draw a free key prefix")


def apikey_revoke(*, prefix: str, at: datetime | None = None) -> ApiKey:
    """Revokes the key with ``prefix``; from now on it answers 401 (in other processes serving the API,
    within ``jaring.api.keycache``'s few seconds). Revoking again changes nothing."""
    try:
        api_key = ApiKey.objects.select_related("outlet", "agent").get(prefix=(prefix or "").strip())
    except ApiKey.DoesNotExist:
        raise ValidationError(
            {"prefix": _("No API key has the prefix %(prefix)s.") % {"prefix": prefix}}
        ) from None
    if api_key.revoked_at is None:
        api_key.revoked_at = at or timezone.now()
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=api_key.revoked_at)
    # This process forgets it at once; other processes within jaring.api.keycache's few seconds.
    apikey_changed(api_key.prefix)
    return api_key


def apikey_touch(api_key: ApiKey, *, now: datetime | None = None) -> None:
    """Notes that the key was used, at most once per ``TOUCH_INTERVAL``: the condition is in the UPDATE,
    so several workers seeing a stale time write it once between them."""
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < TOUCH_INTERVAL:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL)
    ).update(last_used_at=now)
    api_key.last_used_at = now
