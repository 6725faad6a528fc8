"""The payers pages: the groups a payer pays for, its monthly bills and their lines, with exports.

A payer user sees its own payer (``/payers/`` takes it there); staff see the payers of their scope
(``Scope.payers``) and open each. A payer, bill or month outside the scope is a 404. Members and bill
lines are lists: their NIKs are masked whoever reads them, as every list (docs/security.md); a file of
them taken by a role with personal-data rights is written to the audit trail as ``export``, as before.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from jaring.accounts.models import Role
from jaring.accounts.scope import Scope, get_in_scope_or_404, scope_for
from jaring.common.privacy import mask_nik
from jaring.common.replica import reads_from_replica
from jaring.contributions.models import Bill, BillLine, GroupMembership, Payer
from jaring.members.models import Participant
from jaring.members.queries import participant_matching
from jaring.rules.months import Month
from jaring.web.invoice import bill_reference, invoice_pdf_bytes
from jaring.web.tables import Column, export_audit, export_format, table_response

MEMBERS_PER_PAGE = 100


def _scope_or_404(request) -> Scope:
    scope = scope_for(request.user)
    if scope.is_empty:
        raise Http404
    return scope


@require_GET
@login_required
@reads_from_replica
def payer_list(request):
    """Staff: the payers of the scope. A payer user goes straight to its own page."""
    scope = _scope_or_404(request)
    if scope.role == Role.PAYER:
        return redirect("web:payer", code=scope.payer.code)
    payers = list(scope.payers().order_by("code"))
    members = dict(
        GroupMembership.objects.filter(group__payer__in=payers)
        .order_by()
        .values_list("group__payer_id")
        .annotate(n=Count("pk"))
    )
    bills = {
        row["payer_id"]: row
        for row in Bill.objects.filter(payer__in=payers)
        .order_by()
        .values("payer_id")
        .annotate(
            issued=Count("pk"),
            unpaid=Sum("amount", filter=Q(status=Bill.Status.ISSUED), default=0),
        )
    }
    rows = [
        (
            payer.code,
            payer.name,
            payer.get_kind_display(),
            members.get(payer.pk, 0),
            bills.get(payer.pk, {}).get("issued", 0),
            bills.get(payer.pk, {}).get("unpaid", 0),
        )
        for payer in payers
    ]
    columns = [
        Column(_("Code")),
        Column(_("Payer")),
        Column(_("Kind")),
        Column(_("Members"), "count"),
        Column(_("Bills"), "count"),
        Column(_("Unpaid"), "rupiah"),
    ]
    if fmt := export_format(request):
        return table_response(
            request, title=_("Payers"), columns=columns, rows=rows, fmt=fmt, filename="payers"
        )
    return render(request, "web/payers.html", {"columns": columns, "rows": rows})


def _member_rows(scope: Scope, payer: Payer, search: str = "") -> list[tuple]:
    """The members of ``payer``'s groups the scope sees, NIK masked; with ``search``, those it matches
    as the desk's search does (``participant_matching``)."""
    memberships = (
        # staff see a payer's members they serve, not all of them (a payer may pay across branches)
        GroupMembership.objects.filter(group__payer=payer, participant__in=scope.participants().values("pk"))
        .select_related("group", "participant__standing")
        .order_by("group__name", "participant__name", "participant_id")
    )
    if search.strip():
        matching = participant_matching(search, via="participant__")
        memberships = memberships.filter(matching) if matching is not None else memberships.none()
    return [
        (
            membership.group.name,
            membership.participant.number,
            membership.participant.name,
            mask_nik(membership.participant.nik),
            str(membership.first_month),
            str(membership.last_month) if membership.last_month else "",
            membership.participant.standing.get_status_display(),
        )
        for membership in memberships
    ]


MEMBER_COLUMNS = (
    Column(_("Group")),
    Column(_("Participant number")),
    Column(_("Name")),
    Column("NIK"),
    Column(_("From")),
    Column(_("Until")),
    Column(_("Status")),
)


def _bill_rows(payer: Payer) -> list[tuple]:
    bills = payer.bills.annotate(line_count=Count("lines")).order_by("-month")
    return [
        (
            str(bill.month),
            bill.line_count,
            bill.amount,
            bill.get_status_display(),
            timezone.localtime(bill.paid_at).date() if bill.paid_at else None,
        )
        for bill in bills
    ]


BILL_COLUMNS = (
    Column(_("Month")),
    Column(_("Lines"), "count"),
    Column(_("Amount"), "rupiah"),
    Column(_("Status")),
    Column(_("Paid on"), "date"),
)


@require_GET
@login_required
@reads_from_replica
def payer_detail(request, code: str):
    """A payer's groups and members, and its bills; ``?format=csv|xlsx&table=members|bills`` exports."""
    scope = _scope_or_404(request)
    payer = get_in_scope_or_404(scope.payers, Payer.objects.all(), code=code)
    search = request.GET.get("q", "")
    members = _member_rows(scope, payer, search)
    bills = _bill_rows(payer)
    if fmt := export_format(request):
        if request.GET.get("table") == "bills":
            title = _("Bills of %(payer)s") % {"payer": payer.name}
            return table_response(
                request,
                title=title,
                columns=BILL_COLUMNS,
                rows=bills,
                fmt=fmt,
                filename=f"bills-{payer.code}",
            )
        title = _("Members of %(payer)s") % {"payer": payer.name}
        return table_response(
            request,
            title=title,
            columns=MEMBER_COLUMNS,
            rows=members,
            fmt=fmt,
            filename=f"members-{payer.code}",
            personal=scope.sees_personal_data,
            model=Participant,
        )
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    groups = payer.groups.annotate(members=Count("memberships")).order_by("name")
    return render(
        request,
        "web/payers_detail.html",
        {
            "payer": payer,
            "groups": groups,
            "member_columns": MEMBER_COLUMNS,
            "members": page,
            "search": search,
            "bill_columns": BILL_COLUMNS,
            "bills": bills,
            "own": scope.role == Role.PAYER,
        },
    )


LINE_COLUMNS = (
    Column(_("Participant number")),
    Column(_("Name")),
    Column("NIK"),
    Column(_("Amount"), "rupiah"),
)


def _bill_and_rows(request, code: str, month: str) -> tuple[Scope, Bill, list[tuple]]:
    """The bill of ``code`` for ``month`` in the user's scope (else 404) and its lines in the scope."""
    scope = _scope_or_404(request)
    try:
        month_value = Month.parse(month)
    except ValueError:
        raise Http404 from None
    bill = get_in_scope_or_404(
        scope.bills, Bill.objects.select_related("payer__outlet"), payer__code=code, month=month_value
    )
    lines = (
        BillLine.objects.filter(bill=bill, participant__in=scope.participants().values("pk"))
        .select_related("participant")
        .order_by("participant__name", "participant_id")
    )
    rows = [
        (line.participant.number, line.participant.name, mask_nik(line.participant.nik), line.amount)
        for line in lines
    ]
    return scope, bill, rows


@require_GET
@login_required
@reads_from_replica
def bill_detail(request, code: str, month: str):
    """One monthly bill with its lines (one per member not yet covered that month)."""
    scope, bill, rows = _bill_and_rows(request, code, month)
    if fmt := export_format(request):
        title = _("Bill %(payer)s %(month)s") % {"payer": bill.payer.code, "month": bill.month}
        return table_response(
            request,
            title=title,
            columns=LINE_COLUMNS,
            rows=rows,
            fmt=fmt,
            filename=f"bill-{bill.payer.code}-{bill.month}",
            personal=scope.sees_personal_data,
            model=Participant,
        )
    return render(
        request,
        "web/payers_bill.html",
        {
            "bill": bill,
            "payer": bill.payer,
            "columns": LINE_COLUMNS,
            "rows": rows,
            "reference": bill_reference(bill),
        },
    )


@require_GET
@login_required
@reads_from_replica
def bill_pdf(request, code: str, month: str):
    """The bill as an A4 invoice with its lines and how to pay it; audited as an export of personal data
    for the roles that have such rights, as the bill's CSV is."""
    scope, bill, rows = _bill_and_rows(request, code, month)
    if scope.sees_personal_data:
        export_audit(request, title=bill_reference(bill), rows=len(rows), fmt="pdf", model=Participant)
    response = HttpResponse(invoice_pdf_bytes(bill, rows), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tagihan-{bill.payer.code}-{bill.month}.pdf"'
    return response
