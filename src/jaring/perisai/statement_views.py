"""Commission statement pages: the month's statements of the agents in scope, one statement with its
lines, approval by branch staff, the statement as XLSX/PDF and the payout file for the bank.

An agent sees only their own statements; office and national staff see the agents in ``scope.agents()``;
anything outside the scope answers 404. Only branch staff of the agent's branch approve, and only branch
staff (for their agents) or an admin make a payout.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaring.accounts.models import Role
from jaring.accounts.scope import get_in_scope_or_404, scope_for
from jaring.channels.models import Agent, Partner
from jaring.common.clock import month_asked, month_of
from jaring.perisai.documents import payout_csv, statement_pdf, statement_xlsx
from jaring.perisai.models import Statement
from jaring.perisai.queries import statement_for, statement_named_lines
from jaring.perisai.services import payout_create, statement_approve, statements_compute
from jaring.rules.months import Month
from jaring.web.tables import EXPORT_FORMATS, Column, table_response


def _month(request, default: Month | None = None) -> Month:
    text = request.GET.get("month") or request.POST.get("month")
    if text:
        month = month_asked(text)  # a month outside the years jaring counts in is answered 400
        if month is None:
            raise Http404
        return month
    return default or month_of() - 1


def _perisai_agents(scope):
    return scope.agents(Agent.objects.filter(partner__kind=Partner.Kind.AGENT_NETWORK))


def may_approve(scope, agent: Agent) -> bool:
    """Branch staff approve the statements of the agents of their branch."""
    if scope.role != Role.BRANCH_STAFF or scope.office is None:
        return False
    office = agent.office or (agent.outlet.office if agent.outlet else None)
    return office is not None and office.path.startswith(scope.office.path)


def may_pay(scope) -> bool:
    return scope.role in (Role.ADMIN, Role.BRANCH_STAFF)


def _statements_in_scope(scope):
    return Statement.objects.filter(agent__in=_perisai_agents(scope))


@login_required
def statement_list(request):
    scope = scope_for(request.user)
    month = _month(request)
    if scope.role == Role.AGENT:
        statements = _statements_in_scope(scope).select_related("agent").order_by("-month")
    else:
        statements = (
            _statements_in_scope(scope)
            .filter(month=month)
            .select_related("agent__office")
            .order_by("agent__code")
        )
    state = request.GET.get("state", "")
    if state in Statement.State.values:
        statements = statements.filter(state=state)
    columns = [
        Column(_("Agent"), "text"),
        Column(_("Name"), "text"),
        Column(_("Month"), "text"),
        Column(_("Status"), "text"),
        Column(_("New participants"), "count"),
        Column(_("Contributions collected"), "rupiah"),
        Column(_("Commission"), "rupiah"),
        Column(_("Bonus"), "rupiah"),
        Column(_("Total"), "rupiah"),
        Column(_("Payable"), "rupiah"),
    ]
    rows = [
        (s.agent.code, s.agent.name, str(s.month), s.get_state_display(), s.acquisitions, s.collected,
         s.commission, s.bonus, s.total, s.payable)
        for s in statements
    ]  # fmt: skip
    fmt = request.GET.get("format")
    if fmt in EXPORT_FORMATS:
        return table_response(
            request, title=_("Perisai statements"), columns=columns, rows=rows, fmt=fmt,
            filename=f"perisai-statements-{month}",
        )  # fmt: skip
    totals = {
        key: sum(getattr(s, key) for s in statements)
        for key in ("collected", "commission", "bonus", "payable")
    }
    return render(
        request,
        "perisai/statement_list.html",
        {
            "month": month,
            "statements": statements,
            "totals": totals,
            "state": state,
            "states": Statement.State.choices,
            "formats": EXPORT_FORMATS,
            "is_agent": scope.role == Role.AGENT,
            "may_compute": scope.role in (Role.ADMIN, Role.BRANCH_STAFF, Role.REGIONAL_STAFF),
            "may_pay": may_pay(scope),
            "approved_unpaid": statements.filter(state=Statement.State.APPROVED, payable__gt=0).count()
            if scope.role != Role.AGENT
            else 0,
        },
    )


@login_required
@require_POST
def statement_compute(request):
    """Recomputes the drafts of the month for the agents in the user's scope."""
    scope = scope_for(request.user)
    if scope.role not in (Role.ADMIN, Role.BRANCH_STAFF, Role.REGIONAL_STAFF):
        raise Http404
    month = _month(request)
    try:
        result = statements_compute(month=month, agents=list(_perisai_agents(scope)), actor=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(count)s draft statements computed for %(month)s.")
            % {"count": result.statements, "month": month},
        )
    return redirect(f"{reverse('perisai:statement-list')}?month={month}")


def _statement_or_404(request, code: str, month: str):
    scope = scope_for(request.user)
    agent = get_in_scope_or_404(
        scope.agents,
        Agent.objects.filter(partner__kind=Partner.Kind.AGENT_NETWORK).select_related("office", "outlet"),
        code=code,
    )
    month = month_asked(month)
    if month is None:
        raise Http404
    return scope, agent, month


@login_required
def statement_detail(request, code: str, month: str):
    scope, agent, month = _statement_or_404(request, code, month)
    # Shown as stored: drafts are computed by the monthly job or the list page's button (the job reads the
    # month's whole ledger, which a page view should not do).
    statement = statement_for(agent, month, refresh=False)
    if statement is None:
        # The agent's page links this month's statement before the monthly job has made it: say so.
        return render(request, "perisai/statement_pending.html", {"agent": agent, "month": month})
    lines = statement_named_lines(statement)
    return render(
        request,
        "perisai/statement_detail.html",
        {
            "agent": agent,
            "statement": statement,
            "lines": lines,
            "may_approve": statement.state == Statement.State.DRAFT and may_approve(scope, agent),
        },
    )


@login_required
@require_POST
def statement_approve_view(request, code: str, month: str):
    scope, agent, month = _statement_or_404(request, code, month)
    if not may_approve(scope, agent):
        raise Http404
    statement = Statement.objects.filter(agent=agent, month=month).first()
    if statement is None:
        raise Http404
    try:
        statement_approve(statement=statement, actor=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The statement is approved."))
    return redirect("perisai:statement-detail", code=agent.code, month=str(month))


@login_required
def statement_export(request, code: str, month: str, fmt: str):
    _scope, agent, month = _statement_or_404(request, code, month)
    statement = Statement.objects.filter(agent=agent, month=month).first()
    if statement is None or fmt not in ("xlsx", "pdf"):
        raise Http404
    language = request.GET.get("language")
    if fmt == "xlsx":
        body = statement_xlsx(statement, language=language)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = statement_pdf(statement, language=language)
        kind = "application/pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="perisai-{agent.code}-{month}.{fmt}"'
    return response


@login_required
def payout_file(request):
    """GET: the payout CSV of the month's paid statements in scope. POST: pays the approved ones first."""
    scope = scope_for(request.user)
    if not may_pay(scope):
        raise Http404
    month = _month(request)
    statements = _statements_in_scope(scope).filter(month=month)
    if request.method == "POST":
        payout = payout_create(month=month, statements=statements, actor=request)
        if payout is None:
            messages.error(
                request, _("There is no approved statement to pay for %(month)s.") % {"month": month}
            )
            return redirect(f"{reverse('perisai:statement-list')}?month={month}")
    response = HttpResponse(payout_csv(statements=statements), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="perisai-payout-{month}.csv"'
    return response
