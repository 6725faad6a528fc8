"""The desk: search, today's work at the outlet, the participant page and card.

Registration is in ``register.py``, payments and deposits in ``cashier.py``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from jaring.accounts.audit import Said, audit_personal_data
from jaring.accounts.scope import get_in_scope_or_404
from jaring.common.clock import local_date, month_of
from jaring.common.privacy import mask_nik, mask_phone
from jaring.contributions.models import Deposit, GroupMembership, Payment
from jaring.desk.access import (
    acting_agent,
    acting_outlets,
    default_outlet,
    desk_scope,
    participants_search,
    remember_outlet,
)
from jaring.desk.card import CardText, participant_card_pdf
from jaring.desk.coverage import MARKS, coverage_calendar
from jaring.desk.queries import desk_standing, payments_today, registrations_today
from jaring.desk.templatetags.desk import initials
from jaring.employers.views import registers_employers
from jaring.members.codes import participant_payment_code
from jaring.members.models import Participant
from jaring.rules.participant_number import participant_seq
from jaring.rules.payment_code import payment_code_shown
from jaring.web.tables import EXPORT_FORMATS, Column, table_response
from jaring.web.templatetags.jaring import tanggal


@login_required
def home(request):
    scope = desk_scope(request)
    outlets = acting_outlets(scope)
    if (code := request.GET.get("outlet")) and (chosen := outlets.filter(code=code).first()) is not None:
        remember_outlet(request, chosen)
    outlet = default_outlet(request, scope, outlets)

    query = request.GET.get("q", "").strip()
    found = participants_search(scope, query) if query else []
    # a list masks, whoever reads it (docs/security.md); the participant page shows and audits the rest
    results = [(p, mask_nik(p.nik), mask_phone(p.phone)) for p in found]

    registrations, payments = [], []
    if outlet is not None:
        agent = acting_agent(scope)
        registrations = list(registrations_today(scope, outlet=outlet, agent=agent))
        payments = list(payments_today(scope, outlet=outlet, agent=agent))
    # Payments taken here from workers registered elsewhere: their participant page is not the user's,
    # their receipt is.
    paid_by = {entry.participant_id for entry in payments}
    served = set()
    if paid_by:
        served = set(scope.participants().filter(pk__in=paid_by).values_list("pk", flat=True))
    export = request.GET.get("export")
    fmt = request.GET.get("format")
    if fmt in EXPORT_FORMATS and export in ("registrations", "payments") and outlet is not None:
        rows = registrations if export == "registrations" else payments
        return _today_export(request, outlet, export, rows, fmt, served=served)
    context = {
        "outlet": outlet,
        "outlets": outlets if len(outlets[:2]) > 1 else None,
        "query": query,
        "results": results,
        "registrations": registrations,
        "payments": [(entry, entry.participant_id in served) for entry in payments],
        "payments_total": sum(entry.amount for entry in payments),
        "today": local_date(),
        "formats": EXPORT_FORMATS,
        "registers_employers": registers_employers(request, scope),
    }
    return render(request, "desk/home.html", context)


def _today_export(request, outlet, which, rows, fmt, *, served: set[int]):
    """Today's registrations or payments at the outlet, the same rows as the page (a worker registered
    elsewhere named by initials, as on the page)."""
    day = local_date().isoformat()
    if which == "registrations":
        columns = [
            Column(_("Time")),
            Column(_("Participant number")),
            Column(_("Name")),
            Column(_("Programmes")),
            Column(_("Declared income"), "rupiah"),
        ]
        table = [(_clock(p.registered_at), p.number, p.name, p.programmes, p.declared_income) for p in rows]
        title = _("Registrations at %(outlet)s on %(day)s") % {"outlet": outlet.code, "day": day}
    else:
        columns = [
            Column(_("Time")),
            Column(_("Participant number")),
            Column(_("Name")),
            Column(_("Kind")),
            Column(_("First month")),
            Column(_("Months"), "count"),
            Column(_("Amount"), "rupiah"),
            Column(_("Reference")),
        ]
        table = [
            (_clock(e.paid_at), e.participant.number,
             e.participant.name if e.participant_id in served else initials(e.participant.name),
             e.get_kind_display(), str(e.first_month), e.months, e.amount, e.idempotency_key)
            for e in rows
        ]  # fmt: skip
        title = _("Payments at %(outlet)s on %(day)s") % {"outlet": outlet.code, "day": day}
    return table_response(
        request,
        title=title,
        columns=columns,
        rows=table,
        fmt=fmt,
        filename=f"desk-{which}-{outlet.code}",
        personal=True,
        model=Participant,
    )


def _clock(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _participant_or_404(scope, number: str) -> Participant:
    try:
        pk = participant_seq(number)
    except ValueError:
        raise Http404 from None
    related = Participant.objects.select_related(
        "standing", "outlet", "agent", "occupation", "village", "office"
    )
    return get_in_scope_or_404(scope.participants, related, pk=pk)


@login_required
def participant(request, number: str):
    scope = desk_scope(request)
    person = _participant_or_404(scope, number)
    status, owed, policy = desk_standing(person)
    calendar = coverage_calendar(
        status.runs, registered=person.registered_month, current=month_of(), policy=policy
    )
    ledger = list(
        Payment.objects.filter(participant=person)
        .select_related("outlet", "agent", "bill__payer")
        .order_by("paid_at", "id")
    )
    reversed_ids = {entry.reverses_id for entry in ledger if entry.reverses_id}
    deposits = Deposit.objects.filter(participant=person).select_related("outlet", "agent")
    memberships = GroupMembership.objects.filter(participant=person).select_related("group__payer")
    if scope.sees_personal_data:
        audit_personal_data(request, "view_personal_data", obj=person)
    context = {
        "participant": person,
        "nik": scope.show_nik(person.nik),
        "phone": scope.show_phone(person.phone),
        "status": status,
        "owed": owed,
        "calendar": calendar,
        "marks": MARKS,
        "ledger": [(entry, entry.pk in reversed_ids) for entry in ledger],
        "deposits": deposits,
        "memberships": memberships,
        "options": list(status.next_prices.items()),
        "payment_code": payment_code_shown(participant_payment_code(person)),
        "claims": _claims_of(scope, person),
    }
    return render(request, "desk/participant.html", context)


def _claims_of(scope, person: Participant) -> list[tuple]:
    """The participant's claims, each with whether the viewer may open its page (claims pages are for
    staff whose scope holds the claim's office)."""
    from jaring.claims.queries import claims_visible, participant_claims
    from jaring.claims.views import CLAIM_ROLES

    claims = list(participant_claims(person))
    opened = set()
    if claims and scope.role in CLAIM_ROLES:
        opened = set(claims_visible(scope, participant_claims(person)).values_list("pk", flat=True))
    return [(claim, claim.pk in opened) for claim in claims]


@login_required
def jht(request, number: str):
    """The participant's JHT balance statement (PDF), to hand over at the counter; audited as an export."""
    from jaring.claims.statements import jht_statement, jht_statement_pdf

    person = _participant_or_404(desk_scope(request), number)
    body = jht_statement_pdf(jht_statement(person), language=get_language() or "id")
    said = Said(gettext_noop("JHT balance statement (PDF)"))
    audit_personal_data(request, "export", obj=person, summary=said)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="saldo-jht-{person.number}.pdf"'
    return response


@login_required
def card(request, number: str):
    scope = desk_scope(request)
    person = _participant_or_404(scope, number)
    text = CardText(
        title=_("BPJS Ketenagakerjaan participant card"),
        name=person.name,
        number_label=_("Participant number"),
        number=person.number,
        programmes_label=_("Programmes"),
        programmes=person.programmes.replace("+", " + "),
        registered_label=_("Registered"),
        registered=tanggal(person.registered_at),
        outlet_label=_("Registered at"),
        outlet=f"{person.outlet.name} ({person.outlet.code})",
        code_label=_("Payment code"),
        code=participant_payment_code(person),
    )
    body = participant_card_pdf(text)
    audit_personal_data(request, "export", obj=person, summary=Said(gettext_noop("participant card (PDF)")))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kartu-peserta-{person.number}.pdf"'
    return response
