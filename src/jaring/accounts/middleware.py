"""Request middleware of the accounts app: the hard session limit, and the context the audit trail needs
(the request being served, and records as they were before an admin write)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.utils import timezone

from jaring.accounts.audit import current_request, record, snapshot
from jaring.accounts.models import Action
from jaring.accounts.signals import SIGNED_IN_AT, admin_entry_audit

# Admin change pages that show a full NIK or phone number: opening one is audited as a view.
PERSONAL_DATA_MODELS = frozenset({"members.participant", "channels.agent"})


class SessionLifetimeMiddleware:
    """Signs out a session ``settings.SESSION_MAX_AGE`` seconds after its sign-in, however active it was
    (``SESSION_COOKIE_AGE`` alone counts from the last change of the session, not from the sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                request.session[SIGNED_IN_AT] = int(time.time())
            elif time.time() - signed_in_at > settings.SESSION_MAX_AGE:
                request._audit_logout_reason = "session ended: signed in more than the maximum time ago"
                logout(request)
        return self.get_response(request)


class AuditContextMiddleware:
    """Makes the request available to audit entries written while serving it (``audit.current_request``),
    and around Django admin views:

    - before a change is saved, keeps the record as it was, so the admin's ``LogEntry`` becomes an audit
      entry with ``before`` and ``after``;
    - after a bulk action (which logs its ``LogEntry`` rows with ``bulk_create``, sending no signal),
      audits the rows the signal did not see;
    - audits opening a change page that shows personal data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            self._after_admin_view(request, response)
            return response
        finally:
            current_request.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace != "admin" or not match.url_name:
            return None
        found = _admin_model(match.url_name)
        if found is None:
            return None
        model, view = found
        label = model._meta.label_lower
        object_id = unquote(view_kwargs["object_id"]) if "object_id" in view_kwargs else None
        if request.method == "POST" and view == "change" and object_id is not None:
            request._audit_before = _rows(model, [object_id])
        elif request.method == "POST" and view == "changelist" and request.POST.get("action"):
            request._audit_before = _rows(model, request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME))
            request._audit_sweep_since = timezone.now()
        elif request.method == "GET" and view == "change" and label in PERSONAL_DATA_MODELS:
            request._audit_personal_view = (label, str(object_id))
        return None

    def _after_admin_view(self, request, response) -> None:
        viewed = getattr(request, "_audit_personal_view", None)
        if viewed is not None and response.status_code == 200:
            record(
                request,
                Action.VIEW_PERSONAL_DATA,
                object_type=viewed[0],
                object_id=viewed[1],
                summary="admin change page",
            )
        since = getattr(request, "_audit_sweep_since", None)
        if since is not None and request.user.is_authenticated:
            seen = getattr(request, "_audit_logentries", set())
            missed = LogEntry.objects.filter(user_id=request.user.pk, action_time__gte=since).exclude(
                pk__in=seen
            )
            for entry in missed.select_related("user", "content_type").order_by("pk"):
                admin_entry_audit(entry)


def _admin_model(url_name: str):
    """The model and view (``change``, ``changelist``, ...) of an admin URL name such as
    ``members_participant_change``."""
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if url_name.startswith(prefix):
            return model, url_name[len(prefix) :]
    return None


def _rows(model, pks: list[str]) -> dict[tuple[str, str], dict]:
    label = model._meta.label_lower
    pks = [pk for pk in pks if pk not in (None, "")][:1000]
    if not pks:
        return {}
    try:
        rows = list(model._base_manager.filter(pk__in=pks).values())
    except (ValueError, TypeError, ValidationError):
        return {}
    pk_name = model._meta.pk.attname
    return {(label, str(row[pk_name])): snapshot(row) for row in rows}
