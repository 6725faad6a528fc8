"""Employers, their wage earners and their month's bills, each step next to a bare insert of the same rows
measured in the same run (issue #15: "100,000 employers with 5,000,000 workers imported, their month's
bills issued and paid, on SQLite and PostgreSQL").

    .venv/bin/python bench/employers.py                     # 100,000 employers x 50 workers, SQLite
    .venv/bin/python bench/employers.py --employers 5000 --workers-per-employer 50 \\
        --postgres postgres://postgres@127.0.0.1:5432/jaring_bench_employers --out employers.json

For each database (a fresh SQLite file in a temporary JARING_HOME; PostgreSQL if ``--postgres`` is given,
its database dropped and created anew; ``--no-sqlite`` leaves SQLite out): migrate, regions, Pos
outlets in five regencies, then four steps, each timed against a reference of the same rows:

1. employers: ``jaring import employers FILE`` of N employers (a Pos outlet each, a NIB each). Reference:
   the same CSV read and its employer rows inserted bare (``executemany``/``COPY``, no validation),
   then removed.
2. workers: ``jaring import workers FILE`` of K new workers per employer, jobs from this month (every
   NIK new: each row registers a wage earner and opens a job). Reference: the same CSV read and its
   participant and employment rows inserted bare (not the standing rows nor the tallies the import also
   writes, as ``bench/ingest.py``), then removed.
3. bills: ``employer_bills_issue(month=this month)``, every employer's bill as one set-based job.
   Reference: the bill and line rows it wrote, saved to a file and removed (not timed), then inserted
   again bare with the file read back, in one transaction.
4. pay: ``employer_bill_pay`` of every bill in full, one call a bill (there is no set-based path for
   many bills; each call writes its workers' ledger entries as one list). Reference: the ledger entries,
   ledger keys and bill payments it wrote, reinserted bare as in step 3 (not the coverage runs,
   standings and tallies the payments also write).

Prints rows/s and the ratio for each step; ``--out`` writes the figures and the machine as JSON;
``--profile DIR`` runs each jaring step under cProfile into DIR/<database>-<step>.prof.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchdb import database_recreate

REGENCIES = {
    "POS-BPN": "64.71",
    "POS-KRW": "32.15",
    "POS-SMG": "33.74",
    "POS-PTK": "61.04",
    "POS-JKT": "31.71",
}
SECTORS = ("C", "G", "I", "F", "H")
WAGES = (3_500_000, 4_200_000, 5_000_000, 5_750_000, 6_500_000, 8_000_000)
BARE_CHUNK = 50_000


def worker(employers: int, per_employer: int, work: Path, profile: Path | None) -> list[dict]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from jaring.channels.services import outlet_create, partner_create
    from jaring.common.bulk import db_date, db_datetime, insert_rows, reserve_ids
    from jaring.contributions.models import LedgerKey, Payment
    from jaring.employers.bills.services import employer_bill_pay, employer_bills_issue
    from jaring.employers.models import (
        Employer,
        EmployerBill,
        EmployerBillLine,
        EmployerBillPayment,
        Employment,
    )
    from jaring.imports.models import ImportJob
    from jaring.imports.readers import COLUMNS
    from jaring.imports.services import import_job_for_file, import_run
    from jaring.imports.synthetic import registration_row, villages_by_district
    from jaring.members.models import Participant
    from jaring.members.services.registration import PARTICIPANT_COLUMNS
    from jaring.regions.services import regions_load
    from jaring.rules.months import Month

    call_command("migrate", verbosity=0)
    regions_load()
    pos = partner_create(code="POS", name="Pos Indonesia", kind="pos")
    outlets = {}
    for code, regency in REGENCIES.items():
        district = min(villages_by_district([regency]))
        outlets[code] = outlet_create(code=code, name=code, partner=pos, region_code=district)
    villages = {code: sorted(villages_by_district([regency]).items()) for code, regency in REGENCIES.items()}
    codes = list(REGENCIES)
    now = timezone.now()
    month = Month.from_date(timezone.localdate())
    figures: list[dict] = []
    vendor = connection.vendor

    def vacuum(*models) -> None:
        """On PostgreSQL (this server runs without autovacuum), the dead rows a reference left behind are
        removed and the statistics brought up to date, so the next step starts from a clean table."""
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in models:
                    cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def table_clear(*models) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        vacuum(*models)

    def timed(step: str, call):
        """Runs a jaring step (under cProfile with ``--profile``); its seconds and its answer."""
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        answer = call()
        seconds = time.perf_counter() - started
        if profiler:
            profiler.disable()
            profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(profile / f"{vendor}-{step}.prof")
        return seconds, answer

    def report(
        step: str, rows: int, unit: str, reference: float, ours: float, what: str, note: str = ""
    ) -> None:
        figure = {
            "database": vendor,
            "step": step,
            "rows": rows,
            "unit": unit,
            "reference_seconds": round(reference, 2),
            "jaring_seconds": round(ours, 2),
            "reference_rows_per_second": round(rows / reference),
            "jaring_rows_per_second": round(rows / ours),
            "ratio": round(ours / reference, 2),
            "reference_what": what,
            "note": note,
        }
        figures.append(figure)
        print(
            f"{vendor:<10} {step:<10} {rows:>9,} {unit:<8} | reference bare insert "
            f"{rows / reference:>9,.0f} rows/s ({reference:6.1f} s) | jaring {rows / ours:>9,.0f} rows/s "
            f"({ours:6.1f} s) | ratio {ours / reference:4.1f}x {note}",
            flush=True,
        )

    def columns_of(model, explicit: dict) -> tuple[list[str], list]:
        """The model's columns (no id) and, for each column a bare row does not name, its default as the
        database takes it: the bare rows stay right whatever columns the table gains."""
        names, defaults = [], []
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            names.append(field.column)
            if field.column in explicit:
                defaults.append(None)
            else:
                defaults.append(field.get_db_prep_save(field.get_default(), connection))
        return names, defaults

    def bare_tuple(names: list[str], defaults: list, values: dict) -> tuple:
        return tuple(values.get(name, default) for name, default in zip(names, defaults, strict=True))

    def imported(path: Path, kind: str) -> tuple[float, ImportJob]:
        seconds, job = timed(
            kind, lambda: import_run(import_job_for_file(path=path, kind=kind), chunk_rows=5000)
        )
        assert job.status == ImportJob.Status.DONE, job.error
        return seconds, job

    # -- 1. employers -------------------------------------------------------------------------------
    employers_csv = work / "employers.csv"
    workforce = max(1, min(per_employer, 99))  # declared; an SME, as a Pos outlet may register
    with open(employers_csv, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS["employers"])
        for index in range(employers):
            outlet = codes[index % len(codes)]
            _district, in_district = villages[outlet][index % len(villages[outlet])]
            village = in_district[index % len(in_district)]
            sector = SECTORS[index % len(SECTORS)]
            writer.writerow(
                [f"CV Uji {index:06d}", village, sector, workforce, f"9{index:012d}", "", "", "", outlet, ""]
            )

    def bare_employers() -> float:
        started = time.perf_counter()
        sample = {"name", "nib", "npwp", "sector", "risk_class", "size", "workforce", "village_id"}
        sample |= {"office_id", "outlet_id", "agent_id", "status", "registered_at", "created_at"}
        names, defaults = columns_of(Employer, sample)
        moment = db_datetime(now)
        with open(employers_csv, encoding="utf-8") as handle, transaction.atomic():
            reader = csv.reader(handle)
            next(reader)
            rows = []
            for name, village, sector, declared, nib, npwp, _risk, _size, outlet, _agent in reader:
                values = {
                    "name": name,
                    "nib": nib,
                    "npwp": npwp,
                    "sector": sector,
                    "risk_class": 2,
                    "size": "medium",
                    "workforce": int(declared),
                    "village_id": village,
                    "office_id": None,
                    "outlet_id": outlets[outlet].pk,
                    "agent_id": None,
                    "status": "active",
                    "registered_at": moment,
                    "created_at": moment,
                }
                rows.append(bare_tuple(names, defaults, values))
            ids = reserve_ids(Employer._meta.db_table, len(rows))
            insert_rows(
                Employer._meta.db_table,
                ("id", *names),
                [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
            )
        return time.perf_counter() - started

    reference = bare_employers()
    table_clear(Employer)
    ours, job = imported(employers_csv, "employers")
    report("employers", employers, "rows", reference, ours, "employer rows from the same CSV")
    assert job.accepted == employers, job.reasons

    # -- 2. workers ---------------------------------------------------------------------------------
    workers_csv = work / "workers.csv"
    all_districts = sorted(villages_by_district(list(REGENCIES.values())).items())
    rng = random.Random(1)
    numbers = list(Employer.objects.order_by("pk").values_list("pk", flat=True))
    with open(workers_csv, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS["workers"])
        index = 0
        for pk in numbers:
            number = Employer(pk=pk).number
            for _ in range(per_employer):
                nik, name, born, sex, phone, village, occupation, *_rest = registration_row(
                    index, rng, all_districts, codes
                )
                wage = WAGES[index % len(WAGES)]
                writer.writerow([number, nik, name, born, sex, phone, village, occupation, wage, str(month)])
                index += 1
    workers = index
    outlet_of = dict(Employer.objects.values_list("pk", "outlet_id"))

    def bare_workers() -> float:
        from jaring.rules.employer_number import employer_seq

        started = time.perf_counter()
        people = dict.fromkeys(PARTICIPANT_COLUMNS)
        jobs, job_defaults = columns_of(Employment, {"participant_id", "employer_id", "wage", "first_month"})
        moment = db_datetime(now)
        with open(workers_csv, encoding="utf-8") as handle, transaction.atomic():
            reader = csv.reader(handle)
            next(reader)
            chunk: list[list[str]] = []

            def flush() -> None:
                ids = reserve_ids(Participant._meta.db_table, len(chunk))
                participants, employments = [], []
                for pk, (number, nik, name, born, sex, phone, village, occupation, wage, _first) in zip(
                    ids, chunk, strict=True
                ):
                    employer = employer_seq(number)
                    values = {
                        "nik": nik,
                        "name": name,
                        "birth_date": db_date(datetime.fromisoformat(born).date()),
                        "sex": sex,
                        "phone": phone,
                        "village_id": village,
                        "occupation_id": occupation,
                        "permanence": "permanent",
                        "segment": "PU",
                        "declared_income": int(wage),
                        "programmes": "JKK+JKM",
                        "channel": "pos",
                        "outlet_id": outlet_of[employer],
                        "agent_id": None,
                        "office_id": None,
                        "registered_at": moment,
                        "registered_month": month.index,
                        "created_at": moment,
                    }
                    participants.append(
                        (pk, *(values.get(column, people[column]) for column in PARTICIPANT_COLUMNS))
                    )
                    row = {
                        "participant_id": pk,
                        "employer_id": employer,
                        "wage": int(wage),
                        "first_month": month.index,
                        "created_at": moment,
                    }
                    employments.append(bare_tuple(jobs, job_defaults, row))
                insert_rows(Participant._meta.db_table, ("id", *PARTICIPANT_COLUMNS), participants)
                job_ids = reserve_ids(Employment._meta.db_table, len(employments))
                insert_rows(
                    Employment._meta.db_table,
                    ("id", *jobs),
                    [(pk, *row) for pk, row in zip(job_ids, employments, strict=True)],
                )
                chunk.clear()

            for cells in reader:
                chunk.append(cells)
                if len(chunk) == BARE_CHUNK:
                    flush()
            if chunk:
                flush()
        return time.perf_counter() - started

    unknown = set(PARTICIPANT_COLUMNS) - {
        "nik", "name", "birth_date", "sex", "phone", "village_id", "occupation_id", "permanence", "segment",
        "declared_income", "programmes", "channel", "outlet_id", "agent_id", "office_id", "registered_at",
        "registered_month", "created_at",
    }  # fmt: skip
    assert not unknown, f"the bare participant row does not know the columns {sorted(unknown)}"
    reference = bare_workers()
    table_clear(Employment, Participant)
    ours, job = imported(workers_csv, "workers")
    report("workers", workers, "rows", reference, ours, "participant and employment rows from the same CSV")
    assert job.accepted == workers, job.reasons
    vacuum(Participant, Employment)

    # -- 3. bills -----------------------------------------------------------------------------------
    ours, issued = timed("bills", lambda: employer_bills_issue(month=month))
    assert issued == employers, issued
    lines = EmployerBillLine.objects.count()
    reference = reinserted(work, [EmployerBill, EmployerBillLine])
    report(
        "bills",
        issued,
        "bills",
        reference,
        ours,
        "the bill and line rows written, reinserted",
        note=f"({lines:,} lines: {lines / ours:,.0f} lines/s; reference {lines / reference:,.0f})",
    )
    vacuum(EmployerBill, EmployerBillLine)

    # -- 4. pay -------------------------------------------------------------------------------------
    bills = list(EmployerBill.objects.order_by("pk").values_list("pk", "amount"))

    def pay_all() -> int:
        covered = 0
        for pk, amount in bills:
            result = employer_bill_pay(bill=EmployerBill(pk=pk), amount=amount, reference=f"TRF-{pk}")
            covered += result.covered
        return covered

    ours, covered = timed("pay", pay_all)
    assert covered == lines, (covered, lines)
    assert not EmployerBill.objects.exclude(status=EmployerBill.Status.PAID).exists()
    reference = reinserted(work, [EmployerBillPayment, Payment, LedgerKey])
    report(
        "pay",
        covered,
        "entries",
        reference,
        ours,
        "the ledger entries, ledger keys and bill payments written, reinserted",
        note=f"({len(bills):,} bills one call each: {len(bills) / ours:,.1f} bills/s, "
        f"{1000 * ours / len(bills):,.1f} ms a bill)",
    )
    return figures


def reinserted(work: Path, models: list) -> float:
    """The rows of ``models`` (no other table points at them) saved to a file and deleted, the tables
    vacuumed on PostgreSQL (not timed), then inserted again bare with their ids, the file read back, in
    one transaction (timed, with its commit and the foreign key checks it runs): the same rows the step
    wrote, as the database takes them, into tables as clean as the step found them."""
    from django.db import connection, transaction
    from django.db import models as fields

    from jaring.common.bulk import db_date, db_datetime, db_json, insert_rows

    def converter(field):
        if isinstance(field, fields.JSONField):
            return db_json
        if isinstance(field, fields.DateTimeField):
            return db_datetime
        if isinstance(field, fields.DateField):
            return db_date
        return lambda value: field.get_db_prep_save(value, connection)

    saved = []
    for model in models:
        concrete = model._meta.concrete_fields
        converters = [converter(field) for field in concrete]
        path = work / f"{model._meta.db_table}.pickle"
        with open(path, "wb") as handle:
            rows = model.objects.order_by("pk").values_list(*(field.attname for field in concrete))
            chunk = []
            for row in rows.iterator(chunk_size=10_000):
                chunk.append(tuple(convert(value) for convert, value in zip(converters, row, strict=True)))
                if len(chunk) == 10_000:
                    pickle.dump(chunk, handle)
                    chunk = []
            pickle.dump(chunk, handle)
        saved.append((model, [field.column for field in concrete], path))
    with transaction.atomic(), connection.cursor() as cursor:
        for model, _columns, _path in reversed(saved):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model, _columns, _path in saved:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    started = time.perf_counter()
    with transaction.atomic():
        for model, columns, path in saved:
            with open(path, "rb") as handle:
                while True:
                    try:
                        chunk = pickle.load(handle)
                    except EOFError:
                        break
                    insert_rows(model._meta.db_table, columns, chunk)
    seconds = time.perf_counter() - started
    for _model, _columns, path in saved:
        path.unlink()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--employers", type=int, default=100_000)
    parser.add_argument("--workers-per-employer", type=int, default=50)
    parser.add_argument("--postgres", help="PostgreSQL URL; its database is dropped and created anew")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--out", type=Path, help="write the figures as JSON to this file")
    parser.add_argument("--profile", type=Path, help="run each jaring step under cProfile into DIR")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        figures = worker(
            args.employers, args.workers_per_employer, Path(os.environ["JARING_HOME"]), args.profile
        )
        Path(os.environ["BENCH_FIGURES"]).write_text(json.dumps(figures))
        return
    targets = [] if args.no_sqlite else [None]
    if args.postgres:
        targets.append(args.postgres)
    figures, started = [], datetime.now(UTC)
    for url in targets:
        with tempfile.TemporaryDirectory(prefix="jaring-bench-employers-") as home:
            env = {
                **os.environ,
                "JARING_HOME": home,
                "DJANGO_SETTINGS_MODULE": "jaring.settings",
                "JARING_LOG_LEVEL": "ERROR",
                "BENCH_FIGURES": str(Path(home) / "figures.json"),
            }
            env.pop("DATABASE_URL", None)
            if url:
                database_recreate(url)
                env["DATABASE_URL"] = url
            command = [sys.executable, __file__, "--worker", "--employers", str(args.employers)]
            command += ["--workers-per-employer", str(args.workers_per_employer)]
            if args.profile:
                command += ["--profile", str(args.profile.resolve())]
            subprocess.run(command, env=env, check=True)
            figures += json.loads(Path(env["BENCH_FIGURES"]).read_text())
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "bench": "bench/employers.py",
            "command": " ".join(["bench/employers.py", *sys.argv[1:]]),
            "employers": args.employers,
            "workers_per_employer": args.workers_per_employer,
            "started_at": started.isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "load_average_at_the_end": round(os.getloadavg()[0], 2),
            },
            "figures": figures,
        }
        args.out.write_text(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main()
