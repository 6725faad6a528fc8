"""The providers' delivery callbacks: ``POST /reminders/callback/<provider>/``, signed with the provider's
shared secret (HMAC-SHA256 of the body in the ``X-Jaring-Signature`` header). A machine's door, not a
page: no session, no CSRF token, the signature instead."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from jaring.reminders.providers import SIGNATURE_HEADER, provider_named
from jaring.reminders.services import reminder_delivery_record

DELIVERED = {"delivered", "read"}
FAILED = {"failed", "undelivered", "rejected", "expired"}


@csrf_exempt
@require_POST
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Marks a reminder delivered or failed from the provider's report ``{"id": ..., "status": ...,
    "error": ...}``. 404 for a provider jaring does not use or a message it did not send, 403 for a bad
    signature, 400 for a body it cannot read; a status that is neither delivered nor failed (queued,
    accepted) is acknowledged and changes nothing."""
    try:
        sender = provider_named(provider)
    except ValueError:
        return JsonResponse({"ok": False, "error": "unknown provider"}, status=404)
    body = request.body
    if not sender.signature_valid(body, request.headers.get(SIGNATURE_HEADER, "")):
        return JsonResponse({"ok": False, "error": "bad signature"}, status=403)
    try:
        report = json.loads(body)
        message_id, status = str(report["id"]), str(report["status"]).lower()
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False, "error": 'expected {"id": ..., "status": ...}'}, status=400)
    if status not in DELIVERED | FAILED:
        return JsonResponse({"ok": True, "changed": False})
    reminder = reminder_delivery_record(
        provider=sender.name,
        message_id=message_id,
        delivered=status in DELIVERED,
        error=str(report.get("error") or "")[:200],
    )
    if reminder is None:
        return JsonResponse({"ok": False, "error": "unknown message"}, status=404)
    return JsonResponse({"ok": True, "status": reminder.status})
