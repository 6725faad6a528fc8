"""Voiding a payment taken by mistake, the same day, with a supervisor's approval.

A teller who took a payment for the wrong worker or the wrong months voids it from its receipt before the
day is out: the supervisor (branch staff of the outlet's branch, or an administrator) types their own
user name and password at the counter, the teller types the reason, and the payment is cancelled by a
reversing entry (``payment_reverse``: the original stays in the ledger, its months leave the worker's
coverage). The reversal carries the reason and the supervisor's name, and the audit trail records who
did it and who approved. Later corrections are the branch's (the back office).

A wrong supervisor password is refused like a wrong sign-in, and each user may try
``VOID_TRIES_PER_HOUR`` approvals an hour, so the form cannot be used to guess a password.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaring.accounts.models import Role
from jaring.accounts.scope import get_in_scope_or_404, scope_for
from jaring.common.clock import local_date
from jaring.common.errors import IdempotencyConflict
from jaring.common.ratelimit import window_hit
from jaring.contributions.models import Payment
from jaring.contributions.services import outlet_source, payment_reverse
from jaring.desk.access import desk_scope

VOID_TRIES_PER_HOUR = 10
SUPERVISORS = frozenset({Role.BRANCH_STAFF, Role.ADMIN})


def voidable(scope, entry: Payment) -> bool:
    """Whether the user may void ``entry`` at the counter now: a payment (not a month bought from
    deposits, a payer's bill or a reversal) taken today at an outlet where the user acts. Whether it is
    reversed already is the caller's to read (the receipt reads the reversal anyway)."""
    return (
        entry.kind == Payment.Kind.CONTRIBUTION
        and entry.outlet is not None
        and scope.can_act_at(entry.outlet)
        and local_date(entry.paid_at) == local_date()
    )


@login_required
@require_POST
def void(request, pk: int):
    scope = desk_scope(request)
    entry = get_in_scope_or_404(
        scope.payments, Payment.objects.select_related("outlet", "participant"), pk=pk
    )
    if not voidable(scope, entry) or Payment.objects.filter(reverses_id=entry.pk).exists():
        raise Http404
    reason = " ".join(request.POST.get("reason", "").split())
    supervisor, refusal = _supervisor(request, entry)
    if refusal is None and not reason:
        refusal = _("Say why the payment is voided.")
    if refusal is not None:
        messages.error(request, refusal)
        return redirect("desk:receipt", pk=entry.pk)
    try:
        payment_reverse(
            payment=entry,
            reason=f"{reason} (voided at the counter, approved by {supervisor.get_username()})"[:200],
            source=outlet_source(entry.outlet),
            idempotency_key=f"void-{entry.pk}",
            actor=request,
        )
    except (ValidationError, IdempotencyConflict) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("desk:receipt", pk=entry.pk)
    messages.success(request, _("The payment is voided: its months are no longer covered."))
    return redirect("desk:receipt", pk=entry.pk)


def _supervisor(request, entry: Payment):
    """(the approving user, None), or (None, why not)."""
    if window_hit(f"void:{request.user.pk}", limit=VOID_TRIES_PER_HOUR, window=3600) is not None:
        return None, _("Too many approvals tried: try again in an hour.")
    username = request.POST.get("supervisor", "").strip()
    user = authenticate(request, username=username, password=request.POST.get("supervisor_password", ""))
    if user is None:
        # signals.py records the failed sign-in in the audit trail, with the name typed
        return None, _("The supervisor's user name or password is wrong.")
    supervisor_scope = scope_for(user)
    if user.pk == request.user.pk or supervisor_scope.role not in SUPERVISORS:
        return None, _("A supervisor (branch staff of this outlet's branch) approves a void, not you.")
    if not supervisor_scope.can_act_at(entry.outlet):
        return None, _("This supervisor does not serve this outlet.")
    return user, None
