"""The ledger book: everything the checks of a list of ledger requests need, read in bulk and then kept in
memory while the requests are judged one after the other.

``LedgerBook.load`` locks the standing of the participants the requests name (``SELECT ... FOR UPDATE``,
in id order, so two lists never wait on each other in a circle), then reads the references already
recorded and the participants' coverage runs: three statements whatever the number of requests (four
with the ledgers a reversal needs). The checks in ``checks`` read only the book and, when they accept a
request, advance it (the runs, the balance, the references taken), so the next request of the same
participant in the same list sees the first: a list of requests ends exactly as the same requests sent
one at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models.functions import Coalesce
from django.utils import timezone

from jaring.common.bulk import among, array_literal, db_json
from jaring.common.clock import local_date
from jaring.common.text import has_control_character
from jaring.contributions.models import CoverageRun, Deposit, LedgerKey, Payment
from jaring.members.models import Participant, Standing
from jaring.members.queries import identifier_parse
from jaring.rules.coverage import Run
from jaring.rules.months import Month, month_at
from jaring.rules.programmes import parse_programmes
from jaring.rules.rates import Price, RateBook


class Person(NamedTuple):
    """A participant as the ledger checks need it (read raw: this runs for every chunk of every file)."""

    pk: int
    nik: str
    registered_month: Month
    declared_income: int
    programmes: str
    registered_at: str  # its text, as stored (UTC): converted by ``Days`` only when a tally needs the day
    paid_through: Month | None
    office_id: int | None
    outlet_id: int
    agent_id: int | None
    channel: str
    segment: str
    deposit_balance: int
    died_on: object = None  # the day of death once recorded (a date, or its text on SQLite)
    merged_into_id: int | None = None  # the record this one was merged into (``members.services.merge``)


# the Person fields read from the standing
_STANDING = {"paid_through", "deposit_balance", "died_on", "merged_into_id"}
_LEDGER_KEY = ("source", "key", "payment_id")  # a ledger key's source, reference and entry


class Prior(NamedTuple):
    """A ledger entry or deposit recorded earlier under a reference: its id and request fingerprint."""

    pk: int
    fingerprint: str


class Entry(NamedTuple):
    """A participant's ledger entry, as a reversal needs it."""

    pk: int
    kind: str
    first_month: Month
    months: int
    amount: int
    reverses_id: int | None
    outlet_id: int | None
    agent_id: int | None
    channel: str
    breakdown: object
    paid_at: datetime | None = None  # when the money was first paid (before a merge moved the entry)


class Days(dict):
    """The Jakarta date of each moment, converted once: a list's moments repeat (most payments are made
    "now", many participants registered the same day), and a time zone conversion costs more than the
    rest of a request's arithmetic."""

    def __missing__(self, moment) -> date:
        day = self[moment] = local_date(_aware(moment))
        return day


@dataclass
class LedgerBook:
    """The participants, runs, references and prices a list of ledger requests is judged against."""

    ratebook: RateBook
    now: datetime
    people: dict[int, Person] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)  # NIK or participant number -> id
    before: dict[int, tuple[Run, ...]] = field(default_factory=dict)  # as read
    runs: dict[int, tuple[Run, ...]] = field(default_factory=dict)  # as the accepted requests leave them
    balances: dict[int, int] = field(default_factory=dict)  # deposit balance after the accepted requests
    payments: dict[tuple[str, str], Prior] = field(default_factory=dict)
    deposits: dict[tuple[str, str], Prior] = field(default_factory=dict)
    ledgers: dict[int, list[Entry]] = field(default_factory=dict)
    taken: dict[tuple[str, str, str], object] = field(default_factory=dict)  # references of accepted plans
    # (runs, registration month, month of payment, count) -> (months a payment covers, runs after it)
    spans: dict[tuple, tuple[tuple[Month, ...], tuple[Run, ...]]] = field(default_factory=dict)
    prices: dict[tuple, tuple[Price, str]] = field(default_factory=dict)
    days: Days = field(default_factory=Days)
    latest_allowed: datetime | None = None
    earliest_day: date | None = None

    @classmethod
    def load(
        cls,
        *,
        ratebook: RateBook,
        people: Iterable[str | int] = (),
        payment_keys: Collection[tuple[str, str]] = (),
        deposit_keys: Collection[tuple[str, str]] = (),
        ledgers: bool = False,
        now: datetime | None = None,
    ) -> LedgerBook:
        """The book for requests naming ``people`` (participant ids, or NIK / participant number text)
        under the ``(source, reference)`` keys given. Must run inside the transaction that applies the
        plans: the participants stay locked until it ends."""
        book = cls(ratebook=ratebook, now=now or timezone.now())
        book._people_lock(people)
        book.payments = _priors(LedgerKey, payment_keys, columns=_LEDGER_KEY)
        book.deposits = _priors(Deposit, deposit_keys)
        book.before = _runs(book.people)
        book.runs = dict(book.before)
        book.balances = {pk: person.deposit_balance for pk, person in book.people.items()}
        if ledgers:
            book.ledgers = _ledgers(book.people)
        return book

    def person(self, key: str | int | None) -> Person | None:
        """The participant named by id, NIK or participant number, if the book holds it."""
        if isinstance(key, int):
            return self.people.get(key)
        pk = self.keys.get((key or "").strip())
        if pk is None and (parsed := identifier_parse(key)) is not None:
            pk = self.keys.get(parsed[1]) if parsed[0] == "nik" else parsed[1]
        return self.people.get(pk)

    def latest(self, moment: datetime | None) -> datetime | None:
        """``moment`` (``now`` when not given), or None when it lies further ahead of the server clock
        than the clock skew the coverage policy allows."""
        if moment is None:
            return self.now
        if self.latest_allowed is None:
            self.latest_allowed = latest_allowed(self.ratebook, self.now)
        return moment if moment <= self.latest_allowed else None

    def too_old(self, moment: datetime | None) -> bool:
        """True when ``moment`` falls on a day before the coverage policy's grace window for late records
        (``late_record_days`` before today): only a sender who may state history records it."""
        if moment is None:
            return False
        if self.earliest_day is None:
            self.earliest_day = earliest_day(self.ratebook, self.now)
        return self.days[moment] < self.earliest_day

    def price(
        self, first: Month, count: int, income: int, programmes: str, payer_kind: str | None = None
    ) -> tuple[Price, str]:
        """The price and its ledger breakdown (JSON text); a list has few distinct incomes and months, so
        each combination is priced once."""
        key = (first, count, income, programmes, payer_kind)
        if (found := self.prices.get(key)) is None:
            price = self.ratebook.price(
                first, count, income=income, programmes=parse_programmes(programmes), payer_kind=payer_kind
            )
            found = self.prices[key] = (price, db_json(price.as_dict()["months"]))
        return found

    def _people_lock(self, people: Iterable[str | int]) -> None:
        ids, niks, by_number = set(), set(), {}
        for key in people:
            if isinstance(key, int):
                ids.add(key)
            elif (parsed := identifier_parse(key)) is not None:
                if parsed[0] == "nik":
                    niks.add(parsed[1])
                else:
                    by_number[parsed[1]] = key.strip()
        ids |= by_number.keys()
        if not niks and not ids:
            return
        quote = connection.ops.quote_name
        # ``registered_at`` is read as text: most requests never need it, and a database's datetime
        # conversion of every row cost more than the rest of the row (a tenth of a PostgreSQL import).
        names = [
            f"s.{quote(name)}" if name in _STANDING else f"p.{quote('id' if name == 'pk' else name)}"
            for name in Person._fields
        ]
        columns = ", ".join(f"CAST({name} AS TEXT)" if "registered_at" in name else name for name in names)
        where, params = [], []
        for column, values in (("p.nik", niks), ("p.id", ids)):
            if values:
                condition, values = among(column, values)
                where.append(condition)
                params.extend(values)
        # The lock is the standing's: the row every ledger write rewrites, and the one a correction of
        # the participant locks first.
        lock = " FOR UPDATE OF s" if connection.features.has_select_for_update else ""
        participants, standings = quote(Participant._meta.db_table), quote(Standing._meta.db_table)
        sql = (
            f"SELECT {columns} FROM {participants} p JOIN {standings} s ON s.participant_id = p.id "
            f"WHERE {' OR '.join(where)} ORDER BY p.id{lock}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for values in cursor.fetchall():
                pk, nik, registered, income, programmes, registered_at, paid, *rest = values
                person = Person(
                    pk,
                    nik,
                    month_at(registered),
                    income,
                    programmes,
                    registered_at,
                    None if paid is None else month_at(paid),
                    *rest,
                )
                self.people[pk] = person
                self.keys[nik] = pk
                if pk in by_number:
                    self.keys[by_number[pk]] = pk


def latest_allowed(ratebook: RateBook, now: datetime) -> datetime:
    """The latest moment any channel may date a record at: ``now`` plus the coverage policy's clock skew
    (a moment further ahead is refused as ``future``)."""
    skew = ratebook.policy_for(Month.from_date(local_date(now))).clock_skew_seconds
    return now + timedelta(seconds=skew)


def earliest_day(ratebook: RateBook, now: datetime) -> date:
    """The first day (Jakarta) a sender who may not state history may date a record on: today less the
    coverage policy's ``late_record_days``."""
    today = local_date(now)
    return today - timedelta(days=ratebook.policy_for(Month.from_date(today)).late_record_days)


def _aware(value) -> datetime:
    """A datetime column as read raw: aware on PostgreSQL, UTC text on SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _priors(
    model,
    keys: Collection[tuple[str, str]],
    columns: tuple[str, str, str] = ("source", "idempotency_key", "id"),
) -> dict[tuple[str, str], Prior]:
    """The entries recorded earlier under any of the (source, reference) ``keys``, read from ``model``'s
    ``columns`` (source, reference, entry id) and its ``fingerprint``."""
    source, reference, entry = columns
    # A reference holding a control character is refused by its check and was never recorded; it is not
    # looked up (PostgreSQL refuses NUL even in a query's parameters).
    keys = {key for key in keys if key[1] and not has_control_character(key[1])}
    if not keys:
        return {}
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The pairs as a relation joined on the unique (source, key) index: one index probe per
            # reference. Two ``= ANY`` lists would let the planner scan every entry of the sources named
            # (a file names one or two outlets, each with millions of entries).
            pairs = sorted(keys)
            cursor.execute(
                f"SELECT p.{source}, p.{reference}, p.{entry}, p.fingerprint FROM {table} AS p "
                "JOIN unnest(%s::varchar[], %s::varchar[]) AS k (source, reference) "
                f"ON p.{source} = k.source AND p.{reference} = k.reference",
                [array_literal(pair[0] for pair in pairs), array_literal(pair[1] for pair in pairs)],
            )
        else:
            sources, source_params = among(source, {pair[0] for pair in keys})
            references, reference_params = among(reference, {pair[1] for pair in keys})
            cursor.execute(
                f"SELECT {source}, {reference}, {entry}, fingerprint FROM {table} "
                f"WHERE {sources} AND {references}",
                [*source_params, *reference_params],
            )
        rows = cursor.fetchall()
    return {(row[0], row[1]): Prior(row[2], row[3]) for row in rows if (row[0], row[1]) in keys}


def references_taken(
    *, payment_keys: Collection[tuple[str, str]] = (), deposit_keys: Collection[tuple[str, str]] = ()
) -> bool:
    """True when any of the (source, reference) keys names a ledger entry or deposit recorded before."""
    return bool(_priors(LedgerKey, payment_keys, columns=_LEDGER_KEY) or _priors(Deposit, deposit_keys))


def _runs(people: dict[int, Person]) -> dict[int, tuple[Run, ...]]:
    """The coverage runs of the participants, in order. Read after the participants are locked, so no
    payment of theirs can commit in between."""
    if not people:
        return {}
    condition, params = among("participant_id", people.keys())
    table = connection.ops.quote_name(CoverageRun._meta.db_table)
    runs: dict[int, list[Run]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT participant_id, first_month, last_month FROM {table} WHERE {condition} "
            "ORDER BY participant_id, first_month",
            params,
        )
        for participant_id, first, last in cursor.fetchall():
            runs.setdefault(participant_id, []).append(Run(month_at(first), month_at(last)))
    return {pk: tuple(own) for pk, own in runs.items()}


def _ledgers(people: dict[int, Person]) -> dict[int, list[Entry]]:
    if not people:
        return {}
    ledgers: dict[int, list[Entry]] = {pk: [] for pk in people}
    rows = (
        Payment.objects.filter(participant_id__in=list(people))
        .order_by("id")
        .values_list(
            "participant_id",
            "id",
            "kind",
            "first_month",
            "months",
            "amount",
            "reverses_id",
            "outlet_id",
            "agent_id",
            "channel",
            "breakdown",
            Coalesce("originally_paid_at", "paid_at"),
        )
    )
    for participant_id, *values in rows:
        ledgers[participant_id].append(Entry(*values))
    return ledgers
