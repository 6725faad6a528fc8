"""The one set-based apply of ledger plans: deposits, ledger entries, coverage runs, participant standing
and tallies, a handful of statements whatever the number of plans.

The caller holds the transaction and the book it loaded (the participants' standings locked). On
PostgreSQL the coverage and standing writes go out in a pipeline, so the server applies them while the
ledger rows are built here; then the entries in one ``COPY`` (one ``INSERT ... RETURNING`` each for a few
rows) and one grouped tally upsert.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import connection

from jaring.common.bulk import (
    RETURNING_ROWS,
    among,
    db_datetime,
    insert_rows,
    insert_values,
    insert_with_ids,
    pipelined,
    update_rows,
)
from jaring.common.clock import local_date
from jaring.contributions.models import CoverageRun, Deposit, LedgerKey, Payment
from jaring.contributions.queries import participant_standing
from jaring.contributions.services.book import LedgerBook, Person
from jaring.contributions.services.checks import DepositPlan, EntryPlan
from jaring.members.models import Standing
from jaring.rules.coverage import Run, paid_through
from jaring.rules.months import Month
from jaring.tallies.writer import FIRST_PAID, TallyBatch, Who

ENTRY_COLUMNS = (
    "participant_id",
    "kind",
    "first_month",
    "months",
    "amount",
    "breakdown",
    "channel",
    "outlet_id",
    "agent_id",
    "bill_id",
    "reverses_id",
    "reason",
    "source",
    "idempotency_key",
    "fingerprint",
    "paid_at",
    "originally_paid_at",
    "recorded_at",
)
KEY_COLUMNS = ("source", "key", "payment_id", "fingerprint")
DEPOSIT_COLUMNS = (
    "participant_id",
    "amount",
    "balance_after",
    "outlet_id",
    "agent_id",
    "source",
    "idempotency_key",
    "fingerprint",
    "collected_at",
    "recorded_at",
)


class StandingAfter(NamedTuple):
    paid_through: Month | None
    status: str
    deposit_balance: int


def ledger_apply(
    book: LedgerBook, *, entries: list[EntryPlan] = (), deposits: list[DepositPlan] = ()
) -> dict[int, StandingAfter]:
    """Writes the accepted plans (in the order given) and keeps coverage, standing and tallies with
    them; sets each plan's ``pk``. Returns the new standing of every participant touched."""
    recorded_at = db_datetime(book.now)
    if deposits:
        rows = [
            (
                plan.person.pk,
                plan.amount,
                plan.balance_after,
                plan.outlet_id,
                plan.agent_id,
                plan.source,
                plan.reference,
                plan.fingerprint,
                _moment(plan.collected_at, book, recorded_at),
                recorded_at,
            )
            for plan in deposits
        ]
        for plan, pk in zip(
            deposits, insert_with_ids(Deposit._meta.db_table, DEPOSIT_COLUMNS, rows), strict=True
        ):
            plan.pk = pk
            for purchase in plan.purchases:
                purchase.source = f"deposit:{pk}"
    plans = [*entries, *(purchase for deposit in deposits for purchase in deposit.purchases)]
    touched: dict[int, Person] = {plan.person.pk: plan.person for plan in plans}
    touched.update((plan.person.pk, plan.person) for plan in deposits)
    changes, standings = _coverage_changes(book, touched)
    tallies = TallyBatch()
    whos = {pk: _who(person) for pk, person in touched.items()}
    with pipelined():
        _coverage_write(changes)
        rows = _entry_rows(plans, book, tallies, recorded_at, whos)
        for pk, person in touched.items():
            who = whos[pk]
            before, after = book.before.get(pk, ()), book.runs.get(pk, ())
            tallies.coverage(who, before, after)
            was_paid, paid = person.paid_through is not None, standings[pk].paid_through is not None
            if was_paid != paid:
                tallies.add(FIRST_PAID, book.days[person.registered_at], who, count=1 if paid else -1)
    for plan, pk in zip(plans, insert_with_ids(Payment._meta.db_table, ENTRY_COLUMNS, rows), strict=True):
        plan.pk = pk
    keys = _key_rows(plans)
    if len(keys) > RETURNING_ROWS:
        # Many keys go in one COPY (a third faster than a statement for a file's chunk) before the
        # pipeline, which cannot carry it; a few go out with the tallies.
        insert_rows(LedgerKey._meta.db_table, KEY_COLUMNS, keys)
        keys = []
    with pipelined():
        insert_values(LedgerKey, KEY_COLUMNS, keys)
        tallies.write()
    return standings


def _key_rows(plans: list[EntryPlan]) -> list[tuple]:
    """The ledger keys of the written plans: each one's reference within its source, and the entry each
    reversal cancels (an entry is reversed once)."""
    rows = [(plan.source, plan.reference, plan.pk, plan.fingerprint) for plan in plans]
    rows += [(LedgerKey.REVERSED, str(plan.reverses_id), plan.pk, "") for plan in plans if plan.reverses_id]
    return rows


def _moment(moment, book: LedgerBook, recorded_at):
    return recorded_at if moment is book.now else db_datetime(moment)


def _entry_rows(
    plans: list[EntryPlan], book: LedgerBook, tallies: TallyBatch, recorded_at, whos: dict[int, Who]
) -> list[tuple]:
    """The plans as ledger rows (``ENTRY_COLUMNS``), each counted in ``tallies`` for its collecting
    outlet and agent (a reversal counts -1 with its negative amount); ``whos``: each participant's
    tally dimensions."""
    rows = []
    for plan in plans:
        person = plan.person
        who = whos[person.pk]
        tallies.payment(
            book.days[plan.paid_at],
            who,
            outlet_id=plan.outlet_id or 0,
            agent_id=plan.agent_id or 0,
            channel=plan.channel,
            count=-1 if plan.amount < 0 else 1,
            amount=plan.amount,
        )
        rows.append(
            (
                person.pk,
                plan.kind,
                plan.first_month.index,
                plan.months,
                plan.amount,
                plan.breakdown,
                plan.channel,
                plan.outlet_id,
                plan.agent_id,
                plan.bill_id,
                plan.reverses_id,
                plan.reason,
                plan.source,
                plan.reference,
                plan.fingerprint,
                _moment(plan.paid_at, book, recorded_at),
                None if plan.originally_paid_at is None else db_datetime(plan.originally_paid_at),
                recorded_at,
            )
        )
    return rows


def _who(person: Person) -> Who:
    return Who(person.office_id or 0, person.outlet_id, person.agent_id or 0, person.channel, person.segment)


class _CoverageChanges(NamedTuple):
    """What a list changes in the coverage tables: runs extended (new last month, participant, first
    month), runs added (participant, first, last), participants whose runs are rewritten (runs merged or
    taken back), and each participant's new (paid_through, status, deposit balance, id)."""

    extend: list[tuple[int, int, int]]
    add: list[tuple[int, int, int]]
    rewrite: list[int]
    standing: list[tuple[int | None, str, int, int]]


def _coverage_changes(
    book: LedgerBook, touched: dict[int, Person]
) -> tuple[_CoverageChanges, dict[int, StandingAfter]]:
    """The touched participants' run writes (extending a run, adding runs, or rewriting them) and their
    ``paid_through``, status as of today and deposit balance."""
    changes = _CoverageChanges([], [], [], [])
    month = Month.from_date(local_date())
    # Participants with the same runs before and after, and the same registration month, change and
    # stand the same (most of a list's participants pay the same months): judged once.
    judged: dict[tuple, tuple[str, str, Month | None]] = {}
    standings = {}
    for pk, person in touched.items():
        old, new = book.before.get(pk, ()), book.runs.get(pk, ())
        if (verdict := judged.get((old, new, person.registered_month))) is None:
            verdict = judged[old, new, person.registered_month] = (
                _change_shape(old, new),
                participant_standing(new, registered=person.registered_month, month=month),
                paid_through(new),
            )
        shape, status, last = verdict
        if shape == "extend":
            changes.extend.append((new[-1].last.index, pk, new[-1].first.index))
        elif shape == "add":
            changes.add.extend([(pk, run.first.index, run.last.index) for run in new[len(old) :]])
        elif shape == "rewrite":
            changes.rewrite.append(pk)
            changes.add.extend([(pk, run.first.index, run.last.index) for run in new])
        balance = book.balances.get(pk, person.deposit_balance)
        standings[pk] = StandingAfter(last, status, balance)
        changes.standing.append((None if last is None else last.index, status, balance, pk))
    return changes, standings


def _change_shape(old: tuple[Run, ...], new: tuple[Run, ...]) -> str:
    """How the runs change: "same", "extend" (the last run goes on), "add" (runs after the old ones) or
    "rewrite" (runs merged or taken back)."""
    if old == new:
        return "same"
    if old and len(new) == len(old) and new[:-1] == old[:-1] and new[-1].first == old[-1].first:
        return "extend"
    if new[: len(old)] == old:
        return "add"
    return "rewrite"


def _coverage_write(changes: _CoverageChanges) -> None:
    """Writes the changes with plain statements only (no ``COPY``, no reads), so that they can go out
    inside ``pipelined()``."""
    update_rows(CoverageRun, ("participant_id", "first_month"), ("last_month",), changes.extend)
    if changes.rewrite:
        condition, params = among("participant_id", changes.rewrite)
        table = connection.ops.quote_name(CoverageRun._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {condition}", params)
    insert_values(CoverageRun, ("participant_id", "first_month", "last_month"), changes.add)
    update_rows(Standing, "participant_id", ("paid_through", "status", "deposit_balance"), changes.standing)
