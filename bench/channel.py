"""How fast a payment channel's host-to-host calls are answered (inquiry, payment notification), next to
a trivial endpoint (``GET /healthz``) of the same server measured in the same run.

    .venv/bin/python bench/channel.py --postgres postgres://postgres@127.0.0.1:5432/jaring_bench_channel
                                                     # that database is dropped and created anew
    .venv/bin/python bench/channel.py                # fresh SQLite under a temporary JARING_HOME
    .venv/bin/python bench/channel.py --postgres URL --clients 8 --seconds 20 --participants 20000
    .venv/bin/python bench/channel.py --postgres URL --rate 200     # paced: 200 requests/s in all

It prepares the database (migrate, regions, a partner and its outlet, ``--participants`` registered in
bulk through ``jaring import registrations``' pipeline, and a payment channel made by
``settlement.services.channel_create``, credited to that outlet), starts gunicorn on 127.0.0.1 as
``jaring serve`` does (gthread workers; no access log), then drives it from another process with
``--clients`` threads, each on its own keep-alive connection, for ``--seconds`` per phase (and at most
``--max-requests`` requests):

1. ``GET /healthz``: the reference (the same server, middleware and WSGI stack, no channel work);
2. ``POST /api/v1/channel/inquiry`` of a random participant's payment code;
3. ``POST /api/v1/channel/payments``: a one-month payment of the next participant of the pool (each
   payment a new reference; a pool used up starts again and pays the following month).

Every channel request is signed anew (``settlement.credentials.signed_headers``: timestamp, nonce,
HMAC) in the client process, as a channel does. Without ``--rate`` each client sends its next request
when the last is answered (the server's capacity); with ``--rate`` the clients together send that many
requests a second, each at its planned moment (latency counted from that moment, so a server that falls
behind shows it). Prints requests/s and p50/p99 per phase; ``--out`` writes them as JSON. Loopback only;
every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

from api import gunicorn_served, line, summary
from benchdb import database_recreate

ROOT = Path(__file__).resolve().parent.parent
CHANNEL = "BENCH-H2H"
PHASES = ("reference GET /healthz", "channel inquiry", "payment notification")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measured phase")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per phase")
    parser.add_argument("--rate", type=float, help="paced: requests/s sent by all clients together")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--participants", type=int, default=5_000, help="registered before the run")
    parser.add_argument("--postgres", help="PostgreSQL URL; its database is dropped and created anew")
    parser.add_argument("--out", type=Path, help="write the figures as JSON to this file")
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # internal: the client process
    options = parser.parse_args()
    if options.drive:
        drive(json.loads(Path(options.drive).read_text()))
        return
    home = tempfile.mkdtemp(prefix="jaring-bench-channel-")
    os.environ["JARING_HOME"] = home
    if options.postgres:
        database_recreate(options.postgres)
        os.environ["DATABASE_URL"] = options.postgres
    try:
        serve_and_drive(options)
    finally:
        shutil.rmtree(home, ignore_errors=True)


# The server side: prepare, serve, stop


def serve_and_drive(options) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaring.settings")
    os.environ["JARING_LOG_LEVEL"] = "ERROR"
    started = time.perf_counter()
    plan = prepare(options.participants, Path(os.environ["JARING_HOME"]))
    print(
        f"prepared {plan['database']} in {time.perf_counter() - started:.1f} s: "
        f"{len(plan['people'])} participants, channel {plan['channel']}",
        file=sys.stderr,
    )
    with gunicorn_served(workers=options.workers, threads=options.threads) as port:
        plan.update(
            port=port,
            clients=options.clients,
            seconds=options.seconds,
            max_requests=options.max_requests,
            rate=options.rate,
            key="",
        )
        plan_file = Path(os.environ["JARING_HOME"]) / "plan.json"  # too long for one argument
        plan_file.write_text(json.dumps(plan))
        result = subprocess.run(
            [sys.executable, __file__, "--drive", str(plan_file)],
            capture_output=True,
            text=True,
            timeout=options.seconds * 6 + 180,
            check=False,
        )
        if result.returncode:
            sys.stderr.write(result.stderr)
            raise SystemExit(f"the client process failed with status {result.returncode}")
        report(json.loads(result.stdout), plan, options)


def prepare(participant_count: int, home: Path) -> dict:
    """Migrates, loads the regions, registers the participants in bulk (the import's pipeline) and makes
    the payment channel, through the same services as the command line."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from jaring.channels.services import outlet_create, partner_create
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
    pos = partner_create(code="BENCH-BANK", name="Bank Uji", kind="bank")
    outlet = outlet_create(
        code="BENCH-H2H", name="Bank Uji host-to-host", partner=pos, region_code="32.15.01"
    )
    registrations = home / "registrations.csv"
    registrations_file_write(registrations, participant_count, outlets=[outlet.code], regencies=["32.15"])
    job = import_run(import_job_for_file(path=registrations, kind="registrations"), chunk_rows=5000)
    issued = channel_create(
        code=CHANNEL,
        name="Bank Uji host-to-host",
        outlet=outlet,
        rate_limit=10_000_000,
        inquiry_alert=1_000_000_000,
    )
    key, book = payment_code_key(), ratebook()
    from django.utils import timezone

    month = Month.from_date(timezone.localdate())
    people = []
    for pk, income, programmes in Participant.objects.order_by("pk").values_list(
        "pk", "declared_income", "programmes"
    ):
        price = book.price(month, 1, income=income, programmes=parse_programmes(programmes)).total
        people.append([payment_code(pk, key), price])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    plan = {
        "database": connection.vendor,
        "registered": job.accepted,
        "channel": CHANNEL,
        "secret": issued.secret,
        "people": people,
        "run": f"{random.randrange(16**6):06x}",
    }
    connections.close_all()
    return plan


def report(results: dict, plan: dict, options) -> None:
    pacing = f"paced at {options.rate:g} requests/s" if options.rate else "closed loop"
    print(
        f"jaring channel API bench on {plan['database']}: gunicorn {options.workers} workers x "
        f"{options.threads} threads, {options.clients} client threads ({pacing}), {options.seconds:g} s per "
        f"phase, {plan['registered']:,} participants, loopback; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    print(f"{'phase':<24}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for name in PHASES:
        print(line(name, results[name]))
    reference = results[PHASES[0]]
    for name in PHASES[1:]:
        phase = results[name]
        print(
            f"{name} vs reference: {phase['rate'] / reference['rate']:.2f}x the requests/s, p50 "
            f"{phase['p50']:.1f} ms vs {reference['p50']:.1f}, p99 {phase['p99']:.1f} ms vs "
            f"{reference['p99']:.1f} (goal: p99 under 50 ms)"
        )
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "bench": "bench/channel.py",
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(plan["database"]),
            "options": {
                "clients": options.clients,
                "seconds": options.seconds,
                "rate": options.rate,
                "workers": options.workers,
                "threads": options.threads,
                "participants": plan["registered"],
            },
            "phases": results,
            "figures": {
                f"{name} {figure}": {
                    "value": results[name][figure],
                    "reference": reference[figure],
                    "unit": "requests/s" if figure == "rate" else "ms",
                    "reference_what": f"GET /healthz {figure}",
                }
                for name in PHASES[1:]
                for figure in ("rate", "p50", "p99")
            },
        }
        options.out.write_text(json.dumps(document, indent=1) + "\n")


def machine(database: str) -> dict:
    figures = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_average": os.getloadavg()[0],
    }
    if database == "postgresql" and os.environ.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
            figures["postgresql"] = connection.execute("SELECT version()").fetchone()[0]
    return figures


# The client side: another process, plain HTTP/1.1 keep-alive connections on loopback


def drive(plan: dict) -> None:
    from jaring.settlement.credentials import signed_headers

    lock = threading.Lock()
    references = iter(range(1, 10**9))
    pool = iter(range(10**9))
    people = plan["people"]

    def signed(operation: str, path: str, body: dict):
        payload = json.dumps(body).encode()  # run_phase sends json.dumps(body): the same bytes
        headers = signed_headers(
            plan["secret"], plan["channel"], method="POST", path=path, body=payload, at=time.time()
        )
        return operation, "POST", path, body, headers

    def inquiry():
        code, _price = random.choice(people)
        return signed("inquiry", "/api/v1/channel/inquiry", {"customer": code})

    def payment():
        with lock:
            number, index = next(references), next(pool) % len(people)
        code, price = people[index]
        body = {
            "customer": code,
            "months": 1,
            "amount": price,
            "reference": f"BENCH-{plan['run']}-{number:09d}",
        }
        return signed("payment", "/api/v1/channel/payments", body)

    def health():
        return "healthz", "GET", "/healthz", None, {}

    results = {}
    for name, make in zip(PHASES, (health, inquiry, payment), strict=True):
        results[name] = run_phase(plan, make)
    print(json.dumps(results))


def run_phase(plan: dict, make_request, warmup: float = 1.0) -> dict:
    """As ``bench/api.py``'s, with an optional pace: ``plan['rate']`` requests/s shared by the clients,
    each request timed from the moment it was due (so queueing behind a slow server is counted)."""
    samples: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    budget = {"left": plan["max_requests"]}
    rate = plan.get("rate")
    interval = plan["clients"] / rate if rate else 0.0

    def client(deadline: float, record: bool, offset: float) -> None:
        connection = HTTPConnection("127.0.0.1", plan["port"], timeout=30)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mine = []
        due = time.perf_counter() + offset
        while time.perf_counter() < deadline:
            with lock:
                if record and budget["left"] <= 0:
                    break
                budget["left"] -= record
            if interval:
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                if due >= deadline:
                    break
            operation, method, path, body, extra = make_request()
            payload = json.dumps(body) if body is not None else None
            start = due if interval else time.perf_counter()
            connection.request(
                method, path, body=payload, headers={"Content-Type": "application/json", **extra}
            )
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if record:
                mine.append((operation, response.status, elapsed))
            due += interval
        connection.close()
        with lock:
            samples.extend(mine)

    for seconds, record in ((warmup, False), (plan["seconds"], True)):
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        threads = [
            threading.Thread(target=client, args=(deadline, record, index * interval / plan["clients"]))
            for index in range(plan["clients"])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 60)
        wall = time.perf_counter() - started
    return summary(samples, wall)


if __name__ == "__main__":
    main()
