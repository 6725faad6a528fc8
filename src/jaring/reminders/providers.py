"""Where reminders go out: every provider answers ``send(Outgoing) -> message id`` and checks the
signature of its delivery callbacks. The console provider (the default) writes each message, the
recipient masked, to a file under ``JARING_HOME`` or to standard output; the gateway provider posts to
an SMS/WhatsApp gateway over HTTP.

Configured by the environment (or settings of the same names): ``JARING_REMINDER_PROVIDER`` (``console``
or ``gateway``), ``JARING_REMINDER_GATEWAY_URL`` and ``JARING_REMINDER_GATEWAY_TOKEN`` (the bearer token
sent to the gateway, and the key of the HMAC its callbacks are signed with).

Nothing here logs a phone number or a message's text: a worker's phone is personal data (UU 27/2022).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import httpx
import tenacity
from django.conf import settings

from jaring.common.privacy import mask_phone

SIGNATURE_HEADER = "X-Jaring-Signature"


@dataclass(frozen=True)
class Outgoing:
    """One message to send: ``reference`` is the reminder's id, ``to`` the number in E.164."""

    reference: int
    to: str
    channel: str
    text: str
    template: str = ""  # WhatsApp's pre-approved template, by name


class SendFailed(Exception):
    """The provider did not take the message. ``transient``: worth trying again later (a timeout, the
    gateway busy or down); otherwise the message itself was refused."""

    def __init__(self, reason: str, *, transient: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class Provider(Protocol):
    name: str

    def send(self, message: Outgoing) -> str:
        """Hands ``message`` over and returns the provider's id for it; raises ``SendFailed``."""
        ...

    def signature_valid(self, body: bytes, signature: str) -> bool:
        """True when a delivery callback's ``body`` carries this provider's ``signature``."""
        ...


def signature(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` keyed with ``secret``: how callbacks are signed."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class ConsoleProvider:
    """Writes each message as a JSON line (recipient masked) to ``path`` or ``stream``. Its messages are
    never delivered by anyone, so it takes no callbacks."""

    name = "console"

    def __init__(self, *, path: Path | None = None, stream: IO[str] | None = None):
        self.path = path
        self.stream = stream

    def send(self, message: Outgoing) -> str:
        line = json.dumps(
            {
                "reference": message.reference,
                "to": mask_phone(message.to),
                "channel": message.channel,
                "template": message.template,
                "text": message.text,
            },
            ensure_ascii=False,
        )
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
        else:
            (self.stream or sys.stdout).write(line + "\n")
        return f"console-{message.reference}"

    def signature_valid(self, body: bytes, signature: str) -> bool:
        return False


class _Busy(Exception):
    """A gateway answer worth retrying at once (429, 5xx)."""


_RETRIED_STATUSES = {429, 500, 502, 503, 504}


class GatewayProvider:
    """An SMS/WhatsApp gateway over HTTP: ``POST {url}/messages`` with a bearer token and the message as
    JSON, answered with ``{"id": ...}``; delivery reports come back to ``/reminders/callback/gateway/``
    signed with the same token. A timeout, a dropped connection, 429 or 5xx is retried at once a few
    times with a growing wait (tenacity); after that the send has failed for now and the outbox tries it
    again later. Any other 4xx refuses the message for good."""

    name = "gateway"

    def __init__(
        self,
        *,
        url: str,
        token: str,
        timeout: float = 10.0,
        attempts: int = 3,
        wait_initial: float = 0.5,
        wait_max: float = 4.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.attempts = attempts
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self.transport = transport

    def _post(self, client: httpx.Client, payload: dict) -> httpx.Response:
        response = client.post(f"{self.url}/messages", json=payload)
        if response.status_code in _RETRIED_STATUSES:
            raise _Busy(f"gateway answered {response.status_code}")
        return response

    def send(self, message: Outgoing) -> str:
        payload = {
            "reference": str(message.reference),
            "to": message.to,
            "channel": message.channel,
            "text": message.text,
            "template": message.template,
        }
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_random_exponential(multiplier=self.wait_initial, max=self.wait_max),
            retry=tenacity.retry_if_exception_type((_Busy, httpx.TransportError)),
            reraise=True,
        )
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            with httpx.Client(timeout=self.timeout, headers=headers, transport=self.transport) as client:
                response = retrying(self._post, client, payload)
        except _Busy as error:
            raise SendFailed(str(error)) from None
        except httpx.TransportError as error:
            raise SendFailed(f"gateway not reached ({type(error).__name__})") from None
        if response.status_code >= 400:
            raise SendFailed(f"gateway refused the message ({response.status_code})", transient=False)
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            raise SendFailed("gateway answered without a message id") from None

    def signature_valid(self, body: bytes, given: str) -> bool:
        return bool(self.token) and hmac.compare_digest(signature(self.token, body), given or "")


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or os.environ.get(name, default))


def provider_named(name: str | None = None) -> Provider:
    """The provider ``name`` (default: ``JARING_REMINDER_PROVIDER``, else ``console``) as configured.
    ValueError for a name jaring does not know or a gateway without its URL."""
    name = name or _setting("JARING_REMINDER_PROVIDER", "console")
    if name == ConsoleProvider.name:
        return ConsoleProvider(path=Path(settings.HOME) / "reminders" / "sent.jsonl")
    if name == GatewayProvider.name:
        url = _setting("JARING_REMINDER_GATEWAY_URL")
        if not url:
            raise ValueError("the gateway provider needs JARING_REMINDER_GATEWAY_URL")
        return GatewayProvider(url=url, token=_setting("JARING_REMINDER_GATEWAY_TOKEN"))
    raise ValueError(f"unknown reminder provider {name!r}: console or gateway")
