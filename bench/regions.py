"""How fast `jaring regions load` is, next to a bare insert of the same rows.

    .venv/bin/python bench/regions.py            # on a fresh SQLite file under a temporary JARING_HOME
    DATABASE_URL=postgres://... .venv/bin/python bench/regions.py

The reference is the physical floor: the same 91,599 (code, name, level, parent) rows inserted with one
`executemany` into a table of the same shape, no validation, no upsert. Prints both and the ratio.
"""

import os
import sys
import tempfile
import time

os.environ.setdefault("JARING_HOME", tempfile.mkdtemp(prefix="jaring-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaring.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from jaring.regions.models import Region  # noqa: E402
from jaring.regions.services import _packaged_csv, regions_load  # noqa: E402


def bare_insert() -> float:
    rows = []
    for row in _packaged_csv("wilayah.csv"):
        code = row["kode"]
        rows.append((code, row["nama"], code.count(".") + 1, code.rsplit(".", 1)[0] if "." in code else None))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_region")
        cursor.execute(
            "CREATE TABLE bench_region (code varchar(13) PRIMARY KEY, name varchar(120), level smallint, "
            "parent varchar(13))"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_region VALUES (%s, %s, %s, %s)", rows)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_region")
    return seconds


def main() -> None:
    call_command("migrate", verbosity=0)
    with transaction.atomic(), connection.cursor() as cursor:  # a fresh table (the tree protects itself)
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Region._meta.db_table)}")
    started = time.perf_counter()
    summary = regions_load()
    first = time.perf_counter() - started
    started = time.perf_counter()
    regions_load()
    again = time.perf_counter() - started
    reference = bare_insert()
    print(f"database: {connection.vendor}", file=sys.stderr)
    print(f"jaring regions load (empty):   {summary.regions:,} rows in {first:6.2f} s")
    print(f"jaring regions load (again):   {summary.regions:,} rows in {again:6.2f} s")
    print(f"reference bare executemany:    {summary.regions:,} rows in {reference:6.2f} s")
    print(f"ratio (first load / reference): {first / reference:.1f}x")


if __name__ == "__main__":
    main()
