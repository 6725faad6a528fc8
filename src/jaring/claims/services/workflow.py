"""A claim after its submission: documents (the checklist), verify, decide (approve or reject, by
someone other than the verifier), pay (a payout for the banks); approving a death claim ends the
participant's membership (``participant_deceased``)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.claims.models import Claim, ClaimDocument, ClaimPayout
from jaring.claims.rulebook import claim_rules
from jaring.common.clock import local_date
from jaring.common.documents import document_bytes, document_kept, document_problem
from jaring.common.errors import Problem, problems_error
from jaring.common.text import has_control_character
from jaring.contributions.models import CoverageRun
from jaring.members.models import Participant, Standing
from jaring.rules.months import Month
from jaring.rules.workdays import add_working_days

REASON_MAX = 300
DOCUMENT_DIR = "claims"


# -- documents and the workflow ------------------------------------------------------------------------------
def documents_missing(claim: Claim) -> list[str]:
    """The checklist's document kinds not yet uploaded."""
    have = set(claim.documents.values_list("kind", flat=True))
    return [kind for kind in claim.decision.get("documents", []) if kind not in have]


def _holidays(start: date) -> set[date]:
    from jaring.reminders.queries import holidays_in

    return set(holidays_in(range(start.year, start.year + 2)))


def due_day(claim: Claim, complete_on: date) -> date:
    """The last working day to pay a claim whose file was complete on ``complete_on``."""
    days = claim_rules().working_days(claim.kind, complete_on)
    return add_working_days(complete_on, days, _holidays(complete_on))


@transaction.atomic
def claim_document_add(
    *, claim: Claim, kind: str, content, actor, now: datetime | None = None
) -> ClaimDocument:
    """Keeps a document of the checklist's ``kind`` (PDF, JPEG or PNG, at most 10 MB) for a claim not yet
    decided; when it completes the checklist, the claim is complete and its due day is set."""
    now = now or timezone.now()
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    problems: list[Problem] = []
    if claim.state not in (Claim.State.SUBMITTED, Claim.State.COMPLETE):
        problems.append(Problem("state", "decided", _("Documents are added before the claim is verified.")))
    if kind not in claim.decision.get("documents", []):
        problems.append(Problem("kind", "invalid", _("Choose a document of the checklist.")))
    content = document_bytes(content)
    if (problem := document_problem(content)) is not None:
        problems.append(problem)
    if problems:
        raise problems_error(problems)
    with document_kept(content, f"{DOCUMENT_DIR}/{claim.pk}") as stored:
        user = user_of(actor)
        document = ClaimDocument.objects.create(
            claim=claim,
            kind=kind,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            path=stored.path,
            uploaded_at=now,
            uploaded_by=user if getattr(user, "pk", None) else None,
        )
        audit(
            actor,
            "create",
            obj=document,
            summary=Said(
                gettext_noop("document %(kind)s added to claim %(number)s"),
                {"kind": kind, "number": claim.number},
            ),
        )
        if claim.state == Claim.State.SUBMITTED and not documents_missing(claim):
            claim.state = Claim.State.COMPLETE
            claim.complete_on = local_date(now)
            claim.due_on = due_day(claim, claim.complete_on)
            claim.save(update_fields=["state", "complete_on", "due_on"])
            audit(
                actor,
                "update",
                obj=claim,
                after={"state": claim.state, "due_on": claim.due_on},
                summary=Said(
                    gettext_noop("claim %(number)s complete, to be paid by %(day)s"),
                    {"number": claim.number, "day": claim.due_on.isoformat()},
                ),
            )
    return document


def _locked(claim: Claim, state: str, message: str) -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.state != state:
        raise problems_error([Problem("state", "wrong_state", message)])
    return claim


@transaction.atomic
def claim_verify(*, claim: Claim, actor, now: datetime | None = None) -> Claim:
    """The file checked against the documents: a complete claim becomes verified by ``actor``."""
    claim = _locked(claim, Claim.State.COMPLETE, _("Only a claim with every document can be verified."))
    user = user_of(actor)
    claim.state, claim.verified_at = Claim.State.VERIFIED, now or timezone.now()
    claim.verified_by = user if getattr(user, "pk", None) else None
    claim.save(update_fields=["state", "verified_at", "verified_by"])
    audit(
        actor,
        "update",
        obj=claim,
        after={"state": claim.state},
        summary=Said(gettext_noop("claim %(number)s verified"), {"number": claim.number}),
    )
    return claim


@transaction.atomic
def claim_decide(
    *, claim: Claim, approve: bool, reason: str = "", actor, now: datetime | None = None
) -> Claim:
    """Approves or rejects (with a reason) a verified claim, by someone other than its verifier
    (maker-checker). Approving a death claim records the participant's death."""
    now = now or timezone.now()
    claim = _locked(claim, Claim.State.VERIFIED, _("Only a verified claim can be approved or rejected."))
    user = user_of(actor)
    problems = []
    if not getattr(user, "pk", None):
        problems.append(Problem("actor", "required", _("A claim is decided by a signed-in member of staff.")))
    elif claim.verified_by_id == user.pk:
        problems.append(
            Problem("actor", "same_person", _("The person who verified a claim cannot also decide it."))
        )
    reason = " ".join((reason or "").split())
    if not approve and not reason:
        problems.append(Problem("reason", "required", _("Give the reason for rejecting the claim.")))
    elif len(reason) > REASON_MAX or has_control_character(reason):
        problems.append(Problem("reason", "invalid", _("A reason is at most 300 characters.")))
    if problems:
        raise problems_error(problems)
    claim.state = Claim.State.APPROVED if approve else Claim.State.REJECTED
    claim.decided_at, claim.decided_by, claim.reason = now, user, reason
    claim.save(update_fields=["state", "decided_at", "decided_by", "reason"])
    what = gettext_noop("claim %(number)s approved") if approve else gettext_noop("claim %(number)s rejected")
    audit(
        actor,
        "update",
        obj=claim,
        after={"state": claim.state, "reason": reason},
        summary=Said(what, {"number": claim.number}),
    )
    if approve and claim.death:
        participant_deceased(
            participant=claim.participant, died_on=local_date(claim.incident_at), actor=actor
        )
    return claim


def participant_deceased(*, participant: Participant, died_on: date, actor) -> None:
    """Ends the participant's membership from ``died_on``: the standing says deceased for good (the
    month-end run, bills, reminders and worklists leave them out) and coverage after the month of death
    is cut, with its coverage deltas, so the active counts stop including them. In the caller's
    transaction."""
    from jaring.rules.coverage import Run
    from jaring.tallies.writer import DIED, TallyBatch, Who

    standing = Standing.objects.select_for_update().get(participant_id=participant.pk)
    if standing.status == Participant.Status.DECEASED:
        return
    month = Month.from_date(died_on)
    runs = list(CoverageRun.objects.filter(participant_id=participant.pk).order_by("first_month"))
    old = tuple(Run(run.first_month, run.last_month) for run in runs)
    kept = []
    for run in runs:
        if run.first_month > month:
            run.delete()
        elif run.last_month > month:
            run.last_month = month
            run.save(update_fields=["last_month"])
            kept.append(run)
        else:
            kept.append(run)
    new = tuple(Run(run.first_month, run.last_month) for run in kept)
    batch = TallyBatch()
    batch.add(DIED, died_on, Who.of(participant), count=-1)
    if new != old:
        batch.coverage(Who.of(participant), old, new)
    batch.write()
    standing.status, standing.died_on = Participant.Status.DECEASED, died_on
    standing.paid_through = new[-1].last if new else None
    standing.save(update_fields=["status", "died_on", "paid_through"])
    audit(
        actor,
        "update",
        obj=participant,
        after={"status": "deceased", "died_on": died_on},
        summary=Said(
            gettext_noop("participant %(number)s deceased on %(day)s"),
            {"number": participant.number, "day": died_on.isoformat()},
        ),
    )


@transaction.atomic
def claims_pay(*, claims, actor, by: str = "", now: datetime | None = None) -> ClaimPayout | None:
    """Puts every approved claim of ``claims`` (a queryset) into a new payout and marks them paid; None when
    there is nothing to pay (so running it again adds nothing)."""
    now = now or timezone.now()
    # the claims' rows alone are locked (PostgreSQL locks no nullable side of an outer join)
    due = list(
        claims.select_related(None).select_for_update().filter(state=Claim.State.APPROVED).order_by("number")
    )
    if not due:
        return None
    user = user_of(actor)
    payout = ClaimPayout.objects.create(
        created_by=by or (user.get_username() if getattr(user, "is_authenticated", False) else ""),
        claims_count=len(due),
        amount=sum(claim.amount for claim in due),
    )
    Claim.objects.filter(pk__in=[claim.pk for claim in due]).update(
        state=Claim.State.PAID, paid_at=now, payout=payout
    )
    audit(
        actor,
        "create",
        obj=payout,
        after={"claims": payout.claims_count, "amount": payout.amount},
        summary=Said(gettext_noop("payout of %(count)s claims"), {"count": payout.claims_count}).noted(by),
    )
    return payout
