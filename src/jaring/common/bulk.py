"""Set-based writes for the bulk paths: reserving ids, inserting and updating many rows at once.

PostgreSQL gets ``COPY`` for the big inserts, and statements over ``unnest`` of one array parameter per
column (``insert_values``, ``update_rows``, ``among``) elsewhere, so a chunk of thousands of rows costs
one round trip per statement and no per-row placeholders; ``pipelined()`` lets such statements run on the
server while Python works. SQLite gets ``executemany``. All take values already in the database's form
(see ``db_date`` / ``db_datetime``), so the bulk importer pays no per-field ORM cost.
"""

from collections.abc import Collection, Iterable, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime

from django.db import connection

_SEQUENCES: dict[str, str] = {}  # table -> its id sequence (PostgreSQL)


def reserve_ids(table: str, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table`` (an ``id`` column filled by its sequence).

    Must be called inside the transaction that inserts the rows. On PostgreSQL the ids come from the
    table's sequence (safe beside concurrent inserts); on SQLite the transaction holds the write lock
    (``IMMEDIATE``), so the ids after the current maximum are ours.
    """
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named once per table: looked up for every id, its name cost eight times
            # the ids themselves.
            if (sequence := _SEQUENCES.get(table)) is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                sequence = _SEQUENCES[table] = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + count))


# Up to this many rows are inserted one statement each with ``RETURNING id``: a single payment then costs
# one statement, where reserving its id first would cost a second one.
RETURNING_ROWS = 4


def insert_with_ids(table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Inserts the rows (tuples in ``columns`` order, without ``id``) and returns their new ids, in order:
    a few rows one ``INSERT ... RETURNING id`` each, many rows with ids reserved from the sequence and one
    ``COPY``/``executemany``. Must run inside a transaction."""
    if len(rows) > RETURNING_ROWS:
        ids = reserve_ids(table, len(rows))
        insert_rows(table, ("id", *columns), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return ids
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks}) RETURNING id"
    ids = []
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(sql, row)
            ids.append(cursor.fetchone()[0])
    return ids


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Inserts the rows (tuples in ``columns`` order) as fast as the database allows."""
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    name = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's exceptions, as for every other statement (a taken unique key is an IntegrityError).
            with connection.wrap_database_errors, cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", list(rows))


def among(column: str, values: Collection) -> tuple[str, list]:
    """A ``column`` is one of ``values`` condition and its parameters, for raw SQL.

    PostgreSQL gets ``= ANY(%s)`` with one array parameter: a chunk's thousands of keys would otherwise be
    thousands of placeholders for the driver to splice into the statement text and the server to parse.
    SQLite gets the plain ``IN`` list.
    """
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [array_literal(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def insert_values(
    model, columns: Sequence[str], rows: Sequence[Sequence], *, conflicts_ignored: bool = False
) -> None:
    """Inserts the rows (tuples in ``columns`` order) with one plain statement.

    PostgreSQL gets ``INSERT ... SELECT * FROM unnest(arrays)``, one array parameter per column: slower
    than ``COPY`` for large tables, but a plain statement, so it can go out inside ``pipelined()``.
    SQLite gets an ``executemany``. ``conflicts_ignored``: a row a unique key already holds is skipped
    (``ON CONFLICT DO NOTHING``, ``INSERT OR IGNORE``) instead of failing the statement.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    quoted = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(columns))
            verb = "INSERT OR IGNORE" if conflicts_ignored else "INSERT"
            cursor.executemany(f"{verb} INTO {table} ({quoted}) VALUES ({marks})", rows)
            return
        arrays = ", ".join(f"%s::{_array_type(model, column)}" for column in columns)
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT * FROM unnest({arrays})"
            + (" ON CONFLICT DO NOTHING" if conflicts_ignored else ""),
            [array_literal(column) for column in zip(*rows, strict=True)],
        )


def update_rows(model, key: str | Sequence[str], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """``UPDATE table SET columns WHERE key = ...`` for each row (values in ``columns`` order, then the
    key's values; ``key`` is a column or a tuple of columns).

    PostgreSQL gets one ``UPDATE ... FROM unnest(arrays)``: one round trip and one parameter per column
    whatever the number of rows (a ``VALUES`` list of thousands of rows costs more to build, send and plan
    than the update itself), and a plain statement that can go out inside ``pipelined()``. SQLite, whose
    statements cost no round trip, gets an ``executemany``.
    """
    if not rows:
        return
    keys = (key,) if isinstance(key, str) else tuple(key)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    if connection.vendor != "postgresql":
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        where = " AND ".join(f"{quote(column)} = %s" for column in keys)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {where}", rows)
        return
    names = [*columns, *keys]
    arrays = ", ".join(f"%s::{_array_type(model, name)}" for name in names)
    aliases = ", ".join(quote(f"v_{name}") for name in names)
    assignments = ", ".join(f"{quote(column)} = v.{quote(f'v_{column}')}" for column in columns)
    where = " AND ".join(f"t.{quote(column)} = v.{quote(f'v_{column}')}" for column in keys)
    values = [array_literal(column) for column in zip(*rows, strict=True)]
    # The first key's values once more, as an ``= ANY`` condition on the table: the rows are then found
    # by its index. Joined on the unnest alone, the planner may hash the whole table for every chunk
    # (a cost that grows with the table, not with the rows updated).
    first = keys[0]
    indexed = f"t.{quote(first)} = ANY(%s::{_array_type(model, first)})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM unnest({arrays}) AS v ({aliases}) "
            f"WHERE {where} AND {indexed}",
            [*values, values[len(columns)]],
        )


def array_literal(values: Iterable) -> str:
    """A PostgreSQL array literal (``{1,NULL,"a\\"b"}``) of ints, None and anything else as its text.

    The driver would dump a list element by element (a function call and a quoting test each); a chunk
    sends tens of thousands of elements per statement, so they travel as one string, cast by the
    statement (``%s::bigint[]``).
    """
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        elif type(value) is int:
            parts.append(str(value))
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{text}"')
    return "{" + ",".join(parts) + "}"


def _array_type(model, name: str) -> str:
    """The PostgreSQL array type of a model field's column (``bigint[]``, ``varchar(10)[]``)."""
    return f"{model._meta.get_field(name).db_type(connection)}[]"


@contextmanager
def pipelined():
    """Statements run inside the block are sent without waiting for each one's answer (PostgreSQL
    pipeline mode), so Python goes on working while the server writes; the block ends once the server has
    run them all, and an error in any of them is raised there. Only for writes whose answers nobody reads
    (no queries, no row counts) and never ``COPY``. Elsewhere a plain block.
    """
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def db_date(value: date | None):
    if value is None or connection.vendor == "postgresql":
        return value
    return value.isoformat()


def db_datetime(value: datetime | None):
    """An aware datetime as the database column takes it (SQLite: naive UTC text, as Django writes it)."""
    if value is None or connection.vendor == "postgresql":
        return value
    return str(value.astimezone(UTC).replace(tzinfo=None))


def db_json(value) -> str:
    """JSON text for a ``JSONField`` column written by hand."""
    import json

    return json.dumps(value, separators=(",", ":"))
