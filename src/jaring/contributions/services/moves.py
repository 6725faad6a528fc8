"""Moving a ledger from one record of a person to another (a merge, ``members.services.merge``).

History is never rewritten: every live entry of the merged record is cancelled on its side by a reversing
entry, and recorded again on the surviving record, both dated at the merge, so that the tallies and the
agents' statements of the month of the merge take the correction and no closed day changes. The entry
recorded again keeps its kind, channel, outlet and agent, and the moment it was first paid
(``originally_paid_at``), from which a claim's cover and the old-age savings' yield count. A month the
surviving record had paid already is not recorded twice: it is returned as paid twice, for the caller to
credit or refund.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from jaring.common.bulk import db_json
from jaring.contributions.models import Payment
from jaring.contributions.services.book import Entry, LedgerBook
from jaring.contributions.services.checks import EntryPlan
from jaring.rules.coverage import is_covered, runs_with
from jaring.rules.months import Month


@dataclass
class Moved:
    """What moving a ledger plans: the reversals on the merged record, the entries recorded again on the
    survivor, and the months the survivor had paid already (month, amount, the entry that paid it)."""

    reversals: list[EntryPlan] = field(default_factory=list)
    recorded: list[EntryPlan] = field(default_factory=list)
    paid_twice: list[dict] = field(default_factory=list)

    @property
    def entries(self) -> list[EntryPlan]:
        return [*self.reversals, *self.recorded]

    @property
    def amount_paid_twice(self) -> int:
        return sum(month["amount"] for month in self.paid_twice)


def ledger_move_plan(
    book: LedgerBook, *, absorbed: int, survivor: int, source: str, reason: str, moved_at: datetime
) -> Moved:
    """Plans moving the live entries of ``absorbed``'s ledger to ``survivor`` under ``source`` and
    advances the book (runs of both). The book must hold both people with their ledgers
    (``LedgerBook.load(ledgers=True)``), locked."""
    gone, kept = book.people[absorbed], book.people[survivor]
    ledger = book.ledgers.get(absorbed, [])
    cancelled = {entry.reverses_id for entry in ledger if entry.kind == Payment.Kind.REVERSAL}
    live = [entry for entry in ledger if entry.kind != Payment.Kind.REVERSAL and entry.pk not in cancelled]
    moved = Moved()
    runs = book.runs.get(survivor, ())
    for entry in live:
        moved.reversals.append(
            EntryPlan(
                person=gone,
                kind=Payment.Kind.REVERSAL.value,
                first_month=entry.first_month,
                months=entry.months,
                amount=-entry.amount,
                breakdown=_text(entry.breakdown),
                channel=entry.channel,
                outlet_id=entry.outlet_id,
                agent_id=entry.agent_id,
                source=source,
                reference=f"reverse:{entry.pk}",
                fingerprint="",
                paid_at=moved_at,
                reverses_id=entry.pk,
                reason=reason,
            )
        )
        segment: list[tuple[Month, dict]] = []
        for month, priced in _months_of(entry):
            if is_covered(runs, month):
                moved.paid_twice.append({"month": str(month), "amount": priced["total"], "entry": entry.pk})
                runs = _flush(moved, segment, entry, kept, source, reason, moved_at, runs)
                segment = []
            else:
                segment.append((month, priced))
        runs = _flush(moved, segment, entry, kept, source, reason, moved_at, runs)
    book.runs[absorbed] = ()
    book.runs[survivor] = runs
    return moved


def _flush(moved: Moved, segment, entry: Entry, kept, source, reason, moved_at, runs):
    """Plans the entry recorded again for a run of consecutive months of ``entry`` the survivor had not
    paid; returns the survivor's runs with them."""
    if not segment:
        return runs
    months = [month for month, _ in segment]
    moved.recorded.append(
        EntryPlan(
            person=kept,
            kind=entry.kind,
            first_month=months[0],
            months=len(months),
            amount=sum(priced["total"] for _, priced in segment),
            breakdown=db_json([priced for _, priced in segment]),
            channel=entry.channel,
            outlet_id=entry.outlet_id,
            agent_id=entry.agent_id,
            source=source,
            reference=f"move:{entry.pk}:{months[0]}",
            fingerprint="",
            paid_at=moved_at,
            reason=reason,
            originally_paid_at=entry.paid_at,
        )
    )
    return runs_with(runs, tuple(months))


def _months_of(entry: Entry) -> list[tuple[Month, dict]]:
    """Each month an entry paid, with its priced line (``{"month", "lines", "total"}``). An entry whose
    breakdown does not list its months one by one (an employer's bill line is one month) is its whole
    amount for its one month, or shared out evenly, the rest on the first month."""
    breakdown = entry.breakdown
    if isinstance(breakdown, str):
        breakdown = json.loads(breakdown or "null")
    months = [entry.first_month + offset for offset in range(entry.months)]
    if isinstance(breakdown, list) and len(breakdown) == entry.months and all(
        isinstance(line, dict) and "total" in line for line in breakdown
    ):
        return [(month, {**line, "month": str(month)}) for month, line in zip(months, breakdown, strict=True)]
    share, rest = divmod(entry.amount, entry.months)
    return [
        (month, {"month": str(month), "lines": {}, "total": share + (rest if index == 0 else 0)})
        for index, month in enumerate(months)
    ]


def _text(breakdown) -> str:
    return breakdown if isinstance(breakdown, str) else db_json(breakdown)
