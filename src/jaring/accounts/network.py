"""Where a request comes from, for the sign-in throttle and the audit trail."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or, behind ``settings.PROXY_COUNT`` reverse proxies
    (``JARING_PROXY_COUNT``), the address the outermost proxy saw in ``X-Forwarded-For``.

    Only the entries the trusted proxies appended are believed: a client can put anything at the start
    of ``X-Forwarded-For``, so the address is counted from the right.
    """
    count = getattr(settings, "PROXY_COUNT", 0)
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]
