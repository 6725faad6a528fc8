"""Bulk import speed, next to a bare insert of the same rows measured in the same run.

    .venv/bin/python bench/ingest.py                      # 1,000,000 rows on SQLite
    .venv/bin/python bench/ingest.py --rows 100000 --postgres postgres://postgres@127.0.0.1:5432/jaring_bench

For each database (a fresh SQLite file in a temporary JARING_HOME; PostgreSQL if ``--postgres`` is given,
its database dropped and created anew): regions are loaded, a registration file of N synthetic rows is
written, and then
- reference: the same rows, read from the same CSV, inserted into the participants table with no
  validation (``executemany`` on SQLite, ``COPY`` on PostgreSQL), then removed;
- jaring: ``jaring import registrations FILE`` through the real pipeline (validation, duplicates,
  branch resolution, per-row results, chunk checkpoints).
The same for a payments file of one payment per participant. Prints rows/s and the ratio.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdb import database_recreate


def worker(rows: int, work: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from jaring.channels.services import outlet_create, partner_create
    from jaring.common.bulk import db_date, db_datetime, db_json, insert_rows, reserve_ids
    from jaring.contributions.models import CoverageRun, Payment
    from jaring.contributions.queries import ratebook
    from jaring.contributions.services.apply import ENTRY_COLUMNS
    from jaring.imports.models import ImportJob
    from jaring.imports.services import import_job_for_file, import_run
    from jaring.imports.synthetic import registrations_file_write
    from jaring.members.models import Participant
    from jaring.members.services.registration import PARTICIPANT_COLUMNS
    from jaring.regions.services import regions_load
    from jaring.rules.months import Month
    from jaring.rules.programmes import parse_programmes

    call_command("migrate", verbosity=0)
    regions_load()
    pos = partner_create(code="POS", name="Pos Indonesia", kind="pos")
    outlets = []
    for code, district in (("POS-BPN", "64.71.01"), ("POS-KRW", "32.15.01"), ("POS-SMG", "33.74.01")):
        outlets.append(outlet_create(code=code, name=code, partner=pos, region_code=district))
    by_code = {outlet.code: outlet for outlet in outlets}
    registrations = work / "registrations.csv"
    registrations_file_write(
        registrations, rows, outlets=list(by_code), regencies=["64.71", "32.15", "33.74", "61.04", "31.71"]
    )
    now = timezone.now()
    month = Month.from_date(timezone.localdate())

    def table_clear(*models):
        """Removes the reference's rows, and on PostgreSQL their dead versions too: the import then starts
        from the state the reference started from (this server runs without autovacuum), not from a
        table and indexes holding a million dead rows."""
        names = [connection.ops.quote_name(model._meta.db_table) for model in models]
        with transaction.atomic(), connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"DELETE FROM {name}")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for name in names:
                    cursor.execute(f"VACUUM ANALYZE {name}")

    def bare_registrations() -> float:
        started = time.perf_counter()
        with open(registrations, encoding="utf-8") as handle, transaction.atomic():
            reader = csv.reader(handle)
            next(reader)
            values = []
            for cells in reader:
                outlet = by_code[cells[9]]
                values.append(
                    (
                        None,
                        cells[0],
                        cells[1],
                        db_date(_date(cells[2])),
                        cells[3],
                        cells[4],
                        cells[5],
                        cells[6],
                        "permanent",
                        "BPU",
                        int(cells[7]),
                        cells[8],
                        "pos",
                        outlet.pk,
                        None,
                        None,
                        db_datetime(now),
                        month.index,
                        db_datetime(now),
                    )
                )
            ids = reserve_ids(Participant._meta.db_table, len(values))
            insert_rows(
                Participant._meta.db_table,
                ("id", *PARTICIPANT_COLUMNS),
                [(pk, *row[1:]) for pk, row in zip(ids, values, strict=True)],
            )
        return time.perf_counter() - started

    def timed_import(path: Path, kind: str) -> tuple[float, ImportJob]:
        started = time.perf_counter()
        job = import_run(import_job_for_file(path=path, kind=kind), chunk_rows=5000)
        return time.perf_counter() - started, job

    reference = bare_registrations()
    table_clear(Participant)
    ours, job = timed_import(registrations, "registrations")
    report("registrations", rows, reference, ours, job)

    book = ratebook()
    payments = work / "payments.csv"
    with open(payments, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["nik", "months", "amount", "paid_at", "outlet_code", "reference"])
        for nik, income, programmes, outlet in Participant.objects.values_list(
            "nik", "declared_income", "programmes", "outlet__code"
        ).iterator(chunk_size=10_000):
            total = book.price(month, 1, income=income, programmes=parse_programmes(programmes)).total
            writer.writerow([nik, 1, total, "", outlet, f"BENCH-{nik}"])

    def bare_payments() -> float:
        started = time.perf_counter()
        people = dict(Participant.objects.values_list("nik", "pk"))
        with open(payments, encoding="utf-8") as handle, transaction.atomic():
            reader = csv.reader(handle)
            next(reader)
            values = []
            for cells in reader:
                outlet = by_code[cells[4]]
                values.append(
                    (
                        None,
                        people[cells[0]],
                        "contribution",
                        month.index,
                        1,
                        int(cells[2]),
                        db_json([]),
                        "pos",
                        outlet.pk,
                        None,
                        None,
                        None,
                        "",
                        f"outlet:{outlet.code}",
                        cells[5],
                        "",
                        db_datetime(now),
                        None,
                        db_datetime(now),
                    )
                )
            ids = reserve_ids(Payment._meta.db_table, len(values))
            insert_rows(
                Payment._meta.db_table,
                ("id", *ENTRY_COLUMNS),
                [(pk, *row[1:]) for pk, row in zip(ids, values, strict=True)],
            )
        return time.perf_counter() - started

    payment_rows = job.accepted
    reference = bare_payments()
    table_clear(Payment)
    ours, job = timed_import(payments, "payments")
    report("payments", payment_rows, reference, ours, job)
    assert CoverageRun.objects.count() == job.accepted


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


def report(kind: str, rows: int, reference: float, ours: float, job) -> None:
    from django.db import connection

    print(
        f"{connection.vendor:<10} {kind:<13} {rows:>9,} rows | reference bare insert "
        f"{rows / reference:>9,.0f} rows/s ({reference:6.1f} s) | jaring import {rows / ours:>9,.0f} rows/s "
        f"({ours:6.1f} s, {job.accepted:,} accepted) | ratio {ours / reference:4.1f}x",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="PostgreSQL URL; its database is dropped and created anew")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.rows, Path(os.environ["JARING_HOME"]))
        return
    targets = [] if args.no_sqlite else [None]
    if args.postgres:
        targets.append(args.postgres)
    for url in targets:
        with tempfile.TemporaryDirectory(prefix="jaring-ingest-") as home:
            env = {**os.environ, "JARING_HOME": home, "DJANGO_SETTINGS_MODULE": "jaring.settings"}
            env.pop("DATABASE_URL", None)
            if url:
                database_recreate(url)
                env["DATABASE_URL"] = url
            subprocess.run(
                [sys.executable, __file__, "--worker", "--rows", str(args.rows)], env=env, check=True
            )


if __name__ == "__main__":
    main()
