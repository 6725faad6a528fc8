"""Audit entries nobody has to remember to write: sign-ins, failed sign-ins, sign-outs, and every write
made in the Django admin (through the admin's own ``LogEntry``)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import translation

from jaring.accounts.audit import changed_fields, current_request, record, snapshot
from jaring.accounts.models import Action, AuditEntry

# Session key: when the user signed in (epoch seconds), for the hard session limit.
SIGNED_IN_AT = "jaring_signed_in_at"

# How long before Django's admin log a service's own entry of the same write may have been written.
SERVICE_ENTRY_SECONDS = 10

ADMIN_ACTIONS = {ADDITION: Action.CREATE, CHANGE: Action.UPDATE, DELETION: Action.DELETE}


@receiver(user_logged_in, dispatch_uid="jaring_audit_login")
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())
    record(request if request is not None else user, Action.LOGIN, user=user)


@receiver(user_login_failed, dispatch_uid="jaring_audit_login_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # django-axes (an earlier receiver) has set ``axes_locked_out`` when this attempt hit or met the lock.
    locked = bool(getattr(request, "axes_locked_out", False))
    record(
        request,
        Action.LOGIN_FAILED,
        username=str(credentials.get("username") or ""),
        summary="locked out after too many failed attempts" if locked else "",
    )


@receiver(user_logged_out, dispatch_uid="jaring_audit_logout")
def _signed_out(sender, request, user, **kwargs):
    if user is None:
        return  # signing out while not signed in: nothing happened
    record(request, Action.LOGOUT, user=user, summary=getattr(request, "_audit_logout_reason", ""))


@receiver(post_save, sender=LogEntry, dispatch_uid="jaring_audit_admin_write")
def _admin_wrote(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        admin_entry_audit(instance)


def admin_entry_audit(entry: LogEntry) -> None:
    """The audit entry of one admin ``LogEntry``: the record after the write (read now: additions and
    changes are saved before Django logs them) and before it (taken by ``AuditContextMiddleware`` before
    the view ran; a deletion is logged while the record still exists, so its current row is the before).
    """
    request = current_request.get()
    action = ADMIN_ACTIONS.get(entry.action_flag)
    if action is None:
        return
    model = entry.content_type.model_class() if entry.content_type_id else None
    label = model._meta.label_lower if model is not None else ""
    if _written_by_a_service(entry, model, label, action):
        return
    now = _row(model, entry.object_id)
    taken = getattr(request, "_audit_before", {}).get((label, str(entry.object_id))) if request else None
    before = after = None
    if action == Action.CREATE:
        after = now
    elif action == Action.UPDATE:
        before, after = taken, now
    else:
        before = taken or now
    with translation.override("en"):
        message = entry.get_change_message()
    changed = changed_fields(before, after)
    summary = " ".join(
        part
        for part in (
            f"admin: {entry.object_repr}.",
            message,
            f"(fields: {', '.join(changed)})" if changed else "",
        )
        if part
    )
    record(
        request if request is not None else entry.user,
        action,
        user=entry.user,
        object_type=label,
        object_id=str(entry.object_id or ""),
        before=before,
        after=after,
        summary=summary,
    )
    if request is not None:
        request._audit_logentries = getattr(request, "_audit_logentries", set()) | {entry.pk}


def _row(model, pk) -> dict | None:
    if model is None or pk in (None, ""):
        return None
    try:
        return snapshot(model._base_manager.filter(pk=pk).values().first())
    except (ValueError, TypeError, ValidationError):
        return None


def _written_by_a_service(entry: LogEntry, model, label: str, action: str) -> bool:
    """Whether the service the admin called audits this write in its own transaction: then the admin's log
    adds nothing. A change or addition is logged after the service ran (its entry is there); a deletion is
    logged before the admin calls ``delete_model``/``delete_queryset``, which go to a service when the
    model's admin overrides them."""
    if action == Action.DELETE:
        model_admin = admin.site._registry.get(model)
        return model_admin is not None and type(model_admin).delete_queryset is not ModelAdmin.delete_queryset
    return AuditEntry.objects.filter(
        object_type=label,
        object_id=str(entry.object_id or ""),
        action=action,
        user_pk=entry.user_id,
        at__gte=entry.action_time - timedelta(seconds=SERVICE_ENTRY_SECONDS),
    ).exists()
