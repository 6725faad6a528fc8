"""Recording many payments at once (file imports, batches): the rules of ``payment_record``, set-based.

Per chunk: one query finds references already recorded, one locks and loads the participants, one loads
their coverage runs (on PostgreSQL each takes its thousands of keys as one array parameter); every row
is then judged in memory, in file order, with the same coverage and price rules as a single payment.
The writes are a handful of statements whatever the chunk's size: the touched participants' runs,
``paid_through`` and status as ``UPDATE``/``INSERT ... FROM unnest(arrays)``, sent in a pipeline on
PostgreSQL so that the server applies them while the ledger rows are built; then the payments in one
``COPY`` (``executemany`` on SQLite) and one grouped tally upsert. The caller runs a chunk in one
transaction.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NamedTuple

from django.db import connection
from django.utils.translation import gettext as _

from jaring.channels.models import Outlet
from jaring.common.bulk import (
    among,
    db_datetime,
    db_json,
    insert_rows,
    insert_values,
    pipelined,
    reserve_ids,
    update_rows,
)
from jaring.common.clock import local_date, parse_moment
from jaring.contributions.models import CoverageRun, Payment
from jaring.contributions.queries import participant_standing
from jaring.contributions.services import outlet_source, payment_fingerprint
from jaring.members.bulk import RowResult
from jaring.members.models import Participant
from jaring.monitoring.tallies import FIRST_PAID, TallyBatch, Who
from jaring.rules.coverage import Run, months_for_payment, paid_through, runs_with
from jaring.rules.money import format_rupiah
from jaring.rules.months import Month
from jaring.rules.participant_number import participant_number, participant_seq
from jaring.rules.programmes import parse_programmes
from jaring.rules.rates import Price, RateBook


@dataclass
class PaymentRow:
    """One payment as it arrived (text fields, as in a file)."""

    row: int
    nik: str
    months: str
    amount: str
    paid_at: str
    outlet_code: str
    reference: str


@dataclass
class BulkPaymentContext:
    ratebook: RateBook
    outlets: dict[str, Outlet] = field(default_factory=dict)
    prices: dict[tuple, tuple[Price, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, *, ratebook: RateBook) -> BulkPaymentContext:
        return cls(ratebook=ratebook, outlets={o.code: o for o in Outlet.objects.select_related("partner")})

    def price(self, first: Month, count: int, income: int, programmes: str) -> tuple[Price, str]:
        """The price and its ledger breakdown (JSON text); a file has few distinct incomes and months, so
        each combination is priced once."""
        key = (first, count, income, programmes)
        if (found := self.prices.get(key)) is None:
            price = self.ratebook.price(first, count, income=income, programmes=parse_programmes(programmes))
            found = self.prices[key] = (price, db_json(price.as_dict()["months"]))
        return found


class _Days(dict):
    """The Jakarta date of each moment, converted once: a chunk's moments repeat (most payments are made
    "now", many participants registered the same day), and a time zone conversion costs more than the
    rest of a row's arithmetic."""

    def __missing__(self, moment: datetime) -> date:
        day = self[moment] = local_date(moment)
        return day


class _Person(NamedTuple):
    pk: int
    nik: str
    registered_month: Month
    declared_income: int
    programmes: str
    registered_at: datetime
    paid_through: Month | None
    office_id: int | None
    outlet_id: int
    agent_id: int | None
    channel: str
    segment: str


PAYMENT_COLUMNS = (
    "id",
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
    "recorded_at",
)


def _whole(text: str) -> int | None:
    text = (text or "").strip().replace(".", "").replace(",", "")
    return int(text) if text.isdigit() else None


def _recorded(keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (source, idempotency key) pairs among ``keys`` already in the ledger."""
    if not keys:
        return set()
    sources, source_params = among("source", {source for source, _reference in keys})
    references, reference_params = among("idempotency_key", {reference for _source, reference in keys})
    table = connection.ops.quote_name(Payment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source, idempotency_key FROM {table} WHERE {sources} AND {references}",
            [*source_params, *reference_params],
        )
        return {row for row in cursor.fetchall() if row in keys}


def _runs(participant_ids: set[int]) -> dict[int, tuple[Run, ...]]:
    """The coverage runs of the participants, in order. Read after the participants are locked, so no
    payment of theirs can commit in between."""
    if not participant_ids:
        return {}
    condition, params = among("participant_id", participant_ids)
    table = connection.ops.quote_name(CoverageRun._meta.db_table)
    runs: dict[int, list[Run]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT participant_id, first_month, last_month FROM {table} WHERE {condition} "
            "ORDER BY participant_id, first_month",
            params,
        )
        for participant_id, first, last in cursor.fetchall():
            runs.setdefault(participant_id, []).append(Run(Month(first), Month(last)))
    return {pk: tuple(own) for pk, own in runs.items()}


def _participants(rows) -> dict[str, _Person]:
    """The participants named by NIK or participant number (keyed by what the row gave), locked for the
    rest of the transaction. One raw query: this runs for every chunk of every payment file."""
    niks, by_number = set(), {}
    for row in rows:
        text = row.nik.strip()
        if len(text) == 16:
            niks.add(text)
        elif len(text) == 11:
            with contextlib.suppress(ValueError):
                by_number[participant_seq(text)] = text
    if not niks and not by_number:
        return {}
    quote = connection.ops.quote_name
    columns = ", ".join(quote("id" if name == "pk" else name) for name in _Person._fields)
    where = []
    params: list = []
    for column, values in (("nik", niks), ("id", by_number)):
        if values:
            condition, values = among(column, values)
            where.append(condition)
            params.extend(values)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table = quote(Participant._meta.db_table)
    sql = f"SELECT {columns} FROM {table} WHERE {' OR '.join(where)} ORDER BY id{lock}"
    people = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for values in cursor.fetchall():
            pk, nik, registered, income, programmes, registered_at, paid, *rest = values
            person = _Person(
                pk,
                nik,
                Month(registered),
                income,
                programmes,
                _aware(registered_at),
                None if paid is None else Month(paid),
                *rest,
            )
            people[nik] = person
            if pk in by_number:
                people[by_number[pk]] = person
    return people


def _aware(value) -> datetime:
    """A datetime column as read raw: aware on PostgreSQL, UTC text on SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def payments_apply(
    rows: list[PaymentRow], *, context: BulkPaymentContext, seen: dict[tuple[str, str], int], now: datetime
) -> list[RowResult]:
    """Checks and records a chunk of payments; returns one result per row, in order.

    ``seen`` maps (outlet code, reference) met earlier in the same file to its first row. Must run
    inside a transaction.
    """
    results = [RowResult(row=row.row) for row in rows]
    parsed = []
    for row, result in zip(rows, results, strict=True):
        key = (row.outlet_code.strip(), row.reference.strip())
        if key[1] and key in seen:
            message = _("This reference is already in row %(row)s of this file.") % {"row": seen[key]}
            result.fail("reference", message, "duplicate_in_file")
            continue
        seen[key] = row.row
        outlet = context.outlets.get(key[0])
        if outlet is None:
            result.fail(
                "outlet_code", _("Unknown outlet %(code)s.") % {"code": row.outlet_code or "-"}, "unknown"
            )
        months = _whole(row.months)
        if months is None:
            result.fail("months", _("The number of months is a whole number (1, 3, 6 or 12)."))
        amount = _whole(row.amount)
        if not amount:
            result.fail("amount", _("The amount is a positive whole number of rupiah."))
        paid_at = parse_moment(row.paid_at) if row.paid_at.strip() else now
        if paid_at is None:
            result.fail("paid_at", _("The payment date is written YYYY-MM-DD."))
        elif paid_at > now:
            result.fail("paid_at", _("The date is in the future."), "future")
        if not key[1]:
            result.fail("reference", _("An idempotency key (payment reference) is required."), "required")
        elif len(key[1]) > 100:
            result.fail("reference", _("The payment reference is longer than 100 characters."))
        if result.errors:
            continue
        parsed.append((row, result, outlet, months, amount, paid_at, (outlet_source(outlet), key[1])))

    recorded = _recorded({item[6] for item in parsed})
    people = _participants([item[0] for item in parsed])
    runs = _runs({person.pk for person in people.values()})
    before = dict(runs)

    payments, touched = [], {}
    # A file's payments share few histories (most participants pay the same months), so each
    # combination of runs, registration month, month of payment and count is judged once.
    spans: dict[tuple, tuple[Month, ...]] = {}
    days = _Days()
    for row, result, outlet, months, amount, paid_at, key in parsed:
        if key in recorded:
            message = _("A payment with reference %(ref)s is already recorded.") % {"ref": key[1]}
            result.fail("reference", message, "already_recorded")
            continue
        participant = people.get(row.nik.strip())
        if participant is None:
            result.fail("nik", _("No participant with this NIK or participant number."), "unknown")
            continue
        current = Month.from_date(days[paid_at])
        try:
            policy = context.ratebook.policy_for(current)
        except LookupError:
            message = _("There is no contribution schedule for %(month)s.") % {"month": current}
            result.fail("paid_at", message, "no_schedule")
            continue
        if months not in policy.payment_month_counts:
            counts = ", ".join(str(count) for count in policy.payment_month_counts)
            result.fail("months", _("A payment covers %(counts)s months.") % {"counts": counts})
            continue
        own_runs = runs.get(participant.pk, ())
        span = (own_runs, participant.registered_month, current, months)
        if (covered := spans.get(span)) is None:
            covered = spans[span] = months_for_payment(
                own_runs,
                registered=participant.registered_month,
                current=current,
                count=months,
                policy=policy,
            )
        price, breakdown = context.price(
            covered[0], months, participant.declared_income, participant.programmes
        )
        if price.total != amount:
            message = _("The amount for %(months)s months from %(first)s is %(price)s, not %(amount)s.") % {
                "months": months,
                "first": covered[0],
                "price": format_rupiah(price.total),
                "amount": format_rupiah(amount),
            }
            result.fail("amount", message, "price_mismatch")
            continue
        runs[participant.pk] = runs_with(own_runs, covered)
        touched[participant.pk] = participant
        payments.append((row, result, participant, outlet, months, covered, price, breakdown, paid_at, key))

    ids = reserve_ids(Payment._meta.db_table, len(payments))
    whos = {pk: _who(person) for pk, person in touched.items()}
    tallies = TallyBatch()
    # The participants' new runs, paid_through and status go out first, without waiting (PostgreSQL
    # pipeline), so the server rewrites them while the ledger rows and tallies are built here.
    changes = _coverage_changes(touched, before, runs)
    with pipelined():
        _coverage_write(changes)
        values = _ledger_rows(payments, ids, whos, tallies, days, now=now)
        for pk, who in whos.items():
            tallies.coverage(who, before.get(pk, ()), runs[pk])
    insert_rows(Payment._meta.db_table, PAYMENT_COLUMNS, values)
    tallies.write()
    return results


def _ledger_rows(
    payments: list, ids: list[int], whos: dict[int, Who], tallies: TallyBatch, days: _Days, *, now: datetime
) -> list:
    """The accepted payments as ledger rows (``PAYMENT_COLUMNS``), counted in ``tallies``; marks each
    row's result accepted with its participant number and ledger id."""
    recorded_at = db_datetime(now)
    kind = Payment.Kind.CONTRIBUTION.value
    first_paid = set()
    values = []
    for pk, item in zip(ids, payments, strict=True):
        row, result, participant, outlet, months, covered, price, breakdown, paid_at, key = item
        who = whos[participant.pk]
        tallies.payment(
            days[paid_at],
            who,
            outlet_id=outlet.pk,
            agent_id=0,
            channel=outlet.partner.kind,
            count=1,
            amount=price.total,
        )
        if participant.paid_through is None and participant.pk not in first_paid:
            first_paid.add(participant.pk)
            tallies.add(FIRST_PAID, days[participant.registered_at], who)
        fingerprint = payment_fingerprint(
            participant_id=participant.pk,
            months=months,
            amount=price.total,
            outlet=outlet,
            agent=None,
            paid_at=paid_at if row.paid_at.strip() else None,
        )
        values.append(
            (
                pk,
                participant.pk,
                kind,
                covered[0].index,
                len(covered),
                price.total,
                breakdown,
                outlet.partner.kind,
                outlet.pk,
                None,
                None,
                None,
                "",
                key[0],
                key[1],
                fingerprint,
                recorded_at if paid_at is now else db_datetime(paid_at),
                recorded_at,
            )
        )
        result.status = "accepted"
        result.number = participant_number(participant.pk)
        result.record_id = pk
    return values


def _who(person: _Person) -> Who:
    return Who(person.office_id or 0, person.outlet_id, person.agent_id or 0, person.channel, person.segment)


class _CoverageChanges(NamedTuple):
    """What a chunk changes in the coverage tables: runs extended (new last month, participant, first
    month), runs added (participant, first, last), participants whose runs are rewritten (runs merged),
    and each participant's new (paid_through, status, id)."""

    extend: list[tuple[int, int, int]]
    add: list[tuple[int, int, int]]
    rewrite: list[int]
    standing: list[tuple[int, str, int]]


def _coverage_changes(
    touched: dict[int, _Person], before: dict[int, tuple[Run, ...]], runs: dict[int, tuple[Run, ...]]
) -> _CoverageChanges:
    """The touched participants' run writes (extending a run, adding runs, or rewriting them when runs
    merged) and their ``paid_through`` and status as of today."""
    changes = _CoverageChanges([], [], [], [])
    month = Month.from_date(local_date())
    standings: dict[tuple, str] = {}
    for pk, person in touched.items():
        old, new = before.get(pk, ()), runs[pk]
        if old and len(new) == len(old) and new[:-1] == old[:-1] and new[-1].first == old[-1].first:
            changes.extend.append((new[-1].last.index, pk, new[-1].first.index))
        elif new[: len(old)] == old:
            changes.add.extend((pk, run.first.index, run.last.index) for run in new[len(old) :])
        else:
            changes.rewrite.append(pk)
            changes.add.extend((pk, run.first.index, run.last.index) for run in new)
        # Participants with the same runs and registration month stand the same: judged once.
        if (standing := standings.get((new, person.registered_month))) is None:
            standing = standings[new, person.registered_month] = participant_standing(
                new, registered=person.registered_month, month=month
            )
        changes.standing.append((paid_through(new).index, standing, pk))
    return changes


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
    update_rows(Participant, "id", ("paid_through", "status"), changes.standing)
