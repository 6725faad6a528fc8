"""How fast the partner API answers a register / pay / status mix, next to a trivial JSON endpoint
(``/healthz``) of the same server measured in the same run.

    .venv/bin/python bench/api.py                    # fresh SQLite under a temporary JARING_HOME
    .venv/bin/python bench/api.py --postgres postgres://postgres@127.0.0.1:5432/jaring_bench_api
                                                     # that database is dropped and created anew
    DATABASE_URL=postgres://.../scratch .venv/bin/python bench/api.py   # a scratch database: rows are added
    .venv/bin/python bench/api.py --clients 8 --seconds 10 --workers 2 --threads 4

It prepares the database (migrate, regions, a small world, a pool of registered participants and an API
key), starts gunicorn on 127.0.0.1 as ``jaring serve`` does (gthread workers; no access log), then drives
it from another process with ``--clients`` threads, each on its own keep-alive connection, for
``--seconds`` per phase (and at most ``--max-requests`` requests): first ``GET /healthz`` (the reference:
the same server, middleware and WSGI stack, no API work), then the mix (50 % status, 30 % pay, 20 %
register). It prints requests/s and p50/p99 latency per phase and per operation. Loopback only; every
loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta
from http.client import HTTPConnection
from pathlib import Path

from benchdb import database_recreate

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = "32.15.01"  # Karawang


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measured phase")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per phase")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--participants", type=int, default=2_000, help="registered before the run")
    parser.add_argument("--postgres", help="PostgreSQL URL; its database is dropped and created anew")
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # internal: the client process
    options = parser.parse_args()
    if options.drive:
        drive(json.loads(options.drive))
        return
    orchestrate(options)


# The server side: prepare, serve, stop


def orchestrate(options) -> None:
    # A fresh home: the SQLite database (unless DATABASE_URL is set) and the secret key live there.
    home = tempfile.mkdtemp(prefix="jaring-bench-api-")
    os.environ["JARING_HOME"] = home
    if options.postgres:
        database_recreate(options.postgres)
        os.environ["DATABASE_URL"] = options.postgres
    try:
        serve_and_drive(options)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def serve_and_drive(options) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaring.settings")
    os.environ["JARING_LOG_LEVEL"] = "ERROR"
    started = time.perf_counter()
    plan = prepare(options.participants)
    print(
        f"prepared {plan['database']} in {time.perf_counter() - started:.1f} s: "
        f"{len(plan['people'])} participants, key {plan['key'][:17]}",
        file=sys.stderr,
    )
    with gunicorn_served(workers=options.workers, threads=options.threads) as port:
        plan.update(
            port=port,
            clients=options.clients,
            seconds=options.seconds,
            max_requests=options.max_requests,
        )
        result = subprocess.run(
            [sys.executable, __file__, "--drive", json.dumps(plan)],
            capture_output=True,
            text=True,
            timeout=options.seconds * 4 + 120,
            check=True,
        )
        report(json.loads(result.stdout), plan, options)


def prepare(participant_count: int) -> dict:
    """Migrates, loads the regions, and makes a world, registered participants and an API key, through
    the same services as every channel."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from jaring.api.services import apikey_create
    from jaring.channels.services import outlet_create, partner_create
    from jaring.contributions.queries import ratebook
    from jaring.contributions.services import payment_quote
    from jaring.members.services import participant_register
    from jaring.members.validation import RegistrationContext
    from jaring.regions.models import Region
    from jaring.regions.services import regions_load
    from jaring.rules.nik import Sex, make_nik

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(level=Region.Level.VILLAGE).exists():
        regions_load()
    run = f"{random.randrange(16**6):06x}"
    # Only a partner and an outlet of this run's own: nothing existing is changed (offices and the
    # regencies they serve are left alone on a database that has them).
    pos = partner_create(code=f"POS-{run}", name="Pos Indonesia", kind="pos")
    outlet = outlet_create(code=f"POS-KRW-{run}", name="KCU Karawang", partner=pos, region_code=DISTRICT)
    villages = list(
        Region.objects.filter(parent_id=DISTRICT, level=Region.Level.VILLAGE).values_list("code", flat=True)
    )
    context = RegistrationContext(ratebook=ratebook())
    people = []
    birth_dates = [date(1970, 1, 1) + timedelta(days=day) for day in range(0, 12_000, 7)]
    serial_base = random.randrange(1, 4_000)
    for index in range(participant_count):
        born = birth_dates[index % len(birth_dates)]
        sex = "F" if index % 2 else "M"
        registration = participant_register(
            nik=make_nik(DISTRICT, born, Sex(sex), serial_base + index // len(birth_dates)),
            name="Peserta Uji",
            birth_date=born,
            sex=sex,
            village_code=villages[index % len(villages)],
            occupation_code="PEDAGANG_PASAR",
            declared_income=1_000_000,
            programmes="JKK+JKM",
            outlet=outlet,
            context=context,
        )
        people.append({"nik": registration.participant.nik, "birth_date": born.isoformat()})
    price = payment_quote(registration.participant, months=1)[1].total
    key = apikey_create(outlet=outlet, scopes="register,pay,status", rate_limit=1_000_000).token
    plan = {
        "database": connection.vendor,
        "key": key,
        "people": people,
        "villages": villages,
        "price": price,
        "serial_base": serial_base + participant_count // len(birth_dates) + 1,
        "run": run,
    }
    connections.close_all()
    return plan


@contextmanager
def gunicorn_served(*, workers: int, threads: int):
    """jaring served by gunicorn as ``jaring serve`` runs it, on a free port of 127.0.0.1, in a process
    group of its own: yields the port once it answers, and stops the server (the group) when the block
    ends. Shared by the API and channel benches."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "jaring.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--graceful-timeout", "5",
            "--log-level", "warning",
        ],
        env=os.environ.copy(),
        cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(port, server)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def report(results: dict, plan: dict, options) -> None:
    print(
        f"jaring API bench on {plan['database']}: gunicorn {options.workers} workers x {options.threads} "
        f"threads, {options.clients} client threads, {options.seconds:g} s per phase, loopback; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"{'phase / operation':<24}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for name, phase in results.items():
        print(line(name, phase))
        for operation, figures in phase.get("operations", {}).items():
            print(line(f"  {operation}", figures))
    reference, mix = results["reference GET /healthz"], results["API mix"]
    print(
        f"mix vs reference: {mix['rate'] / reference['rate']:.2f}x the requests/s, "
        f"p99 {mix['p99']:.1f} ms vs {reference['p99']:.1f} ms"
    )


def line(name: str, figures: dict) -> str:
    statuses = " ".join(f"{code}:{count}" for code, count in sorted(figures["statuses"].items()))
    return (
        f"{name:<24}{figures['requests']:>10,}{figures['rate']:>10,.0f}"
        f"{figures['p50']:>9.1f}{figures['p99']:>9.1f}  {statuses}"
    )


# The client side: another process, plain HTTP/1.1 keep-alive connections on loopback


def drive(plan: dict) -> None:
    from jaring.rules.nik import Sex, make_nik

    serials = iter(range(plan["serial_base"], 10_000))
    lock = threading.Lock()
    births = [date(1960, 1, 1) + timedelta(days=day) for day in range(0, 365 * 40, 13)]
    references = iter(range(1, 10**9))

    def new_registration() -> dict:
        with lock:
            serial, born = next(serials), random.choice(births)
        sex = random.choice("MF")
        return {
            "nik": make_nik(DISTRICT, born, Sex(sex), serial),
            "name": "Peserta Baru",
            "birth_date": born.isoformat(),
            "sex": sex,
            "phone": "081234567890",
            "village_code": random.choice(plan["villages"]),
            "occupation": "PEDAGANG_PASAR",
            "declared_income": 1_000_000,
            "programmes": "JKK+JKM",
        }

    def api_request() -> tuple[str, str, str, dict, dict]:
        roll = random.random()
        person = random.choice(plan["people"])
        if roll < 0.5:
            return "status", "POST", "/api/v1/participants/status", person, {}
        if roll < 0.8:
            with lock:
                reference = f"bench-{plan['run']}-{next(references)}"
            body = {
                "nik": person["nik"],
                "birth_date": person["birth_date"],
                "months": 1,
                "amount": plan["price"],
            }
            return "pay", "POST", "/api/v1/payments", body, {"Idempotency-Key": reference}
        return "register", "POST", "/api/v1/participants", new_registration(), {}

    def health_request():
        return "healthz", "GET", "/healthz", None, {}

    results = {
        "reference GET /healthz": run_phase(plan, health_request),
        "API mix": run_phase(plan, api_request),
    }
    print(json.dumps(results))


def run_phase(plan: dict, make_request, warmup: float = 1.0) -> dict:
    headers = {"Authorization": f"Bearer {plan['key']}", "Content-Type": "application/json"}
    samples: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    budget = {"left": plan["max_requests"]}

    def client(deadline: float, record: bool) -> None:
        connection = HTTPConnection("127.0.0.1", plan["port"], timeout=30)
        connection.connect()
        # http.client sends the headers and the body in two writes; without TCP_NODELAY Nagle's algorithm
        # holds the body back for the server's delayed ACK (urllib3, httpx and curl all set it).
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mine = []
        while time.perf_counter() < deadline:
            with lock:
                if record and budget["left"] <= 0:
                    break
                budget["left"] -= record
            operation, method, path, body, extra = make_request()
            payload = json.dumps(body) if body is not None else None
            start = time.perf_counter()
            connection.request(method, path, body=payload, headers={**headers, **extra})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if record:
                mine.append((operation, response.status, elapsed))
        connection.close()
        with lock:
            samples.extend(mine)

    for seconds, record in ((warmup, False), (plan["seconds"], True)):
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(deadline, record)) for _ in range(plan["clients"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 60)
        wall = time.perf_counter() - started
    figures = summary(samples, wall)
    by_operation = {}
    for operation in sorted({sample[0] for sample in samples}):
        by_operation[operation] = summary([s for s in samples if s[0] == operation], wall)
    if len(by_operation) > 1:
        figures["operations"] = by_operation
    return figures


def summary(samples: list[tuple[str, int, float]], wall: float) -> dict:
    latencies = sorted(sample[2] * 1000 for sample in samples)
    statuses: dict[str, int] = {}
    for _operation, status, _elapsed in samples:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": len(samples),
        "rate": len(samples) / wall if wall else 0.0,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0,
        "statuses": statuses,
    }


if __name__ == "__main__":
    main()
