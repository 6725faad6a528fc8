"""How fast field phones' outboxes sync (POST /api/v1/sync), next to the same records sent as one file
import, measured in the same run.

    .venv/bin/python bench/sync.py                    # fresh SQLite under a temporary JARING_HOME
    .venv/bin/python bench/sync.py --postgres postgres://postgres@127.0.0.1:5432/jaring_bench_sync
                                                      # that database is dropped and created anew
    .venv/bin/python bench/sync.py --records 1000 --devices 50 --workers 2 --threads 4

It prepares the database (migrate, regions, a Pos outlet with an agent, a phone for the agent per device
plus one), then measures three things with fresh workers:
1. the reference: ``--records`` records (half registrations, half their first payments) as two files
   through ``jaring import``'s service, in this process;
2. one phone syncing an outbox of ``--records`` records in one request;
3. ``--devices`` phones syncing at once, each an outbox of ``--records / --devices`` records, each phone
   a thread on its own connection: records/s over the whole, and the p50/p99 of the requests.
The server is gunicorn as ``jaring serve`` runs it, on 127.0.0.1. Every count is checked after each phase.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

from api import gunicorn_served
from benchdb import database_recreate

ROOT = Path(__file__).resolve().parent.parent
REGENCY = "32.15"  # Karawang


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000, help="records per phase (even)")
    parser.add_argument("--devices", type=int, default=50, help="phones syncing at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--postgres", help="PostgreSQL URL; its database is dropped and created anew")
    parser.add_argument("--out", help="write the figures as JSON here too")
    options = parser.parse_args()
    home = tempfile.mkdtemp(prefix="jaring-bench-sync-")
    os.environ["JARING_HOME"] = home
    os.environ["JARING_LOG_LEVEL"] = "ERROR"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaring.settings")
    if options.postgres:
        database_recreate(options.postgres)
        os.environ["DATABASE_URL"] = options.postgres
    try:
        run(options)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(options) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from jaring.channels.services import agent_create, outlet_create, partner_create
    from jaring.contributions.queries import ratebook
    from jaring.field.models import SyncRecord
    from jaring.field.services import device_enrol
    from jaring.imports.readers import COLUMNS
    from jaring.imports.services import import_job_for_file, import_run
    from jaring.imports.synthetic import registration_row, villages_by_district
    from jaring.members.models import Participant
    from jaring.regions.models import Region
    from jaring.regions.services import regions_load
    from jaring.rules.months import Month
    from jaring.rules.programmes import parse_programmes

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(level=Region.Level.VILLAGE).exists():
        regions_load()
    pos = partner_create(code="POS-SYNC", name="Pos Indonesia", kind="pos")
    outlet = outlet_create(code="POS-KRW-SYNC", name="KCU Karawang", partner=pos, region_code=f"{REGENCY}.01")
    agent = agent_create(code="AG-SYNC", name="Siti Aminah", partner=pos, outlet=outlet)
    tokens = [
        device_enrol(agent=agent, name=f"phone {n}", actor=None).token for n in range(options.devices + 1)
    ]
    districts = sorted(villages_by_district([REGENCY]).items())
    book, month, rng = ratebook(), Month.from_date(timezone.localdate()), random.Random(7)
    half = options.records // 2
    if (2 * half) % (2 * options.devices):
        raise SystemExit("--records must be a multiple of twice --devices (each phone sends whole pairs)")

    def people(first: int) -> list[list[str]]:
        return [
            registration_row(index, rng, districts, [outlet.code]) for index in range(first, first + half)
        ]

    def price(row) -> int:
        return book.price(month, 1, income=int(row[7]), programmes=parse_programmes(row[8])).total

    def outbox(rows) -> list[dict]:
        records = []
        for row in rows:
            data = dict(zip(COLUMNS["registrations"], row, strict=True))
            names = ("nik", "name", "birth_date", "sex", "phone", "village_code", "occupation", "programmes")
            registration = {name: data[name] for name in names}
            registration.update(declared_income=int(data["declared_income"]))
            payment = {
                "nik": data["nik"],
                "birth_date": data["birth_date"],
                "months": 1,
                "amount": price(row),
            }
            records.append({"key": uuid.uuid4().hex, "kind": "registration", "data": registration})
            records.append({"key": uuid.uuid4().hex, "kind": "payment", "data": payment})
        return records

    # 1. The reference: the same number of records as two files through the import service.
    work = Path(tempfile.mkdtemp(prefix="jaring-bench-sync-files-"))
    rows = people(0)
    registrations, payments = work / "registrations.csv", work / "payments.csv"
    with open(registrations, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS["registrations"])
        writer.writerows(rows)
    with open(payments, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["nik", "months", "amount", "paid_at", "outlet_code", "reference"])
        writer.writerows([row[0], 1, price(row), "", outlet.code, f"FILE-{row[0]}"] for row in rows)
    started = time.perf_counter()
    for path, kind in ((registrations, "registrations"), (payments, "payments")):
        job = import_run(import_job_for_file(path=path, kind=kind), chunk_rows=5_000)
        assert job.accepted == half, (kind, job.accepted, job.rejected)
    file_seconds = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)
    one_phone = outbox(people(half))
    phones = outbox(people(2 * half))
    connections.close_all()

    figures = {"database": connection.vendor, "records": 2 * half, "devices": options.devices}
    figures["file_import"] = {"seconds": file_seconds, "records_per_second": 2 * half / file_seconds}
    with gunicorn_served(workers=options.workers, threads=options.threads) as port:
        # 2. One phone, one outbox.
        seconds, status, _ = post(port, tokens[0], one_phone)
        assert status == 200, status
        figures["one_phone"] = {"seconds": seconds, "records_per_second": len(one_phone) / seconds}
        # 3. Many phones at once.
        share = len(phones) // options.devices
        latencies: list[float] = []
        statuses: list[int] = []
        lock = threading.Lock()

        def phone(n: int) -> None:
            took, answered, _ = post(port, tokens[n + 1], phones[n * share : (n + 1) * share])
            with lock:
                latencies.append(took)
                statuses.append(answered)

        threads = [threading.Thread(target=phone, args=(n,)) for n in range(options.devices)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        wall = time.perf_counter() - started
        assert statuses == [200] * options.devices, statuses
        latencies.sort()
        figures["many_phones"] = {
            "seconds": wall,
            "records_per_second": share * options.devices / wall,
            "request_p50_ms": statistics.median(latencies) * 1000,
            "request_p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        }
        # Sent again: everything is answered from what was kept, nothing is added.
        again, status, _ = post(port, tokens[0], one_phone)
        figures["one_phone_again"] = {"seconds": again, "records_per_second": len(one_phone) / again}
    synced = half + share * options.devices // 2
    assert Participant.objects.filter(agent=agent).count() == synced, "a record landed twice or not at all"
    assert SyncRecord.objects.filter(state="recorded").count() == len(one_phone) + share * options.devices
    report(figures)
    if options.out:
        Path(options.out).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


def post(port: int, token: str, records: list[dict]) -> tuple[float, int, dict]:
    body = json.dumps({"records": records})
    connection = HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request(
        "POST", "/api/v1/sync", body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
    took = time.perf_counter() - started
    connection.close()
    return took, response.status, answer


def report(figures: dict) -> None:
    print(f"field sync on {figures['database']}: {figures['records']:,} records, {figures['devices']} phones")
    print(f"{'':<34}{'seconds':>10}{'records/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for name, label in (
        ("file_import", "reference: the same as a file import"),
        ("one_phone", "one phone, one outbox"),
        ("many_phones", "phones syncing at once"),
        ("one_phone_again", "one phone sending it all again"),
    ):
        row = figures[name]
        p50 = f"{row['request_p50_ms']:.0f}" if "request_p50_ms" in row else ""
        p99 = f"{row['request_p99_ms']:.0f}" if "request_p99_ms" in row else ""
        print(f"{label:<34}{row['seconds']:>10.2f}{row['records_per_second']:>12,.0f}{p50:>10}{p99:>10}")


if __name__ == "__main__":
    main()
