"""The claims pages (/claims/): the queue of the viewer's offices (due today, late in working days,
waiting for documents, to verify, to decide, to pay), a claim typed by branch staff from the claimant's
papers, one claim with its decision, lines, heirs and document checklist, the dashboard, and the payouts
finance makes. Staff roles read within their scope (a claim outside it answers 404, a document too);
administrators, regional and branch staff submit, upload, verify and decide; finance and administrators
pay. Every write goes through ``claims.services``."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit_personal_data
from jaring.accounts.models import STAFF_ROLES, Role
from jaring.accounts.scope import Scope, roles_only
from jaring.claims.forms import (
    ClaimForm,
    DocumentForm,
    RejectForm,
    child_forms,
    errors_spread,
    heir_forms,
)
from jaring.claims.models import Claim, ClaimDocument
from jaring.claims.queries import (
    SECTION_LIMIT,
    Late,
    claim_offices,
    claims_queue,
    claims_visible,
)
from jaring.claims.rulebook import NoRule, claim_rules
from jaring.claims.services import (
    claim_check,
    claim_decide,
    claim_document_add,
    claim_submit,
    claim_verify,
    documents_missing,
)
from jaring.claims.words import (
    COMPONENTS,
    COVER_REASONS,
    DOCUMENTS,
    PAYEES,
    RELATIONS,
    SCHOLARSHIP_REFUSALS,
    SECTIONS,
    TRIGGERS,
)
from jaring.common.clock import local_date
from jaring.common.documents import DOCUMENT_MAX_BYTES, document_file
from jaring.common.errors import IdempotencyConflict, problems_error
from jaring.common.privacy import mask_nik
from jaring.members.queries import participant_find
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response

CLAIM_ROLES = STAFF_ROLES
# Who submits claims, adds their documents, verifies and decides them (in their scope).
WRITING_ROLES = frozenset({Role.ADMIN, Role.REGIONAL_STAFF, Role.BRANCH_STAFF})
# Who opens a claim's documents: those who act on claims, and auditors.
DOCUMENT_ROLES = WRITING_ROLES | {Role.AUDITOR}
# Who pays approved claims and takes the payout file.
PAY_ROLES = frozenset({Role.FINANCE, Role.ADMIN})
EXPORT_LIMIT = 20_000  # rows of each queue section in an export


def _said(words: dict, code) -> str:
    return str(words.get(code, code or ""))


def _writes(scope: Scope) -> bool:
    return scope.role in WRITING_ROLES


def _kind_filter(request) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in Claim.Kind.values else ""


# -- the queue ---------------------------------------------------------------------------------------------


def _queue_columns() -> list[Column]:
    return [
        Column(_("Section")),
        Column(_("Claim")),
        Column(_("Benefit")),
        Column(_("State")),
        Column(_("Participant number")),
        Column(_("Name")),
        Column(_("Amount"), "rupiah"),
        Column(_("Submitted"), "date"),
        Column(_("Due on"), "date"),
        Column(_("Working days late"), "count"),
    ]


def _claim_and_lateness(item) -> tuple[Claim, int | None]:
    return (item.claim, item.working_days) if isinstance(item, Late) else (item, None)


@roles_only(CLAIM_ROLES)
def home(request, scope):
    today = local_date()
    kind = _kind_filter(request)
    fmt = export_format(request)
    limit = EXPORT_LIMIT if fmt else SECTION_LIMIT
    queue = claims_queue(claim_offices(scope), today, kind=kind, limit=limit)
    if fmt is not None:
        rows = []
        for name, section in queue.sections():
            for claim, late in map(_claim_and_lateness, section.claims):
                rows.append([
                    str(SECTIONS[name]), claim.number, claim.kind, claim.get_state_display(),
                    claim.participant.number, claim.participant.name, claim.amount,
                    local_date(claim.submitted_at), claim.due_on, late,
                ])  # fmt: skip
        return table_response(
            request, title=_("Claims queue"), columns=_queue_columns(), rows=rows, fmt=fmt,
            filename="claims-queue", period=today.isoformat(), personal=True, model=Claim,
        )  # fmt: skip
    sections = [
        (name, SECTIONS[name], section.total, [_claim_and_lateness(item) for item in section.claims])
        for name, section in queue.sections()
    ]
    context = {
        "queue": queue,
        "sections": sections,
        "kind": kind,
        "kinds": Claim.Kind.choices,
        "formats": EXPORT_FORMATS,
        "writes": _writes(scope),
        "pays": scope.role in PAY_ROLES,
        "label": scope.label,
    }
    return render(request, "claims/home.html", context)


# -- a new claim -------------------------------------------------------------------------------------------


def _relations(today: date) -> list[tuple[str, str]]:
    try:
        order = claim_rules().heir_order(today)
    except NoRule:
        order = list(RELATIONS)
    return [(code, _said(RELATIONS, code)) for code in order]


@roles_only(WRITING_ROLES)
def new(request, scope):
    relations = _relations(local_date())
    data = request.POST if request.method == "POST" else None
    form, heirs, children = ClaimForm(data), heir_forms(data, relations=relations), child_forms(data)
    status = 200
    if request.method == "POST":
        status = 400
        typed = all([form.is_valid(), *(f.is_valid() for f in heirs)])
        kids_typed = all([f.is_valid() for f in children])
        if typed and not kids_typed:
            _check(scope, form, heirs, children)  # the service's errors too, in the same answer
        elif typed and (claim := _submit(request, scope, form, heirs, children)) is not None:
            if claims_visible(scope).filter(pk=claim.pk).exists():
                return redirect("claims:claim", number=claim.number)
            messages.success(request, _("Claim %(number)s is recorded.") % {"number": claim.number})
            return redirect("claims:home")
    context = {
        "form": form,
        "heirs": heirs,
        "children": children,
        "jkk_fields": [form[name] for name in ClaimForm.JKK_FIELDS],
        "jht_fields": [form[name] for name in ClaimForm.JHT_FIELDS],
        "account_fields": [form[name] for name in ClaimForm.ACCOUNT_FIELDS],
    }
    return render(request, "claims/new.html", context, status=status)


def _in_scope(scope: Scope, form: ClaimForm) -> bool:
    """Someone outside the staff member's scope is answered like someone unknown."""
    typed = "".join(form.cleaned_data["participant"].split())
    if typed and participant_find(typed, queryset=scope.participants()) is None:
        form.add_error("participant", _("No participant has this NIK or participant number."))
        return False
    return True


def _check(scope: Scope, form: ClaimForm, heirs, children) -> None:
    """The service's errors of a form whose children rows are not yet readable (nothing is written)."""
    if not _in_scope(scope, form):
        return
    rows = [index for index, heir in enumerate(heirs) if not heir.is_blank()]
    plan = claim_check(form.request(heirs=[heirs[i].heir() for i in rows], children=[]), book=claim_rules(),
                       now=timezone.now())  # fmt: skip
    if isinstance(plan, list):
        errors_spread(problems_error(plan), form, heirs, rows, children)


def _submit(request, scope: Scope, form: ClaimForm, heirs, children) -> Claim | None:
    """The claim the form describes, recorded once (the hidden key makes a second submit return the
    first); None with the errors on the form's fields."""
    if not _in_scope(scope, form):
        return None
    rows = [index for index, heir in enumerate(heirs) if not heir.is_blank()]
    child_rows = [index for index, child in enumerate(children) if not child.is_blank()]
    kids = [children[i].child() for i in child_rows]
    request_ = form.request(heirs=[heirs[i].heir() for i in rows], children=kids)
    try:
        claim = claim_submit(request=request_, actor=request)
    except IdempotencyConflict:
        form.add_error(None, _("This form was already sent with other values: open a new form."))
        return None
    except ValidationError as error:
        errors_spread(error, form, heirs, rows, children, child_rows)
        return None
    if not claim.eligible:
        messages.warning(
            request, _("Claim %(number)s is recorded and refused: %(reason)s.")
            % {"number": claim.number, "reason": _(claim.reason)},
        )  # fmt: skip
    else:
        messages.success(request, _("Claim %(number)s is recorded.") % {"number": claim.number})
    return claim


# -- one claim ---------------------------------------------------------------------------------------------


def _claim_or_404(scope: Scope, number: str) -> Claim:
    found = (
        claims_visible(scope)
        .select_related("participant", "office", "outlet", "submitted_by", "verified_by", "decided_by")
        .filter(number=number.upper())
        .first()
    )
    if found is None:
        raise Http404
    return found


def _decision(claim: Claim) -> dict:
    """The decision in words: the cover and its reason, the payments it was read from, the trigger of
    a JHT withdrawal, the scholarship, the rules used."""
    decision = claim.decision or {}
    cover = decision.get("cover")
    trigger = decision.get("trigger")
    scholarship = decision.get("scholarship")
    if cover and cover.get("paid_at"):
        cover = {**cover, "paid_at": _moment(cover["paid_at"])}
    payments = [{**p, "paid_at": _moment(p.get("paid_at"))} for p in decision.get("payments", [])]
    return {
        "month": decision.get("month"),
        "cover": cover,
        "cover_reason": _said(COVER_REASONS, cover["reason"]) if cover else "",
        "payments": payments,
        "trigger": trigger,
        "trigger_label": _said(TRIGGERS, trigger["trigger"]) if trigger else "",
        "scholarship": scholarship,
        "scholarship_refusal": _said(SCHOLARSHIP_REFUSALS, scholarship.get("refusal")) if scholarship else "",
        "jht": decision.get("jht", []),
        "rules": decision.get("rules", []),
    }


def _moment(text):
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _checklist(claim: Claim) -> list[tuple[str, str, list[ClaimDocument]]]:
    documents = list(claim.documents.order_by("uploaded_at", "id"))
    return [
        (kind, _said(DOCUMENTS, kind), [d for d in documents if d.kind == kind])
        for kind in claim.decision.get("documents", [])
    ]


@roles_only(CLAIM_ROLES)
def claim(request, scope, number: str):
    found = _claim_or_404(scope, number)
    writes = _writes(scope)
    kinds = [(kind, _said(DOCUMENTS, kind)) for kind in found.decision.get("documents", [])]
    document_form, reject_form = DocumentForm(kinds=kinds, prefix="d"), RejectForm(prefix="r")
    status = 200
    if request.method == "POST":
        if not writes:
            raise Http404
        action = request.POST.get("action", "")
        if action == "document":
            document_form = DocumentForm(request.POST, request.FILES, kinds=kinds, prefix="d")
            done = _document(request, found, document_form)
        elif action in ("verify", "approve", "reject"):
            reject_form = RejectForm(request.POST, prefix="r")
            done = _act(request, found, action, reject_form)
        else:
            raise Http404
        if done:
            return redirect("claims:claim", number=found.number)
        status = 400
        found = _claim_or_404(scope, number)
    audit_personal_data(
        request, "view_personal_data", obj=found,
        summary=Said(gettext_noop("claim %(number)s opened"), {"number": found.number}),
    )  # fmt: skip
    lines = list(found.lines.all())
    context = {
        "claim": found,
        "nik": mask_nik(found.participant.nik),
        "decision": _decision(found),
        "lines": [(line, _said(COMPONENTS, line.component), _said(PAYEES, line.payee)) for line in lines],
        "heirs": [(heir, mask_nik(heir.nik), _said(RELATIONS, heir.relation)) for heir in found.heirs.all()],
        "checklist": _checklist(found),
        "missing": documents_missing(found),
        "documents_open": scope.role in DOCUMENT_ROLES,
        "writes": writes,
        "uploads": writes and found.state in (Claim.State.SUBMITTED, Claim.State.COMPLETE),
        "verifies": writes and found.state == Claim.State.COMPLETE,
        "decides": writes and found.state == Claim.State.VERIFIED,
        "document_form": document_form,
        "reject_form": reject_form,
        "max_mb": DOCUMENT_MAX_BYTES // (1024 * 1024),
        "trigger": _said(TRIGGERS, found.jht_trigger),
    }
    return render(request, "claims/claim.html", context, status=status)


def _document(request, claim: Claim, form: DocumentForm) -> bool:
    if not form.is_valid():
        return False
    try:
        claim_document_add(
            claim=claim, kind=form.cleaned_data["kind"], content=form.cleaned_data["file"], actor=request
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    messages.success(request, _("The document is kept."))
    return True


def _act(request, claim: Claim, action: str, reject_form: RejectForm) -> bool:
    """Verifies, approves or rejects; an error of no field of the form (the same person, a claim that
    moved on) is a message above the page."""
    if action == "reject" and not reject_form.is_valid():
        return False
    try:
        if action == "verify":
            claim_verify(claim=claim, actor=request)
            said = _("Claim %(number)s is verified.")
        elif action == "approve":
            claim_decide(claim=claim, approve=True, actor=request)
            said = _("Claim %(number)s is approved.")
        else:
            claim_decide(claim=claim, approve=False, reason=reject_form.cleaned_data["reason"], actor=request)
            said = _("Claim %(number)s is rejected.")
    except ValidationError as error:
        for name, problems in error.error_dict.items():
            if name == "reason":
                reject_form.add_error("reason", problems)
            else:
                for problem in problems:
                    messages.error(request, " ".join(problem.messages))
        return False
    messages.success(request, said % {"number": claim.number})
    return True


@roles_only(DOCUMENT_ROLES)
def document(request, scope, number: str, pk: int):
    """A document of a claim the user sees, served from outside the static files after that check and
    written to the audit trail as viewed; 404 for anything else."""
    found = _claim_or_404(scope, number)
    kept = ClaimDocument.objects.filter(pk=pk, claim=found).first()
    if kept is None:
        raise Http404
    path = document_file(kept.path, "claims")
    if path is None:
        raise Http404
    said = Said(
        gettext_noop("document %(kind)s of claim %(number)s opened"),
        {"kind": kept.kind, "number": found.number},
    )
    audit_personal_data(request, "view_personal_data", obj=kept, summary=said)
    response = FileResponse(
        path.open("rb"),
        content_type=kept.content_type,
        as_attachment=False,
        filename=f"{found.number}-{kept.kind}-{kept.pk}{path.suffix}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
