"""Reads of the probable-duplicate review queue that the pages and the agent quality signals share: the
pairs a user may review, the queue in its tabs (to review, waiting for a second person, decided), and one
pair with its two participants side by side (standing, coverage runs, ledger) and its reasons in words.

A pair is in a staff member's scope when either participant's branch (``Participant.office``) is in their
office subtree: deciding whether two records are one person takes both records, so a branch reviewing its
own participant sees the other record too, wherever it lives. National roles see every pair; every other
role none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from jaring.accounts.models import NATIONAL_ROLES, OFFICE_ROLES
from jaring.accounts.scope import Scope
from jaring.contributions.models import CoverageRun, Payment
from jaring.members.models import Participant, ParticipantMerge, ProbableDuplicate
from jaring.org.queries import office_subtree

State = ProbableDuplicate.State

# The queue's tabs: open pairs nobody chose for yet, open pairs whose first choice waits for a second
# person, and pairs decided for good.
TO_REVIEW, WAITING, DECIDED = "review", "waiting", "decided"
TABS = {
    TO_REVIEW: _("To review"),
    WAITING: _("Waiting for a second person"),
    DECIDED: _("Decided"),
}
# The rows a tab lists on the page (its count is always whole; the export holds every row).
QUEUE_LIMIT = 200
# The ledger entries shown per participant on a pair's page, the latest ones.
LEDGER_LIMIT = 60

# The matcher's fields and levels (``rules.duplicates``, ``rules/data/duplicates.json``) in words.
FIELDS = {
    "name": _("Name"),
    "nik": _("NIK"),
    "birth_date": _("Birth date"),
    "village": _("Village"),
    "phone": _("Phone"),
    "acquired_by": _("Acquired by"),
}
LEVELS = {
    ("name", "exact"): _("the same name (spelling aside)"),
    ("name", "high"): _("very similar names"),
    ("name", "medium"): _("similar names"),
    ("name", "different"): _("different names"),
    ("nik", "same"): _("the same NIK"),
    ("nik", "serial"): _("the same district, birth date and sex in the NIK; only the serial differs"),
    ("nik", "one_digit"): _("the NIKs differ in one digit"),
    ("nik", "swapped"): _("the NIKs differ by two adjacent digits swapped"),
    ("nik", "other"): _("different NIKs"),
    ("birth_date", "same"): _("the same birth date"),
    ("birth_date", "different"): _("different birth dates"),
    ("village", "same"): _("the same village"),
    ("village", "different"): _("different villages"),
    ("phone", "same"): _("the same phone number"),
    ("phone", "different"): _("different phone numbers"),
    ("acquired_by", "same_agent"): _("signed up by the same agent"),
    ("acquired_by", "same_outlet"): _("registered at the same outlet"),
    ("acquired_by", "different"): _("acquired by different outlets or agents"),
}


def pairs_visible(scope: Scope, qs: QuerySet | None = None) -> QuerySet:
    """The pairs ``scope`` may review: every pair for the national roles, the pairs with a participant
    served by their office subtree for regional and branch staff, none for anyone else."""
    qs = ProbableDuplicate.objects.all() if qs is None else qs
    if scope.role in NATIONAL_ROLES:
        return qs
    if scope.role in OFFICE_ROLES and scope.office is not None:
        offices = office_subtree(scope.office).values("pk")
        return qs.filter(Q(first__office_id__in=offices) | Q(second__office_id__in=offices))
    return qs.none()


def pairs_in_tab(qs: QuerySet, tab: str) -> QuerySet:
    """``qs`` narrowed to one tab of the queue."""
    if tab == WAITING:
        return qs.filter(state=State.OPEN).exclude(proposed="")
    if tab == DECIDED:
        return qs.exclude(state=State.OPEN)
    return qs.filter(state=State.OPEN, proposed="")


def queue_order(qs: QuerySet) -> QuerySet:
    """Open pairs first, then the highest score, then the oldest pair (a stable order for the pages)."""
    still_open = Case(When(state=State.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(still_open=still_open).order_by("still_open", "-score", "pk")


@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    total: int
    pairs: list[ProbableDuplicate]


@dataclass(frozen=True)
class Queue:
    tab: str
    tabs: list[tuple[str, str, int]]  # (name, label, pairs in it) for every tab
    pairs: list[ProbableDuplicate]  # of the tab shown, at most ``limit``, with both participants read
    total: int


def duplicates_queue(scope: Scope, *, tab: str = TO_REVIEW, limit: int | None = QUEUE_LIMIT) -> Queue:
    """The review queue of ``scope``: how many pairs each tab holds, and the pairs of ``tab`` in queue
    order with both participants (and the people who proposed or decided) read in the same query."""
    tab = tab if tab in TABS else TO_REVIEW
    visible = pairs_visible(scope)
    counts = [(name, str(label), pairs_in_tab(visible, name).count()) for name, label in TABS.items()]
    rows = queue_order(pairs_in_tab(visible, tab)).select_related(
        "first__outlet", "first__agent", "second__outlet", "second__agent", "proposed_by", "decided_by"
    )
    pairs = list(rows if limit is None else rows[:limit])
    return Queue(tab=tab, tabs=counts, pairs=pairs, total=dict((n, t) for n, _l, t in counts)[tab])


def score_percent(pair: ProbableDuplicate) -> Decimal:
    """The pair's score (the matcher's probability that the two records are one person) in percent, to
    one decimal."""
    return (Decimal(str(pair.score)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Reason:
    field: str
    level: str
    weight: float
    field_label: str
    level_label: str


def reasons_in_words(pair: ProbableDuplicate) -> list[Reason]:
    """The pair's reasons (field, level, weight) with the field and the level said in words; a field or
    level the words do not know (a rule refitted with a new level) is shown by its code."""
    found = []
    for reason in pair.reasons or []:
        field, level = reason.get("field", ""), reason.get("level", "")
        found.append(
            Reason(
                field=field,
                level=level,
                weight=float(reason.get("weight") or 0),
                field_label=str(FIELDS.get(field, field)),
                level_label=str(LEVELS.get((field, level), level)),
            )
        )
    return found


def reasons_summary(pair: ProbableDuplicate) -> str:
    """The reasons that speak for one person (a positive weight), strongest first, in one line."""
    agreeing = sorted((r for r in reasons_in_words(pair) if r.weight > 0), key=lambda r: -r.weight)
    return "; ".join(r.level_label for r in agreeing)


@dataclass(frozen=True)
class Side:
    """One participant of a pair as the pair's page shows it."""

    participant: Participant
    runs: list[CoverageRun]
    ledger: list[Payment]  # the latest ``LEDGER_LIMIT`` entries, oldest first
    entries: int  # every ledger entry


def pair_side(participant: Participant) -> Side:
    """A participant's coverage runs and ledger, read by the indexes (participant, first_month) and
    (participant, paid_at)."""
    runs = list(CoverageRun.objects.filter(participant_id=participant.pk).order_by("first_month"))
    entries = Payment.objects.filter(participant_id=participant.pk)
    latest = list(entries.select_related("outlet", "agent").order_by("-paid_at", "-id")[:LEDGER_LIMIT])
    total = len(latest) if len(latest) < LEDGER_LIMIT else entries.count()
    return Side(participant=participant, runs=runs, ledger=latest[::-1], entries=total)


def pair_of(scope: Scope, pk: int) -> ProbableDuplicate | None:
    """The pair ``pk`` if ``scope`` may review it, with both participants, their standing, village,
    branch, outlet and agent, and the people who proposed and decided; None otherwise."""
    related = [
        f"{side}__{part}"
        for side in ("first", "second")
        for part in ("standing", "village", "office", "outlet", "agent")
    ]
    return pairs_visible(scope).select_related(*related, "proposed_by", "decided_by").filter(pk=pk).first()


def merge_of(pair: ProbableDuplicate) -> ParticipantMerge | None:
    """The merge that made the pair's two records one, if they were merged."""
    return (
        ParticipantMerge.objects.select_related("survivor", "absorbed", "merged_by")
        .filter(
            absorbed_id__in=(pair.first_id, pair.second_id), survivor_id__in=(pair.first_id, pair.second_id)
        )
        .first()
    )
