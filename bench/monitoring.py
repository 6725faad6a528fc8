"""Monitoring reads on real tally tables, next to the same answers from a direct scan of the facts.

    .venv/bin/python bench/monitoring.py                              # 100,000 then 1,000,000 on SQLite
    .venv/bin/python bench/monitoring.py --rows-small 10000 --rows-large 100000   # a quick look
    .venv/bin/python bench/monitoring.py --no-sqlite --rows-large 10000000 \\
        --postgres postgres://postgres@127.0.0.1:5432/jaring_bench

For each database (a fresh SQLite file in a temporary JARING_HOME; PostgreSQL if ``--postgres`` is given,
its database dropped and created anew) the demo's office tree and 100 Pos outlets are made, then workers
registered on every day of 2023 are loaded through the normal bulk import (``import_run``), a third of them
paying one month on the day they register, so the tallies are the ones the import writes. At each size
(``--rows-small``, then ``--rows-large``) it times, as the median of several runs:
- leaderboard: ``contest_leaderboard`` of a quarter of a contest over every Pos outlet;
- monev: ``contest_monev`` of the contest's four quarters;
- national target status: ``target_status`` of the head office (new participants, contributions and
  active participants for 2023, the head office's own targets and one per regional office);
and the same answers computed by GROUP BY queries over participants, payments and coverage runs (the
reference), checking that both agree. The goal: well under 50 ms, and flat as the data grows tenfold.
"""

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchdb import database_recreate

OUTLETS = 100
YEAR = 2023
QUARTERS = [
    ("Q1", date(2023, 1, 1), date(2023, 3, 31)),
    ("Q2", date(2023, 4, 1), date(2023, 6, 30)),
    ("Q3", date(2023, 7, 1), date(2023, 9, 30)),
    ("Q4", date(2023, 10, 1), date(2023, 12, 31)),
]
AS_OF = date(2023, 11, 15)
RUNS = 7


def world_build():
    from jaring.channels.services import outlet_create, partner_create
    from jaring.demo import layout
    from jaring.monitoring.services import contest_define, target_set
    from jaring.monitoring.targets import year_period
    from jaring.org.services import branch_areas_assign, office_create
    from jaring.regions.models import Region

    head = office_create(code="KP", name="Kantor Pusat", kind="head")
    regencies = []
    start, end = year_period(YEAR)
    for regional in layout.REGIONAL_OFFICES:
        parent = office_create(code=regional.code, name=regional.name, kind="regional", parent=head)
        target_set(metric="new_participants", start=start, end=end, value=200_000, office=parent)
        for branch in regional.branches:
            office = office_create(code=branch.code, name=branch.name, kind="branch", parent=parent)
            branch_areas_assign(office=office, regency_codes=list(branch.regencies))
            regencies += branch.regencies
    for metric, value in (
        ("new_participants", 900_000),
        ("contributions", 10**10),
        ("active_participants", 10**6),
    ):
        target_set(metric=metric, start=start, end=end, value=value, office=head)
    pos = partner_create(code="POS", name="Pos Indonesia", kind="pos")
    districts = list(
        Region.objects.filter(level=Region.Level.DISTRICT, parent_id__in=regencies)
        .order_by("code")
        .values_list("code", flat=True)
    )
    for number in range(OUTLETS):
        outlet_create(
            code=f"POS-{number:03d}",
            name=f"KPC {number:03d}",
            partner=pos,
            region_code=districts[number * 7 % len(districts)],
        )
    contest_define(
        spec={
            "code": "bench",
            "name": "Bench contest",
            "metric": "new_registrations",
            "outlets": {"partner": "pos"},
            "prizes": [10_000_000, 5_000_000, 2_500_000],
            "periods": [{"code": code, "start": first, "end": last} for code, first, last in QUARTERS],
        }
    )
    return sorted(set(regencies))


def files_write(work: Path, first: int, count: int) -> tuple[Path, Path]:
    """Registrations ``first .. first + count - 1`` dated over 2023, each worker living in the district of
    the outlet that registers them, and a one-month payment on the day of every third of them."""
    from jaring.channels.models import Outlet
    from jaring.contributions.queries import ratebook
    from jaring.imports.readers import COLUMNS
    from jaring.imports.synthetic import registration_row
    from jaring.regions.models import Region
    from jaring.rules.months import Month
    from jaring.rules.programmes import parse_programmes

    book = ratebook()
    rng = random.Random(first)
    outlets = list(Outlet.objects.order_by("code").values_list("code", "region_id"))
    homes = {
        code: [(district, list(Region.objects.filter(parent_id=district).values_list("code", flat=True)))]
        for code, district in outlets
    }
    registrations, payments = work / f"reg-{first}.csv", work / f"pay-{first}.csv"
    prices = {}
    with open(registrations, "w", newline="") as reg, open(payments, "w", newline="") as pay:
        reg_out, pay_out = csv.writer(reg, lineterminator="\n"), csv.writer(pay, lineterminator="\n")
        reg_out.writerow(COLUMNS["registrations"])
        pay_out.writerow(COLUMNS["payments"])
        for index in range(first, first + count):
            outlet = outlets[(index * 31) % len(outlets)][0]
            row = registration_row(index, rng, homes[outlet], [outlet])
            day = date(YEAR, 1, 1) + timedelta(days=(index * 7919) % 365)
            row[11] = day.isoformat()
            reg_out.writerow(row)
            if index % 3 == 0:
                key = (day.month, row[7], row[8])
                if key not in prices:
                    prices[key] = book.price(Month.from_date(day), 1, income=int(row[7]),
                                             programmes=parse_programmes(row[8])).total  # fmt: skip
                pay_out.writerow([row[0], 1, prices[key], day.isoformat(), outlet, f"B{index}"])
    return registrations, payments


def load(work: Path, first: int, count: int) -> float:
    from jaring.imports.services import import_job_for_file, import_run

    started = time.perf_counter()
    for path, kind in zip(files_write(work, first, count), ("registrations", "payments"), strict=True):
        job = import_run(import_job_for_file(path=path, kind=kind), chunk_rows=20_000)
        assert job.status == "done" and job.rejected == 0, (job.error, job.reasons)
    return time.perf_counter() - started


# --- The reference: the same answers from the facts -------------------------------------------------------


def scan_leaderboard(period: str, through: date = AS_OF) -> dict[str, int]:
    from django.db.models import Count

    from jaring.common.clock import end_of_day, start_of_day
    from jaring.members.models import Participant

    _code, first, last = next(q for q in QUARTERS if q[0] == period)
    rows = (
        Participant.objects.filter(
            registered_at__gte=start_of_day(first), registered_at__lte=end_of_day(min(last, through)),
            outlet__partner__kind="pos", segment="BPU",
        )
        .values_list("outlet__code")
        .annotate(n=Count("id"))
        .order_by()
    )  # fmt: skip
    return dict(rows)


def scan_monev() -> list[int]:
    return [sum(scan_leaderboard(code).values()) for code, first, _last in QUARTERS if first <= AS_OF]


def scan_national() -> tuple[int, int, int]:
    from django.db.models import Count, Q, Sum

    from jaring.common.clock import end_of_day, start_of_day
    from jaring.contributions.models import CoverageRun, Payment
    from jaring.members.models import Participant
    from jaring.rules.months import Month

    start, through = start_of_day(date(YEAR, 1, 1)), end_of_day(AS_OF)
    registered = Participant.objects.filter(
        registered_at__gte=start, registered_at__lte=through, segment="BPU"
    ).count()
    collected = (
        Payment.objects.filter(
            paid_at__gte=start, paid_at__lte=through, participant__segment="BPU"
        ).aggregate(n=Sum("amount"))["n"]
        or 0
    )
    month = Month.from_date(AS_OF).index
    active = CoverageRun.objects.filter(
        Q(first_month__lte=month) & Q(last_month__gte=month), participant__segment="BPU"
    ).aggregate(n=Count("participant_id", distinct=True))["n"]
    return registered, collected, active


# --- The reads under test ---------------------------------------------------------------------------------


def timed(function) -> tuple[float, object]:
    function()  # warm the caches once
    times, result = [], None
    for _run in range(RUNS):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def measure(size: int) -> None:
    from django.db import connection

    from jaring.members.models import Participant
    from jaring.monitoring.queries import contest_get, contest_leaderboard, contest_monev, target_status
    from jaring.org.models import Office
    from jaring.tallies.models import CoverageDelta, Tally

    contest, head = contest_get("bench"), Office.objects.get(code="KP")
    board_ms, board = timed(lambda: contest_leaderboard(contest, "Q2", AS_OF))
    scan_board_ms, scanned = timed(lambda: scan_leaderboard("Q2"))
    assert {row.outlet: row.value for row in board.rows if row.value} == scanned, "leaderboard differs"
    monev_ms, monev = timed(lambda: contest_monev(contest, AS_OF))
    scan_monev_ms, scanned = timed(scan_monev)
    assert [p.total for p in monev.periods if p.total is not None] == scanned, "monev differs"
    status_ms, status = timed(lambda: target_status(head, AS_OF))
    scan_status_ms, scanned = timed(scan_national)
    by_metric = {line.metric: line.achievement for line in status.lines}
    assert (
        by_metric["new_participants"],
        by_metric["contributions"],
        by_metric["active_participants"],
    ) == scanned
    print(
        f"{connection.vendor:<10} {size:>10,} participants ({Participant.objects.count():,} loaded; "
        f"{Tally.objects.count():,} tally rows, {CoverageDelta.objects.count():,} coverage deltas)\n"
        f"           leaderboard      {board_ms:8.1f} ms | reference scan {scan_board_ms:9.1f} ms\n"
        f"           monev            {monev_ms:8.1f} ms | reference scan {scan_monev_ms:9.1f} ms\n"
        f"           national target  {status_ms:8.1f} ms | reference scan {scan_status_ms:9.1f} ms",
        flush=True,
    )


def _analyze() -> None:
    """Fresh planner statistics and, on PostgreSQL, the tally tables compacted. Every upsert leaves a dead
    row version behind: loading 1 M workers in minutes (with autovacuum off, as on the test server) leaves
    ~570,000 of them in a 54 MB table of 21,900 live rows, and a national read scans them all (~60 ms
    instead of ~25). Autovacuum keeps a live table near its size; give the tally tables an aggressive
    autovacuum setting in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM FULL ANALYZE monitoring_tally, monitoring_coveragedelta")
        cursor.execute("ANALYZE")


def worker(small: int, large: int, work: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from jaring.regions.services import regions_load

    call_command("migrate", verbosity=0)
    regions_load()
    world_build()
    done = 0
    for size in sorted({small, large}):
        seconds = load(work, done, size - done)
        print(f"loaded {size - done:,} registrations (a third paying) through the import in {seconds:.0f} s",
              flush=True)  # fmt: skip
        done = size
        _analyze()
        measure(size)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows-small", type=int, default=100_000)
    parser.add_argument("--rows-large", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="PostgreSQL URL; its database is dropped and created anew")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--keep", help="keep the SQLite database in this folder (JARING_HOME) to look at")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.rows_small, args.rows_large, Path(os.environ["JARING_HOME"]))
        return
    targets = [] if args.no_sqlite else [None]
    if args.postgres:
        targets.append(args.postgres)
    for url in targets:
        with tempfile.TemporaryDirectory(prefix="jaring-monitoring-") as home:
            home = args.keep if args.keep and not url else home
            Path(home).mkdir(parents=True, exist_ok=True)
            env = {**os.environ, "JARING_HOME": home, "DJANGO_SETTINGS_MODULE": "jaring.settings"}
            env.pop("DATABASE_URL", None)
            if url:
                database_recreate(url)
                env["DATABASE_URL"] = url
            subprocess.run(
                [sys.executable, __file__, "--worker", "--rows-small", str(args.rows_small), "--rows-large",
                 str(args.rows_large)],
                env=env,
                check=True,
            )  # fmt: skip


if __name__ == "__main__":
    main()
