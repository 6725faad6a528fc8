"""Rows of a query as the database driver gives them, for the reads of thousands of rows a page waits on.

Django turns every row of a ``values_list`` query into a list and passes each of its values through the
field's converters (an ``int()`` for a sum, a date parsed from SQLite's text): a few microseconds a row,
which is most of the time of a national leaderboard over 5,000 outlets. ``plain_rows`` runs the same
SQL, on the database the router chose for the query, and answers the driver's tuples; the caller takes
the values as they come: a sum is an int or, from PostgreSQL's ``numeric``, a ``Decimal``; a day is a
``date`` or, on SQLite, its ISO text.
"""

from datetime import date

from django.db import connections
from django.db.models import QuerySet


def plain_rows(rows: QuerySet) -> list[tuple]:
    """The rows of ``rows`` (a ``values_list`` query) as tuples, in the order of its select: the
    ``values_list`` fields first, then its annotations in the order they were added."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value) -> date:
    """A day as read: a ``date``, or SQLite's ISO text of one."""
    return value if isinstance(value, date) else date.fromisoformat(value)
