"""The claims pages of the whole office: the dashboard (claims by kind and state, amounts, the share
paid on time) and the payouts finance makes (``claims_pay``) with their file for the banks."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit_personal_data
from jaring.accounts.scope import roles_only
from jaring.claims.documents import payout_csv
from jaring.claims.models import Claim, ClaimPayout
from jaring.claims.queries import claims_dashboard, claims_visible
from jaring.claims.services import claims_pay
from jaring.claims.views import CLAIM_ROLES, PAY_ROLES
from jaring.common.clock import month_of
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response

PAYOUT_LIST = 50  # the latest payouts listed

# -- the dashboard -----------------------------------------------------------------------------------------

STATE_COLORS = {
    Claim.State.SUBMITTED: "#aab4c0",
    Claim.State.COMPLETE: "#f0b429",
    Claim.State.VERIFIED: "#5a9bd5",
    Claim.State.APPROVED: "#0b5cad",
    Claim.State.REJECTED: "#c0392b",
    Claim.State.PAID: "#2e8b57",
}


def _dashboard_columns() -> list[Column]:
    return [
        Column(_("Benefit")),
        *(Column(str(label), "count") for _state, label in Claim.State.choices),
        Column(_("Claims"), "count"),
        Column(_("Approved amount"), "rupiah"),
        Column(_("Paid amount"), "rupiah"),
    ]


def _month_columns() -> list[Column]:
    return [
        Column(_("Month")),
        Column(_("Claims paid"), "count"),
        Column(_("Paid on time"), "count"),
        Column(_("Share paid on time"), "percent"),
        Column(_("Amount paid"), "rupiah"),
    ]


@roles_only(CLAIM_ROLES)
def dashboard(request, scope):
    since = (month_of() - 11).first_day()
    figures = claims_dashboard(claims_visible(scope), since=since)
    if (fmt := export_format(request)) is not None:
        if request.GET.get("table") == "months":
            rows = [[str(m.month), m.paid, m.on_time, m.share, m.amount] for m in figures.months]
            return table_response(
                request, title=_("Claims paid on time"), columns=_month_columns(), rows=rows, fmt=fmt,
                filename="claims-on-time",
            )  # fmt: skip
        rows = [
            [k.label, *k.by_state.values(), k.claims, k.amount_approved, k.amount_paid] for k in figures.kinds
        ]
        return table_response(
            request, title=_("Claims by benefit and state"), columns=_dashboard_columns(), rows=rows,
            fmt=fmt, filename="claims-by-kind",
        )  # fmt: skip
    kinds_chart = {
        "labels": [k.label for k in figures.kinds],
        "stacked": True,
        "series": [
            {
                "label": str(label),
                "data": [k.by_state[state] for k in figures.kinds],
                "color": STATE_COLORS[state],
            }
            for state, label in Claim.State.choices
        ],
    }
    months_chart = {
        "labels": [str(m.month) for m in figures.months],
        "stacked": True,
        "series": [
            {"label": _("Paid on time"), "data": [m.on_time for m in figures.months], "color": "#2e8b57"},
            {
                "label": _("Paid late"),
                "data": [m.paid - m.on_time for m in figures.months],
                "color": "#c0392b",
            },
        ],
    }
    context = {
        "figures": figures,
        "states": Claim.State.choices,
        "kinds_chart": kinds_chart,
        "months_chart": months_chart,
        "formats": EXPORT_FORMATS,
        "since": since,
    }
    return render(request, "claims/dashboard.html", context)


# -- payouts -----------------------------------------------------------------------------------------------


@roles_only(PAY_ROLES)
def payouts(request, scope):
    approved = (
        claims_visible(scope).filter(state=Claim.State.APPROVED).select_related("participant", "office")
    )
    if request.method == "POST":
        chosen = [int(pk) for pk in request.POST.getlist("claim") if pk.isdigit()]
        with transaction.atomic():
            payout = claims_pay(claims=approved.filter(pk__in=chosen), actor=request) if chosen else None
        if payout is None:
            messages.error(request, _("No approved claim was left to pay."))
            return redirect("claims:payouts")
        messages.success(
            request,
            _("Payout %(number)s: %(count)s claims paid.")
            % {"number": payout.pk, "count": payout.claims_count},
        )
        return redirect(reverse("claims:payouts") + f"#payout-{payout.pk}")
    context = {
        "approved": list(approved.order_by("number")[:500]),
        "approved_count": approved.count(),
        "approved_amount": approved.aggregate(total=Sum("amount"))["total"] or 0,
        "payouts": list(ClaimPayout.objects.order_by("-created_at", "-id")[:PAYOUT_LIST]),
    }
    return render(request, "claims/payouts.html", context)


@roles_only(PAY_ROLES)
def payout_file(request, scope, pk: int):
    """The payout file for the banks (CSV, one row per payee), written to the audit trail as an export."""
    payout = ClaimPayout.objects.filter(pk=pk).first()
    if payout is None:
        raise Http404
    body = payout_csv(payout)
    said = Said(
        gettext_noop("payout file %(number)s (%(count)s claims)"),
        {"number": payout.pk, "count": payout.claims_count},
    )
    audit_personal_data(request, "export", obj=payout, summary=said)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="claims-payout-{payout.pk}.csv"'
    return response
