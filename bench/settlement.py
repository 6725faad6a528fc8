"""How long a payment channel's settlement file takes to reconcile, next to importing the same payments
(``jaring import payments``) measured in the same run. Goal: within 1.5x of the import.

    .venv/bin/python bench/settlement.py --postgres postgres://postgres@127.0.0.1:5432/jaring_bench_settlement
    .venv/bin/python bench/settlement.py --lines 100000 --postgres URL      # a quick run
    .venv/bin/python bench/settlement.py --lines 100000 --postgres URL --profile DIR   # cProfile each case

The database of ``--postgres`` is dropped and created anew and prepared once (migrate, regions, a bank
and its host-to-host outlet, N participants registered through the import's pipeline, the payment
channel made by ``settlement.services.channel_create`` and credited to that outlet, ``VACUUM
ANALYZE``). Then two files of the same N one-month payments (one per participant, paid through the day
before now, business date today in Jakarta; references ``BENCH-00000001`` ...) are written: a payments
import file (by NIK, at the channel's outlet) and the channel's settlement file (by payment code). Each
case runs on its own copy of the prepared database (``CREATE DATABASE ... TEMPLATE``, then
``CHECKPOINT``), so each starts from the same state, and times the command line as an operator runs it:

- reference: ``jaring import payments FILE --json``: the N payments through the import;
- matched: the N payments first recorded under the channel's source (``channel:<CODE>``) and outlet
  through ``ledger_record`` with the fingerprint a notification records (not timed; ``VACUUM ANALYZE``
  after), then ``jaring settlement import FILE --channel CODE --date DAY --json``: every line ``matched``;
- recorded: the same settlement import with nothing recorded before: every line ``recorded``.

Prints the times, lines/s and the ratio settlement/import of each case; ``--out`` writes them as JSON.
The copies are dropped after each case (``--keep`` keeps them), the prepared database is kept for
another run with ``--work DIR --reuse`` (same DIR and ``--lines``), and ``--drop`` drops it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchdb import database_recreate

ROOT = Path(__file__).resolve().parent.parent
JARING = str(Path(sys.executable).parent / "jaring")
CHANNEL = "BENCH-H2H"
CASES = ("reference", "matched", "recorded")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jaring_bench_settlement"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000, help="payments in each file")
    parser.add_argument("--postgres", default=DEFAULT_URL, help="PostgreSQL URL (dropped and created anew)")
    parser.add_argument("--cases", default=",".join(CASES), help="which cases to run, comma-separated")
    parser.add_argument("--reuse", action="store_true", help="keep the prepared database of a run before")
    parser.add_argument("--keep", action="store_true", help="keep each case's copy of the database")
    parser.add_argument("--drop", action="store_true", help="drop the prepared database and its copies")
    parser.add_argument("--profile", type=Path, help="run each timed command under cProfile into DIR")
    parser.add_argument("--work", type=Path, help="directory of the files (default: a temporary one)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: prepare | prerecord
    options = parser.parse_args()
    if options.worker:
        {"prepare": prepare, "prerecord": prerecord}[options.worker](options.lines, Path(os.environ["WORK"]))
        return
    if options.drop:
        for name in (options.postgres, *(copy_url(options.postgres, case) for case in CASES)):
            database_drop(name)
        return
    if options.work:
        options.work.mkdir(parents=True, exist_ok=True)
        orchestrate(options, options.work)
    else:
        with tempfile.TemporaryDirectory(prefix="jaring-bench-settlement-") as work:
            orchestrate(options, Path(work))


# The orchestrating process: prepare once, copy per case, time the command lines


def orchestrate(options, work: Path) -> None:
    home = work / "home"  # the secret key and the import's result files live there, shared by the copies
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "JARING_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "jaring.settings",
        "JARING_LOG_LEVEL": "ERROR",
        "WORK": str(work),
    }
    plan_file = work / "plan.json"
    if not (
        options.reuse and plan_file.exists() and json.loads(plan_file.read_text())["lines"] == options.lines
    ):
        database_recreate(options.postgres)
        started = time.perf_counter()
        worker_run("prepare", options, {**env, "DATABASE_URL": options.postgres})
        print(f"prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    plan = json.loads(plan_file.read_text())
    # The fixed cost of a command (interpreter, Django, the command's imports), in every figure below.
    plan["startup_seconds"] = timed(
        [JARING, "settlement", "template"], {**env, "DATABASE_URL": options.postgres}, None, text=True
    )["seconds"]
    results: dict[str, dict] = {}
    for case in options.cases.split(","):
        url = copy_url(options.postgres, case)
        database_copy(options.postgres, url)
        case_env = {**env, "DATABASE_URL": url}
        try:
            if case == "matched":
                started = time.perf_counter()
                worker_run("prerecord", options, case_env)
                plan["prerecorded_seconds"] = time.perf_counter() - started
            sql(url, "CHECKPOINT")
            if case == "reference":
                command = [JARING, "import", "payments", str(work / "payments.csv"), "--json"]
            else:
                command = [JARING, "settlement", "import", str(work / "settlement.csv")]
                command += ["--channel", CHANNEL, "--date", plan["day"], "--json"]
            results[case] = timed(command, case_env, options.profile and options.profile / f"{case}.prof")
            print(f"{case}: {results[case]['seconds']:.1f} s {results[case]['answer']}", file=sys.stderr)
        finally:
            if not options.keep:
                database_drop(url)
    report(results, plan, options)


def worker_run(name: str, options, env: dict) -> None:
    subprocess.run(
        [sys.executable, __file__, "--worker", name, "--lines", str(options.lines)], env=env, check=True
    )


def timed(command: list[str], env: dict, profile: Path | None, text: bool = False) -> dict:
    if profile:
        profile.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"{' '.join(command[:4])} failed with status {result.returncode}")
    answer = result.stdout if text else json.loads(result.stdout)
    return {"seconds": seconds, "command": " ".join(command), "answer": answer}


def copy_url(url: str, case: str) -> str:
    return f"{url}_{case}"


def _split(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return f"{base}/postgres", name


def database_copy(template: str, url: str) -> None:
    admin, source = _split(template)
    _admin, name = _split(url)
    sql(admin, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def database_drop(url: str) -> None:
    admin, name = _split(url)
    sql(admin, f'DROP DATABASE IF EXISTS "{name}"')


def sql(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def report(results: dict, plan: dict, options) -> None:
    lines = plan["lines"]
    print(
        f"jaring settlement bench on PostgreSQL: {lines:,} lines, {plan['participants']:,} participants, "
        f"business date {plan['day']}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at "
        "the end"
    )
    reference = results.get("reference")
    for case, result in results.items():
        answer = result["answer"]
        if case == "reference":
            counts = f"{answer['accepted']:,} accepted, {answer['rejected']:,} rejected"
        else:
            buckets = ("matched", "recorded", "queued", "missing_from_file", "amount_differs", "rejected")
            counts = ", ".join(f"{bucket} {answer[bucket]:,}" for bucket in buckets if answer.get(bucket))
        ratio = f" | ratio {result['seconds'] / reference['seconds']:.2f}x the import" if reference else ""
        what = "jaring import payments" if case == "reference" else f"settlement, {case}"
        print(
            f"{what:<24} {result['seconds']:7.1f} s {lines / result['seconds']:>9,.0f} lines/s "
            f"({counts}){ratio}"
        )
    startup = plan["startup_seconds"]
    print(f"(every figure holds a command's start-up: `jaring settlement template` took {startup:.1f} s)")
    if "prerecorded_seconds" in plan:
        seconds = plan["prerecorded_seconds"]
        print(
            f"(the matched case's payments recorded through ledger_record first, not timed: {seconds:.1f} s)"
        )
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "bench": "bench/settlement.py",
            "lines": lines,
            "business_date": plan["day"],
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(options.postgres),
            "cases": results,
            "prerecorded_seconds": plan.get("prerecorded_seconds"),
            "startup_seconds": plan["startup_seconds"],
            "figures": {
                f"settlement {case}": {
                    "value": results[case]["seconds"],
                    "reference": reference["seconds"],
                    "ratio": results[case]["seconds"] / reference["seconds"],
                    "unit": "s",
                    "reference_what": f"jaring import payments of the same {lines:,} payments",
                }
                for case in ("matched", "recorded")
                if case in results and reference
            },
        }
        options.out.write_text(json.dumps(document, indent=1) + "\n")


def machine(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as connection:
        version = connection.execute("SELECT version()").fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "postgresql": version,
        "load_average": os.getloadavg()[0],
    }


# The workers: Django processes on the prepared database or a copy


def prepare(lines: int, work: Path) -> None:
    """The world, the participants, the channel and the two files of the same payments."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from jaring.channels.services import outlet_create, partner_create
    from jaring.common.clock import ZONE
    from jaring.contributions.queries import ratebook
    from jaring.imports.services import import_job_for_file, import_run
    from jaring.imports.synthetic import registrations_file_write
    from jaring.members.codes import payment_code_key
    from jaring.members.models import Participant
    from jaring.regions.services import regions_load
    from jaring.rules.months import Month
    from jaring.rules.payment_code import payment_code
    from jaring.rules.programmes import parse_programmes
    from jaring.settlement.services import channel_create

    call_command("migrate", verbosity=0)
    regions_load()
    bank = partner_create(code="BENCH-BANK", name="Bank Uji", kind="bank")
    outlet = outlet_create(code=CHANNEL, name="Bank Uji host-to-host", partner=bank, region_code="32.15.01")
    channel_create(code=CHANNEL, name="Bank Uji host-to-host", outlet=outlet)
    registrations = work / "registrations.csv"
    registrations_file_write(
        registrations, lines, outlets=[outlet.code], regencies=["64.71", "32.15", "33.74", "61.04", "31.71"]
    )
    started = time.perf_counter()
    job = import_run(import_job_for_file(path=registrations, kind="registrations"), chunk_rows=5000)
    print(f"registered {job.accepted:,} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    # Every payment of the file on one business date: today in Jakarta, spread from midnight to a
    # minute ago (a moment in the future is refused), one month at today's price.
    now = timezone.localtime(timezone.now(), ZONE)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    span = max((now - midnight).total_seconds() - 60, 1)
    month, book, key = Month.from_date(now.date()), ratebook(), payment_code_key()
    rows = Participant.objects.order_by("pk").values_list("pk", "nik", "declared_income", "programmes")
    with (
        open(work / "payments.csv", "w", encoding="utf-8", newline="") as payments,
        open(work / "settlement.csv", "w", encoding="utf-8", newline="") as settlement,
    ):
        imported, settled = (
            csv.writer(payments, lineterminator="\n"),
            csv.writer(settlement, lineterminator="\n"),
        )
        imported.writerow(["nik", "months", "amount", "paid_at", "outlet_code", "reference"])
        settled.writerow(["reference", "payment_code", "months", "amount", "paid_at"])
        written = 0
        for index, (pk, nik, income, programmes) in enumerate(rows.iterator(chunk_size=10_000)):
            amount = book.price(month, 1, income=income, programmes=parse_programmes(programmes)).total
            paid_at = (midnight + timedelta(seconds=int(index * span / job.accepted))).isoformat(sep=" ")
            reference = f"BENCH-{index + 1:08d}"
            imported.writerow([nik, 1, amount, paid_at, outlet.code, reference])
            settled.writerow([reference, payment_code(pk, key), 1, amount, paid_at])
            written += 1
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    (work / "plan.json").write_text(
        json.dumps({"lines": lines, "participants": written, "day": now.date().isoformat()})
    )


def prerecord(lines: int, work: Path) -> None:
    """Records the settlement file's payments as the channel's notifications would have: under its
    source, at its outlet, with the line's reference and moment (so the same fingerprint)."""
    import django

    django.setup()
    from django.db import connection

    from jaring.common.clock import parse_moment
    from jaring.contributions.services.checks import PaymentRequest
    from jaring.contributions.services.ledger import ledger_record
    from jaring.members.codes import payment_code_key
    from jaring.rules.payment_code import payment_code_serial
    from jaring.settlement.queries import channel_named

    channel, key = channel_named(CHANNEL), payment_code_key()
    recorded = 0

    def flush(chunk: list) -> int:
        outcomes = ledger_record(chunk, references_read=False)
        problems = [outcome for outcome in outcomes if isinstance(outcome, list)]
        if problems:
            raise SystemExit(f"{len(problems)} payments refused, the first: {problems[0]}")
        return len(chunk)

    with open(work / "settlement.csv", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        chunk = []
        for reference, code, months, amount, paid_at in reader:
            chunk.append(
                PaymentRequest(
                    participant=payment_code_serial(code, key),
                    months=int(months),
                    amount=int(amount),
                    source=channel.source,
                    reference=reference,
                    paid_at=parse_moment(paid_at),
                    outlet=channel.outlet,
                    history_allowed=True,
                )
            )
            if len(chunk) == 5_000:
                recorded += flush(chunk)
                chunk = []
        if chunk:
            recorded += flush(chunk)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"recorded {recorded:,} payments under {channel.source}", file=sys.stderr)


if __name__ == "__main__":
    main()
