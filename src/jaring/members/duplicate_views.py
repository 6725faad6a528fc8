"""The review queue of probable duplicates (/duplicates/): the pairs a staff member may review in three
tabs (to review, waiting for a second person, decided), highest score first, with the two names, masked
NIKs and why; one pair's page with the two records side by side (standing, coverage runs, ledger), the
reasons in words and the two choices, "the same person" and "different people", which go through
``members.services.duplicates.duplicate_decide`` (two people decide a pair at or above the rule's
threshold).

Staff roles read within their scope (``duplicate_queries.pairs_visible``: a pair outside it answers
404); administrators, regional and branch staff decide. Every view of a pair's page and every export of
the queue is written to the audit trail as personal data.

Above the queue, the latest scan of the user's offices (the whole registry for national roles) with its
progress, followed every 2 seconds while it waits or runs; those who decide start one
(``members.services.scans.duplicate_scan_request``), run by ``jaring worker``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit_personal_data
from jaring.accounts.models import STAFF_ROLES, Role
from jaring.accounts.scope import Scope, roles_only
from jaring.common.clock import local_date
from jaring.common.privacy import mask_nik
from jaring.members import duplicate_queries as queries
from jaring.members.models import DuplicateScan, ProbableDuplicate
from jaring.members.services.duplicates import duplicate_decide, matcher_rule
from jaring.members.services.scans import duplicate_scan_request
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response

REVIEW_ROLES = STAFF_ROLES
# Who decides pairs (in their scope); analysts, auditors and finance read.
DECIDE_ROLES = frozenset({Role.ADMIN, Role.REGIONAL_STAFF, Role.BRANCH_STAFF})


def _decides(scope: Scope) -> bool:
    return scope.role in DECIDE_ROLES


def _state_said(state: str) -> str:
    return str(ProbableDuplicate.State(state).label) if state else ""


def _two_people_threshold() -> float | None:
    try:
        return float(matcher_rule()["two_people_threshold"])
    except (LookupError, KeyError, TypeError, ValueError):
        return None


# -- the queue ---------------------------------------------------------------------------------------------


def _queue_columns() -> list[Column]:
    return [
        Column(_("Pair")),
        Column(_("Score (%)"), "percent"),
        Column(_("First participant")),
        Column(_("Number of the first")),
        Column(_("NIK of the first")),
        Column(_("Second participant")),
        Column(_("Number of the second")),
        Column(_("NIK of the second")),
        Column(_("Why")),
        Column(_("State")),
        Column(_("Proposed")),
        Column(_("Found"), "date"),
    ]


def _queue_row(pair: ProbableDuplicate) -> list:
    return [
        pair.pk,
        float(queries.score_percent(pair)),
        pair.first.name,
        pair.first.number,
        mask_nik(pair.first.nik),
        pair.second.name,
        pair.second.number,
        mask_nik(pair.second.nik),
        queries.reasons_summary(pair),
        _state_said(pair.state),
        _state_said(pair.proposed),
        local_date(pair.found_at),
    ]


@roles_only(REVIEW_ROLES)
def queue(request, scope):
    tab = request.GET.get("tab", queries.TO_REVIEW)
    fmt = export_format(request)
    found = queries.duplicates_queue(scope, tab=tab, limit=None if fmt else queries.QUEUE_LIMIT)
    if fmt is not None:
        return table_response(
            request,
            title=_("Probable duplicates: %(tab)s") % {"tab": queries.TABS[found.tab]},
            columns=_queue_columns(),
            rows=[_queue_row(pair) for pair in found.pairs],
            fmt=fmt,
            filename=f"probable-duplicates-{found.tab}",
            personal=True,
            model=ProbableDuplicate,
        )
    rows = [
        (
            pair,
            queries.score_percent(pair),
            mask_nik(pair.first.nik),
            mask_nik(pair.second.nik),
            queries.reasons_summary(pair),
        )
        for pair in found.pairs
    ]
    context = {
        "queue": found,
        "rows": rows,
        "tab_label": queries.TABS[found.tab],
        "formats": EXPORT_FORMATS,
        "label": scope.label,
        **_scan_context(scope),
    }
    return render(request, "members/duplicates.html", context)


# -- the scan in the background ------------------------------------------------------------------------------


def _scanned_office(scope: Scope):
    """What the page scans for the user: their office's subtree, the whole registry (None) for national
    roles."""
    return None if scope.is_national else scope.office


def _scan_context(scope: Scope) -> dict:
    office = _scanned_office(scope)
    latest = DuplicateScan.objects.filter(office=office).select_related("requested_by").first()
    asked_by = ""
    if latest is not None:
        asked_by = latest.requested_by.get_username() if latest.requested_by else _("the command line")
    return {
        "scan": latest,
        "scan_asked_by": asked_by,
        "scan_starts": _decides(scope) and (latest is None or not latest.working),
        "scan_scope": office.code if office is not None else _("the whole registry"),
    }


@roles_only(REVIEW_ROLES)
def scan(request, scope):
    """GET: the latest scan's part of the queue page (which htmx asks for every 2 seconds while the scan
    waits or runs). POST: those who decide pairs start a scan of their offices."""
    if request.method != "POST":
        return render(request, "members/_scan.html", _scan_context(scope))
    if not _decides(scope):
        raise Http404
    try:
        duplicate_scan_request(office=_scanned_office(scope), actor=request)
    except ValidationError as error:
        for problems in error.error_dict.values():
            for problem in problems:
                messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, _("The scan is asked for; this page shows its progress."))
    return redirect("duplicates:queue")


# -- one pair ----------------------------------------------------------------------------------------------

# The service's refusals, said on the page whatever language the service spoke in.
REFUSALS = {
    ("pair", "decided"): gettext_noop("This pair was decided already."),
    ("actor", "same_person"): gettext_noop(
        "You proposed the choice waiting for this pair: someone else confirms it or chooses otherwise."
    ),
    ("actor", "required"): gettext_noop("A pair is decided by a signed-in member of staff."),
}


def _pair_or_404(scope: Scope, pk: int) -> ProbableDuplicate:
    found = queries.pair_of(scope, pk)
    if found is None:
        raise Http404
    return found


def _decide(request, pair: ProbableDuplicate, same: bool) -> bool:
    """Records the choice; the service's refusal (a pair decided meanwhile, the proposer confirming their
    own proposal) is a message above the page."""
    try:
        decision = duplicate_decide(pair=pair, same=same, actor=request)
    except ValidationError as error:
        for name, problems in error.error_dict.items():
            for problem in problems:
                known = REFUSALS.get((name, problem.code))
                messages.error(request, _(known) if known else " ".join(problem.messages))
        return False
    choice = _("the same person") if same else _("different people")
    if decision.decided:
        messages.success(
            request, _("Pair %(pair)s is decided: %(choice)s.") % {"pair": pair.pk, "choice": choice}
        )
    else:
        messages.success(
            request,
            _("Your choice for pair %(pair)s (%(choice)s) waits for a second person to confirm it.")
            % {"pair": pair.pk, "choice": choice},
        )
    return True


def _side(scope: Scope, side: queries.Side) -> dict:
    person = side.participant
    return {
        "participant": person,
        "standing": getattr(person, "standing", None),
        "nik": scope.show_nik(person.nik),
        "phone": scope.show_phone(person.phone),
        "runs": side.runs,
        "ledger": [(entry, entry.first_month + max(entry.months - 1, 0)) for entry in side.ledger],
        "entries": side.entries,
    }


@roles_only(REVIEW_ROLES)
def pair(request, scope, pk: int):
    found = _pair_or_404(scope, pk)
    decides = _decides(scope)
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        if not decides or choice not in ("same", "different"):
            raise Http404
        _decide(request, found, same=choice == "same")
        return redirect("duplicates:pair", pk=found.pk)
    audit_personal_data(
        request, "view_personal_data", obj=found,
        summary=Said(gettext_noop("probable duplicate %(pair)s opened"), {"pair": str(found.pk)}),
    )  # fmt: skip
    first, second = (_side(scope, queries.pair_side(p)) for p in (found.first, found.second))
    threshold = _two_people_threshold()
    is_open = found.state == ProbableDuplicate.State.OPEN
    context = {
        "pair": found,
        "first": first,
        "second": second,
        "sides": (first, second),
        "reasons": queries.reasons_in_words(found),
        "score_pct": queries.score_percent(found),
        "two_people": threshold is not None and found.score >= threshold,
        "decides": decides and is_open,
        "is_open": is_open,
        "own_proposal": bool(found.proposed) and found.proposed_by_id == request.user.pk,
        "proposed_said": _state_said(found.proposed),
        "state_said": _state_said(found.state),
        "ledger_limit": queries.LEDGER_LIMIT,
        # a pair decided the same person is merged from here (members.merge_views)
        "merge": queries.merge_of(found),
        "merges": decides and found.state == ProbableDuplicate.State.SAME,
    }
    return render(request, "members/duplicate.html", context)
