"""Merging two records of one person (issue #19, part 4), once staff decided they are the same person.

One participant number survives; the other record stays, marked ``merged``, and answers with a pointer to
the survivor (``Standing.merged_into``): its NIK and number still find the person. Through the one ledger
path (``contributions.services.moves``): the merged record's entries are reversed on its side and recorded
again on the survivor's, in the month of the merge; the months both records had paid are not recorded
twice, and their amount becomes a credit to the survivor's balance or a refund owed, as the merge rule in
force says (``rules/data/duplicates.json``, kind ``merge``). The merged record's deposit balance, claims
and payer groups move; its registration is taken out of the tallies by a -1 on the day of the merge (the
acquisition it credited is corrected in the current month, never in the past). Nothing is ever merged
automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.common.clock import local_date
from jaring.common.errors import Problem, problems_error
from jaring.members.models import Participant, ParticipantMerge, ProbableDuplicate, Standing

REASON_LENGTH = 200


@dataclass(frozen=True)
class MergeResult:
    merge: ParticipantMerge
    created: bool  # False: the record had been merged into the same survivor before (a retry)


def merge_rule(day=None) -> dict:
    """What the merge rule in force says (``DuplicateRule`` of kind ``merge``): ``double_paid`` is
    ``credit`` (the survivor's balance, which buys the next months) or ``refund`` (owed to the worker).
    The rule as shipped when no row is in force."""
    from jaring.members.services.duplicates import duplicate_rule

    return duplicate_rule("merge", day)


def survivor_of(participant: Participant) -> Participant | None:
    """The record a merged participant points at, following merges of merges; None for a record that was
    not merged."""
    seen = {participant.pk}
    current = None
    pointer = Standing.objects.filter(pk=participant.pk).values_list("merged_into_id", flat=True).first()
    while pointer is not None and pointer not in seen:
        seen.add(pointer)
        current = pointer
        pointer = Standing.objects.filter(pk=pointer).values_list("merged_into_id", flat=True).first()
    return None if current is None else Participant.objects.get(pk=current)


def participant_merge(
    *,
    survivor: Participant,
    absorbed: Participant,
    actor,
    reason: str = "",
    now: datetime | None = None,
) -> MergeResult:
    """Merges ``absorbed`` into ``survivor``, two records staff decided are one person (their probable
    duplicate pair decided "the same person"). Raises ``ValidationError`` with per-field problems, and
    changes nothing, when they are one record, one of them was merged or died, the pair is not decided
    the same, or the merged record holds what cannot move yet (jobs with employers, an agent's record).
    A retry of a merge done returns it (``created`` False)."""
    from jaring.contributions.queries import ratebook
    from jaring.contributions.services.apply import ledger_apply
    from jaring.contributions.services.book import LedgerBook
    from jaring.contributions.services.moves import ledger_move_plan

    now = now or timezone.now()
    reason = " ".join((reason or "").split())
    problems = _problems(survivor, absorbed, reason)
    if problems:
        raise problems_error(problems)
    with transaction.atomic():
        book = LedgerBook.load(ratebook=ratebook(), people=[survivor.pk, absorbed.pk], ledgers=True, now=now)
        standings = {s.pk: s for s in Standing.objects.filter(pk__in=[survivor.pk, absorbed.pk])}
        gone, kept = standings[absorbed.pk], standings[survivor.pk]
        if gone.merged_into_id == survivor.pk:
            return MergeResult(ParticipantMerge.objects.get(absorbed_id=absorbed.pk), created=False)
        if problems := _standing_problems(kept, gone):
            raise problems_error(problems)
        said_reason = reason or _("merged into %(number)s") % {"number": survivor.number}
        moved = ledger_move_plan(
            book,
            absorbed=absorbed.pk,
            survivor=survivor.pk,
            source=f"merge:{absorbed.pk}",
            reason=said_reason[:REASON_LENGTH],
            moved_at=now,
        )
        rule = merge_rule(local_date(now))
        settled_as = rule["double_paid"] if moved.paid_twice else ""
        credit = moved.amount_paid_twice if settled_as == ParticipantMerge.Settlement.CREDIT else 0
        deposit = book.balances.get(absorbed.pk, gone.deposit_balance)
        book.balances[survivor.pk] = book.balances.get(survivor.pk, kept.deposit_balance) + deposit + credit
        book.balances[absorbed.pk] = 0
        ledger_apply(book, entries=moved.entries)
        # The balances are written here too: a merged record that never paid touches no ledger entry.
        Standing.objects.filter(pk=survivor.pk).update(deposit_balance=book.balances[survivor.pk])
        Standing.objects.filter(pk=absorbed.pk).update(
            status=Participant.Status.MERGED, merged_into_id=survivor.pk, deposit_balance=0
        )
        claims = _claims_move(absorbed, survivor)
        _groups_move(absorbed, survivor)
        _registration_taken_out(absorbed, now)
        merge = ParticipantMerge.objects.create(
            survivor=survivor,
            absorbed=absorbed,
            pair=_pair(survivor, absorbed),
            merged_at=now,
            merged_by=user_of(actor) if getattr(user_of(actor), "pk", None) else None,
            reason=said_reason[:REASON_LENGTH],
            entries_moved=len(moved.reversals),
            amount_moved=sum(plan.amount for plan in moved.recorded),
            double_paid=moved.paid_twice,
            double_paid_amount=moved.amount_paid_twice,
            settled_as=settled_as,
            deposit_moved=deposit,
            claims_moved=claims,
            rule=str(rule.get("code", "")),
        )
        audit(
            actor,
            "update",
            obj=absorbed,
            after={
                "merged_into": survivor.pk,
                "entries_moved": merge.entries_moved,
                "double_paid_amount": merge.double_paid_amount,
                "settled_as": settled_as,
            },
            summary=Said(
                gettext_noop("participant %(absorbed)s merged into %(survivor)s"),
                {"absorbed": absorbed.number, "survivor": survivor.number},
            ),
        )
    return MergeResult(merge, created=True)


def _problems(survivor: Participant, absorbed: Participant, reason: str) -> list[Problem]:
    from jaring.channels.models import Agent
    from jaring.employers.models import Employment

    if survivor.pk == absorbed.pk:
        return [Problem("absorbed", "same_record", _("A record cannot be merged into itself."))]
    problems = []
    if len(reason) > REASON_LENGTH:
        problems.append(Problem("reason", "too_long", _("The reason is longer than 200 characters.")))
    pair = _pair(survivor, absorbed)
    if pair is None or pair.state != ProbableDuplicate.State.SAME:
        message = _(
            "Only two records decided to be the same person are merged: decide their pair on the "
            "probable duplicates page first."
        )
        problems.append(Problem("pair", "not_decided", message))
    if Employment.objects.filter(participant_id=absorbed.pk).exists():
        message = _(
            "The record to merge has jobs with employers; end them or move them to the other record first."
        )
        problems.append(Problem("absorbed", "employed", message))
    if Agent.objects.filter(participant_id=absorbed.pk).exists():
        message = _("The record to merge is a Perisai agent's own record; merge the other way round.")
        problems.append(Problem("absorbed", "agent", message))
    return problems


def _standing_problems(kept: Standing, gone: Standing) -> list[Problem]:
    """Judged under the lock of both standings."""
    problems = []
    for field_name, standing in (("survivor", kept), ("absorbed", gone)):
        if standing.merged_into_id is not None:
            number = Participant(pk=standing.merged_into_id).number
            message = _("This record was merged into %(number)s already.") % {"number": number}
            problems.append(Problem(field_name, "merged", message))
        elif standing.died_on is not None:
            message = _("A death was recorded on this record; records are not merged after a death.")
            problems.append(Problem(field_name, "deceased", message))
    return problems


def _pair(survivor: Participant, absorbed: Participant) -> ProbableDuplicate | None:
    first, second = sorted((survivor.pk, absorbed.pk))
    return ProbableDuplicate.objects.filter(first_id=first, second_id=second).first()


def _claims_move(absorbed: Participant, survivor: Participant) -> int:
    """The merged record's claims become the survivor's (their decisions keep the evidence they showed)."""
    from jaring.claims.models import Claim

    return Claim.objects.filter(participant_id=absorbed.pk).update(participant_id=survivor.pk)


def _groups_move(absorbed: Participant, survivor: Participant) -> None:
    """The payer groups of the merged record take the survivor instead, unless it is a member already
    (the merged record is left out of every bill from now on)."""
    from jaring.contributions.models import GroupMembership

    theirs = GroupMembership.objects.filter(participant_id=survivor.pk).values("group_id")
    GroupMembership.objects.filter(participant_id=absorbed.pk).exclude(group_id__in=theirs).update(
        participant_id=survivor.pk
    )


def _registration_taken_out(absorbed: Participant, now: datetime) -> None:
    """The merged record's registration counted once too often: -1 on the day of the merge, under the
    dimensions it was counted with (its outlet's and agent's acquisitions of the current month)."""
    from jaring.tallies.writer import REGISTERED, TallyBatch, Who

    batch = TallyBatch()
    batch.add(REGISTERED, local_date(now), Who.of(absorbed), count=-1)
    batch.write()
