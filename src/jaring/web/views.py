"""The landing page: what a visitor, a teller, an agent, staff, a payer or an auditor needs first.

Every figure on it is read through the user's scope; a visitor sees no figure at all.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from jaring.accounts.models import STAFF_ROLES, Action, AuditEntry, Role
from jaring.accounts.scope import ACTING_ROLES, Scope, scope_for
from jaring.common.clock import local_date, start_of_day
from jaring.contributions.models import PayerGroup, Payment
from jaring.members.models import Participant


def home(request):
    scope = scope_for(request.user)
    context: dict = {"scope": scope, "today": local_date()}
    if request.user.is_authenticated:
        if scope.role in (Role.OUTLET_TELLER, Role.AGENT):
            context["today_counts"] = today_at_the_counter(scope)
        if scope.role in STAFF_ROLES:
            context["standing"] = standing_counts(scope)
        if scope.role == Role.PAYER:
            context.update(payer_summary(scope))
        if scope.role == Role.AUDITOR:
            context["audit_today"] = audit_today()
        context["acts"] = scope.role in ACTING_ROLES
    return render(request, "web/home.html", context)


def standing_counts(scope: Scope) -> dict[str, int]:
    """Participants of the scope by standing, in one grouped query: registered (all), active, arrears,
    lapsed, new (registered, never paid)."""
    counts = dict(scope.participants().order_by().values_list("standing__status").annotate(n=Count("pk")))
    return {
        "registered": sum(counts.values()),
        **{status: counts.get(status, 0) for status in Participant.Status.values},
    }


def today_at_the_counter(scope: Scope) -> dict[str, int]:
    """Today (Jakarta) at a teller's outlets or by an agent: registrations, payments and the net amount
    taken (reversals subtract)."""
    since = start_of_day(local_date())
    until = since + timedelta(days=1)
    if scope.role == Role.AGENT:
        registrations = Participant.objects.filter(agent_id=scope.agent.pk)
        payments = Payment.objects.filter(agent_id=scope.agent.pk)
    else:
        registrations = Participant.objects.filter(outlet_id__in=scope.outlet_ids)
        payments = Payment.objects.filter(outlet_id__in=scope.outlet_ids)
    taken = payments.filter(paid_at__gte=since, paid_at__lt=until).aggregate(
        payments=Count("pk", filter=~Q(kind=Payment.Kind.REVERSAL)), amount=Sum("amount")
    )
    return {
        "registrations": registrations.filter(registered_at__gte=since, registered_at__lt=until).count(),
        "payments": taken["payments"],
        "amount": taken["amount"] or 0,
    }


def payer_summary(scope: Scope) -> dict:
    """A payer's groups with their member counts, and its latest bill."""
    groups = (
        PayerGroup.objects.filter(payer_id=scope.payer.pk)
        .annotate(members=Count("memberships"))
        .order_by("name")
    )
    return {"groups": list(groups), "latest_bill": scope.bills().order_by("-month").first()}


def audit_today() -> dict[str, int]:
    """Today's audit entries, and those about personal data, for the auditor's first look."""
    since = start_of_day(local_date())
    personal = (Action.VIEW_PERSONAL_DATA, Action.EXPORT, Action.REVEAL)
    return AuditEntry.objects.filter(at__gte=since).aggregate(
        entries=Count("pk"), personal=Count("pk", filter=Q(action__in=personal))
    )


def healthz(request):
    return JsonResponse({"ok": True})


def favicon(request):
    """``/favicon.ico``, which some browsers and tools ask for whatever the page names: jaring's icon."""
    return redirect(static("web/favicon.svg"))
