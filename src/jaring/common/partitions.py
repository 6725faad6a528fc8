"""Monthly partitions of the ledger and of the append-only tables that grow with it (PostgreSQL only).

The payments, the tallies, the coverage deltas and the audit trail are PostgreSQL tables partitioned by
range of a month: one partition per calendar month (Jakarta time) named ``<table>_pYYYYMM``, and a
``<table>_default`` partition that takes any row no monthly partition holds (a historical load, a month
whose partition the month-end job has not made yet), so an insert never fails for want of a partition.

- ``table_partition`` turns a plain table into a partitioned one with its rows (the migrations that
  introduce partitioning call it once per table);
- ``partitions_ensure`` makes the monthly partitions up to a month (the month-end job makes the next
  months'), moving any rows the default partition holds for those months into them;
- ``partitions_detach`` detaches the months before a given one: each becomes a plain table to dump and
  drop (docs/operations.md), and leaves the ledger's reads.

PostgreSQL wants the partition key in every unique key of a partitioned table: a table's primary key
becomes (id, key column), ids still come from one sequence, and uniqueness that must hold across months
lives in a table of its own (``contributions.PaymentKey``). SQLite has no partitions: every function here
does nothing there, and the same models and code run unpartitioned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db import connection, transaction

from jaring.common.clock import ZONE, month_of
from jaring.rules.months import Month, months_between


@dataclass(frozen=True)
class Partitioned:
    """A table partitioned by month of ``column``; ``kind`` says what the column holds: a "moment"
    (timestamp with time zone: months begin at midnight in Jakarta), a "day" (date) or a "month"
    (``MonthField``: the month's index)."""

    table: str
    column: str
    kind: str

    def bound(self, month: Month) -> str:
        """The SQL literal where ``month`` begins in this table's column."""
        if self.kind == "month":
            return str(month.index)
        if self.kind == "day":
            return f"'{month.first_day().isoformat()}'"
        return f"'{datetime.combine(month.first_day(), time(), tzinfo=ZONE).isoformat()}'"

    def month_of(self, value) -> Month:
        """The month a column value falls in."""
        if self.kind == "month":
            return value if isinstance(value, Month) else Month(value)
        if self.kind == "moment":
            value = value.astimezone(ZONE)
        return Month.from_date(value)

    def range(self, month: Month) -> str:
        """The bound clause of ``month``'s partition."""
        return f"FOR VALUES FROM ({self.bound(month)}) TO ({self.bound(month + 1)})"

    def partition(self, month: Month) -> str:
        return f"{self.table}_p{month.year:04d}{month.month:02d}"

    @property
    def default(self) -> str:
        return f"{self.table}_default"


PARTITIONED = (
    Partitioned("contributions_payment", "paid_at", "moment"),
    Partitioned("monitoring_tally", "day", "day"),  # tallies.Tally (its table kept its first name)
    Partitioned("monitoring_coveragedelta", "month", "month"),
    Partitioned("accounts_auditentry", "at", "moment"),
)
BY_TABLE = {spec.table: spec for spec in PARTITIONED}


def is_partitioned(table: str) -> bool:
    """True when ``table`` is a partitioned table in the database in use."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def table_partition(schema_editor, table: str) -> None:
    """Rebuilds plain ``table`` as a table partitioned by month, with its rows, indexes and checks, a
    partition for every month its rows fall in, the current and the next month, and the default. For a
    migration: runs inside its transaction. Fails if a foreign key points at the table (PostgreSQL
    cannot refer to a partitioned table by ``id`` alone)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    spec = BY_TABLE[table]
    execute = schema_editor.execute
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = to_regclass(%s)",
            [table],
        )
        if referring := cursor.fetchall():
            raise RuntimeError(f"{table} cannot be partitioned: foreign keys point at it: {referring}")
        # Indexes that back no constraint (the constraints bring their own).
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid), x.indisunique FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = to_regclass(%s) AND contype IN ('c', 'f', 'u') ORDER BY contype, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
            "AND NOT tgisinternal",
            [table],
        )
        triggers = cursor.fetchall()
        cursor.execute(f"SELECT min({spec.column}), max({spec.column}) FROM {table}")
        first, last = cursor.fetchone()
    for name, definition, unique in [*indexes, *((c[0], c[1], c[2] == "u") for c in constraints)]:
        if unique and spec.column not in definition:
            raise RuntimeError(
                f"{table} cannot be partitioned: unique {name} does not hold {spec.column} ({definition})"
            )
    old = f"{table}_unpartitioned"
    sequence = f"{table}_id_seq"
    execute(f"ALTER TABLE {table} RENAME TO {old}")
    # Index names are the schema's (a constraint's name is its table's, but a unique constraint's index
    # is named after it): the old ones step aside for the new table's, under short names of their own.
    backed = [name for name, _definition, kind in constraints if kind == "u"]
    for number, name in enumerate([f"{table}_pkey", *backed]):
        execute(f"ALTER TABLE {old} RENAME CONSTRAINT {name} TO unpartitioned_constraint_{number}")
    for number, (name, *_rest) in enumerate(indexes):
        execute(f"ALTER INDEX {name} RENAME TO unpartitioned_index_{number}")
    # The id keeps coming from one sequence of its own (an identity column cannot be partitioned here).
    execute(f"CREATE SEQUENCE {sequence}_p")
    execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS, PRIMARY KEY (id, {spec.column})) "
        f"PARTITION BY RANGE ({spec.column})"
    )
    execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{sequence}_p')")
    execute(f"ALTER SEQUENCE {sequence}_p OWNED BY {table}.id")
    for name, definition, _kind in constraints:
        execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    execute(f"CREATE TABLE {spec.default} PARTITION OF {table} DEFAULT")
    today = month_of()
    months = [today, today + 1]
    if first is not None:
        months += months_between(spec.month_of(first), spec.month_of(last))
    for month in sorted(set(months)):
        _partition_create(execute, spec, month)
    # The definitions name ``public.<table>``: the partitioned table now, the old one being renamed.
    for _name, definition, _unique in indexes:
        execute(definition)
    for _name, definition in triggers:
        execute(definition)
    execute(f"INSERT INTO {table} SELECT * FROM {old}")
    execute(f"SELECT setval('{sequence}_p', GREATEST((SELECT max(id) FROM {old}), 1))")
    execute(f"DROP TABLE {old}")
    execute(f"ALTER SEQUENCE {sequence}_p RENAME TO {sequence}")


def _partition_create(execute, spec: Partitioned, month: Month) -> None:
    name = spec.partition(month)
    execute(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {spec.table} {spec.range(month)}")


def partitions_ensure(*, through: Month, since: Month | None = None) -> list[str]:
    """Makes every missing monthly partition from ``since`` (default: the current month) up to
    ``through`` for each partitioned table, moving the default partition's rows of those months into
    them; returns the partitions made. Nothing on SQLite."""
    made: list[str] = []
    if connection.vendor != "postgresql":
        return made
    first = since or month_of()
    for spec in PARTITIONED:
        if not is_partitioned(spec.table):
            continue
        existing = partitions_of(spec.table)
        for month in months_between(first, through):
            if spec.partition(month) not in existing:
                _partition_add(spec, month)
                made.append(spec.partition(month))
    return made


def _partition_add(spec: Partitioned, month: Month) -> None:
    """One month's partition. Rows the default partition holds for that month (a historical load, a
    month-end run missed) move into it: a partition cannot be attached while the default holds rows of
    its range."""
    name, default = spec.partition(month), spec.default
    within = f"{spec.column} >= {spec.bound(month)} AND {spec.column} < {spec.bound(month + 1)}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {within})")
        if not cursor.fetchone()[0]:
            _partition_create(cursor.execute, spec, month)
            return
        cursor.execute(f"LOCK TABLE {spec.table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {name} (LIKE {spec.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        moved = f"DELETE FROM {default} WHERE {within} RETURNING *"
        cursor.execute(f"WITH moved AS ({moved}) INSERT INTO {name} SELECT * FROM moved")
        cursor.execute(f"ALTER TABLE {spec.table} ATTACH PARTITION {name} {spec.range(month)}")


def partitions_of(table: str) -> dict[str, str]:
    """The partitions of ``table``: name -> bound as PostgreSQL writes it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
            [table],
        )
        return dict(cursor.fetchall())


def partitions_detach(*, before: Month, actor) -> list[str]:
    """Detaches every monthly partition of a month before ``before``: each stays in the database as a
    plain table (``<table>_pYYYYMM``) for the operator to dump and drop, and no longer answers reads of
    its table. Audited as ``actor``'s; returns the partitions detached."""
    from jaring.accounts.audit import audit  # the audit trail is a partitioned table itself

    detached: list[str] = []
    if connection.vendor != "postgresql":
        return detached
    for spec in PARTITIONED:
        if not is_partitioned(spec.table):
            continue
        for name in partitions_of(spec.table):
            month = _month_of_name(spec, name)
            if month is not None and month < before:
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {name}")
                detached.append(name)
    if detached:
        audit(actor, "update", summary=f"partitions detached before {before}: {', '.join(detached)}")
    return detached


def _month_of_name(spec: Partitioned, name: str) -> Month | None:
    suffix = name.removeprefix(f"{spec.table}_p")
    if suffix == name or len(suffix) != 6 or not suffix.isdigit():
        return None
    return Month.of(int(suffix[:4]), int(suffix[4:]))
