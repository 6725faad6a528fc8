"""A small PostgreSQL primary and its streaming replica, made for these tests and dropped after them.

Both are Debian clusters (``pg_createcluster``) on free ports from 5442 up, never the shared cluster on
5432; the replica is a ``pg_basebackup -R`` of the small primary. They are named after this test process
(``jaring_t<pid>_primary``/``_replica``), so two runs side by side do not meet, and clusters left behind by
a run that died are dropped before new ones are made. The primary is migrated as jaring's database, and
``replica_databases`` points jaring's ``default`` and ``replica`` connections at the pair for a module:
what the tests write is really committed and really streamed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

NAME = re.compile(r"^jaring_t(\d+)_(primary|replica)$")
ROOT = Path(__file__).resolve().parents[2]
# Both servers are throwaway: no durability, little memory. A hot standby needs at least the primary's
# max_connections.
SERVER_OPTIONS = [
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "shared_buffers=16MB",
    "max_connections=40",
]


def _run(*args: str, as_owner: bool = False, check: bool = True, timeout: float = 120):
    if as_owner and os.geteuid() == 0:
        args = ("runuser", "-u", "postgres", "--", *args)
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode:
        _fail(args, result.returncode, result.stderr or result.stdout)
    return result


def _fail(args, returncode: int, output: str):
    raise RuntimeError(f"{' '.join(args)} failed ({returncode}): {output.strip()}")


def _finish(process: subprocess.Popen, timeout: float = 300) -> None:
    output, _ = process.communicate(timeout=timeout)
    if process.returncode:
        _fail(process.args, process.returncode, output)


def _clusters() -> list[dict]:
    return json.loads(_run("pg_lsclusters", "--json").stdout or "[]")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_leftovers() -> None:
    """Drop the pairs of test runs that are gone (a crash, a kill): they would hold ports and disk."""
    for cluster in _clusters():
        found = NAME.match(cluster["cluster"])
        if found and not _alive(int(found[1])):
            _run("pg_dropcluster", "--stop", str(cluster["version"]), cluster["cluster"], check=False)


def _free_ports(count: int, start: int = 5442) -> list[int]:
    taken = {int(cluster["port"]) for cluster in _clusters()}
    ports, port = [], start
    while len(ports) < count:
        if port not in taken:
            with socket.socket() as probe:
                # A port left in TIME_WAIT by an earlier run's connections is free for a server.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind(("127.0.0.1", port))
                    ports.append(port)
                except OSError:
                    pass
        port += 1
    return ports


def _version() -> str:
    installed = [p.name for p in Path("/usr/lib/postgresql").glob("*") if (p / "bin" / "initdb").exists()]
    return max(installed, key=int)


def _connect(port: int, dbname: str = "jaring"):
    import psycopg

    return psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True, connect_timeout=5
    )


@dataclass
class StreamingPair:
    version: str
    primary: str
    replica: str
    primary_port: int
    replica_port: int

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/jaring"

    def on_replica(self, sql: str, *params):
        with _connect(self.replica_port) as conn:
            return conn.execute(sql, params).fetchone()

    def on_primary(self, sql: str, *params):
        with _connect(self.primary_port) as conn:
            return conn.execute(sql, params).fetchone()

    def _ctl(self, name: str, action: str, *options: str) -> None:
        _run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, name, action, *options)

    def stop_replica(self) -> None:
        self._ctl(self.replica, "stop", "-m", "fast")

    def start_replica(self) -> None:
        self._ctl(self.replica, "start")
        self.wait_caught_up()

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Until the replica streams from the primary and has replayed all the primary has written."""
        target = self.on_primary("SELECT pg_current_wal_lsn()")[0]
        deadline = time.monotonic() + timeout
        while True:
            try:
                streaming, replayed = self.on_replica(
                    "SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),"
                    " pg_last_wal_replay_lsn() >= %s::pg_lsn",
                    str(target),
                )
                if streaming and replayed:
                    return
            except Exception:  # starting up
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica on port {self.replica_port} did not catch up")
            time.sleep(0.1)

    def drop(self) -> None:
        for name in (self.replica, self.primary):
            _run("pg_dropcluster", "--stop", self.version, name, check=False)


def _make_pair() -> StreamingPair:
    _drop_leftovers()
    version = _version()
    primary_port, replica_port = _free_ports(2)
    name = f"jaring_t{os.getpid()}"
    pair = StreamingPair(version, f"{name}_primary", f"{name}_replica", primary_port, replica_port)

    def create(name: str, port: int) -> list[str]:
        options = [arg for option in SERVER_OPTIONS for arg in ("-o", option)]
        return [
            "pg_createcluster", version, name, "-p", str(port), "--start-conf=manual", "-q", *options,
            "--", "--auth-host=trust", "--auth-local=trust",
        ]  # fmt: skip

    def spawn(args: list[str], **options) -> subprocess.Popen:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **options)

    try:
        _run(*create(pair.primary, primary_port))
        # The replica's cluster is made while the primary starts (its data is replaced below).
        replica_made = spawn(create(pair.replica, replica_port))
        pair._ctl(pair.primary, "start")
        _finish(replica_made)
        with _connect(primary_port, "postgres") as conn:
            conn.execute("CREATE DATABASE jaring")
        # jaring's schema, migrated by jaring itself, while the replica is copied and started.
        env = {**os.environ, "DATABASE_URL": pair.url(primary_port), "PYTHONPATH": str(ROOT / "src")}
        env.pop("DATABASE_REPLICA_URL", None)
        migrate = spawn(
            [sys.executable, "-m", "django", "migrate", "--settings=jaring.settings", "-v0"], env=env
        )
        data = Path(next(c["pgdata"] for c in _clusters() if c["cluster"] == pair.replica))
        for child in data.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        _run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", "-D", str(data),
            "-R", "-X", "stream", "-c", "fast",
            as_owner=True,
        )  # fmt: skip
        pair._ctl(pair.replica, "start")
        _finish(migrate)
        pair.wait_caught_up()
    except BaseException:
        pair.drop()
        raise
    return pair


@pytest.fixture(scope="session")
def streaming_pair():
    """A running primary with jaring's schema and its streaming replica, caught up."""
    if shutil.which("pg_createcluster") is None:
        pytest.skip("Debian's PostgreSQL cluster tools (pg_createcluster) are not installed")
    pair = _make_pair()
    yield pair
    pair.drop()


@pytest.fixture(scope="module")
def replica_databases(streaming_pair, django_db_blocker):
    """For a module: jaring's ``default`` connection on the small primary and ``replica`` on its replica,
    configured from ``DATABASE_URL``/``DATABASE_REPLICA_URL`` as settings.py does, with the router on.
    Queries commit for real; nothing is rolled back."""
    from django.db import connections
    from django.test import override_settings

    from jaring import settings as jaring_settings
    from jaring.common.replica import replica_forget
    from jaring.regions.queries import region_index

    pair = streaming_pair
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DATABASE_URL", pair.url(pair.primary_port))
        env.setenv("DATABASE_REPLICA_URL", pair.url(pair.replica_port))
        databases = connections.configure_settings(jaring_settings._databases())
    saved_settings = connections.settings
    aliases = ("default", "replica")
    saved = {alias: getattr(connections._connections, alias, None) for alias in aliases}
    for alias in aliases:
        if saved[alias] is not None:
            delattr(connections._connections, alias)
    connections.settings = databases
    region_index.cache_clear()
    replica_forget()
    try:
        with (
            override_settings(DATABASE_ROUTERS=["jaring.common.replica.PrimaryReplicaRouter"]),
            django_db_blocker.unblock(),
        ):
            yield pair
    finally:
        for alias in aliases:
            if hasattr(connections._connections, alias):
                connections[alias].close()
                delattr(connections._connections, alias)
        connections.settings = saved_settings
        for alias, conn in saved.items():
            if conn is not None:
                setattr(connections._connections, alias, conn)
        region_index.cache_clear()
        replica_forget()
