"""Worklists of the workers a desk user looks after: due this month, in arrears, about to lapse, lapsed and
reactivatable (``rules.worklist``), each ranked by the lapse-risk score.

Who is looked after is the user's scope (``Scope.participants``: an agent's own sign-ups, an outlet's and
its child outlets' registrations, a branch's participants), informal (BPU) workers paying for themselves:
not those a payer's group pays for this month. A worklist reads the participants of the scope (by their
outlet, agent or office index), their standing row by its key, and, for the workers on the lists, their
coverage runs by the participant's index: nothing of the ledger.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, Sum

from jaring.accounts.scope import Scope
from jaring.common.clock import month_of
from jaring.contributions.models import CoverageRun, GroupMembership
from jaring.contributions.queries import ratebook
from jaring.members.models import Participant
from jaring.rules.months import Month
from jaring.rules.worklist import Risk, Worklist, lapse_risk, worklist_of

LAPSED_WITHIN = 12  # months since the last paid month: older lapses are left off the list
CHUNK = 5_000


@dataclass(frozen=True)
class Entry:
    participant_id: int
    paid_through: Month | None
    unpaid: int
    risk: Risk


@dataclass(frozen=True)
class Worklists:
    month: Month
    arrears_months: int
    counts: dict[Worklist, int]
    entries: dict[Worklist, list[Entry]]  # each ranked, riskiest first


def worklists_for(scope: Scope, *, month: Month | None = None) -> Worklists:
    """Every worklist of the scope for ``month`` (the current one), ranked."""
    month = month or month_of()
    arrears_months = ratebook().policy_for(month).arrears_months
    oldest = month - (arrears_months + LAPSED_WITHIN)
    paid_by_payer = GroupMembership.objects.filter(first_month__lte=month).filter(
        Q(last_month__isnull=True) | Q(last_month__gte=month)
    )
    candidates = (
        scope.participants(Participant.objects.filter(segment=Participant.Segment.BPU))
        .filter(
            Q(standing__paid_through__lt=month, standing__paid_through__gte=oldest)
            | Q(standing__paid_through__isnull=True, registered_month__gt=oldest)
        )
        .exclude(pk__in=paid_by_payer.values("participant_id"))
        .exclude(standing__status__in=[Participant.Status.DECEASED, Participant.Status.MERGED])
        .values_list("pk", "standing__paid_through", "registered_month")
    )
    found = []
    for pk, paid_through, registered in candidates:
        last = paid_through if paid_through is not None else registered - 1
        unpaid = month - last
        if (kind := worklist_of(unpaid, arrears_months=arrears_months)) is not None:
            found.append((kind, pk, paid_through, unpaid))
    history = _history([pk for _kind, pk, _paid, _unpaid in found])
    entries: dict[Worklist, list[Entry]] = {kind: [] for kind in Worklist}
    for kind, pk, paid_through, unpaid in found:
        runs, months_paid = history.get(pk, (0, 0))
        risk = lapse_risk(unpaid=unpaid, arrears_months=arrears_months, runs=runs, months_paid=months_paid)
        entries[kind].append(Entry(pk, paid_through, unpaid, risk))
    for listed in entries.values():
        listed.sort(key=lambda entry: (-entry.risk.total, entry.participant_id))
    counts = Counter({kind: len(listed) for kind, listed in entries.items()})
    return Worklists(month, arrears_months, dict(counts), entries)


_RUN_MONTHS = ExpressionWrapper(F("last_month") - F("first_month") + 1, output_field=IntegerField())


def _history(ids: list[int]) -> dict[int, tuple[int, int]]:
    """Covered runs and months of each participant, read by the runs' (participant, first month) index."""
    history: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = (
            CoverageRun.objects.filter(participant_id__in=ids[start : start + CHUNK])
            .values("participant_id")
            .annotate(runs=Count("pk"), months=Sum(_RUN_MONTHS))
            .values_list("participant_id", "runs", "months")
        )
        history.update((pk, (runs, months or 0)) for pk, runs, months in rows)
    return history
