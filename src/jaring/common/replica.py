"""Reads that a streaming read replica may serve (``DATABASE_REPLICA_URL``), and the router that sends
them there.

Where a query goes:

- every write, and every read inside a transaction (a write's own reads, its locks, its idempotency
  check): the primary;
- reads inside ``replica_reads()``: the replica, unless the signed-in user wrote something a moment ago
  (``PrimaryAfterWrite`` pins their session to the primary), or the replica is down, is no longer a
  replica, or lags more than ``settings.REPLICA_MAX_LAG`` seconds behind; then the reads fall back to the
  primary and a warning says why. The dashboards, contest pages, agent pages and payer pages (with their
  exports and reports) read this way, through ``@reads_from_replica``, and so do the command line's
  running contest figures and target reports;
- everything else (the desk, the partner API, imports, statements and payouts, the admin, the rest of
  the command line): the primary.

Without a replica configured none of this does anything: settings install no router, the middleware
returns at once, and ``replica_reads()`` changes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
# How long one process trusts a reading of the replica's state before asking again.
CHECK_SECONDS = 5.0
# The session key holding the moment (epoch seconds) until which the session reads from the primary.
PIN_KEY = "primary_reads_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

log = logging.getLogger(__name__)

# What the replica's data is complete up to: now, when it has replayed everything it received and a WAL
# receiver is running (the primary is still streaming to it), however long ago the last transaction was;
# otherwise the commit time of the last transaction it replayed (NULL: none yet). The lag is its age.
_STATE_SQL = """
SELECT in_recovery, as_of, EXTRACT(EPOCH FROM now() - as_of)
  FROM (SELECT pg_is_in_recovery() AS in_recovery,
               CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
                    THEN now()
                    ELSE pg_last_xact_replay_timestamp() END AS as_of) AS state
"""


@dataclass(frozen=True)
class Reading:
    """The replica's state as last measured: usable when ``problem`` is empty."""

    taken: float  # time.monotonic() of the measure
    problem: str = ""
    lag: float | None = None  # seconds behind the primary
    as_of: datetime | None = None  # what its data is complete up to


@dataclass(frozen=True)
class Freshness:
    """Where the reads of a ``replica_reads()`` block go, and how fresh their data is: ``as_of`` is what
    the replica's data was complete up to when last measured (the last transaction it replayed, or the
    moment of the measure when it was caught up), None for now (the primary)."""

    on_replica: bool
    as_of: datetime | None = None


_reads: ContextVar[Freshness | None] = ContextVar("jaring_replica_reads", default=None)
_pinned: ContextVar[bool] = ContextVar("jaring_primary_pinned", default=False)
_reading: Reading | None = None
_reading_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in connections.settings


def pin_seconds() -> float:
    """How long a session reads from the primary after a write: a replica serving reads is never more than
    the lag bound behind, measured at most ``CHECK_SECONDS`` ago, so after this the write is on it."""
    return float(settings.REPLICA_MAX_LAG) + CHECK_SECONDS


def replica_reading() -> Reading:
    """The replica's state, measured at most ``CHECK_SECONDS`` ago in this process. A new measure that
    finds the replica unusable logs a warning (so once per check, not once per request)."""
    global _reading
    with _reading_lock:
        if _reading is not None and time.monotonic() - _reading.taken < CHECK_SECONDS:
            return _reading
        _reading = _measure()
        if _reading.problem:
            log.warning("read replica not used, reads go to the primary: %s", _reading.problem)
        return _reading


def replica_forget() -> None:
    """Drop this process's reading: the next read asks the replica again."""
    global _reading
    with _reading_lock:
        _reading = None


def replica_failed(error: BaseException) -> None:
    """The replica failed a query: take it as down until the next check."""
    global _reading
    with _reading_lock:
        _reading = Reading(time.monotonic(), problem=f"a query failed: {error}")
    log.warning("read replica failed a query, reads go to the primary: %s", error)
    _close_quietly()


def _measure() -> Reading:
    now = time.monotonic()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_STATE_SQL)
            in_recovery, as_of, lag = cursor.fetchone()
    except DatabaseError as error:
        _close_quietly()
        return Reading(now, problem=f"down ({str(error).strip() or type(error).__name__})")
    if not in_recovery:
        return Reading(now, problem="it is not in recovery: promoted, or not a replica at all")
    if lag is None:
        return Reading(now, problem="it has replayed no transaction yet and is not caught up")
    bound = float(settings.REPLICA_MAX_LAG)
    if float(lag) > bound:
        return Reading(
            now, problem=f"it lags {float(lag):.1f} s, more than the bound of {bound:g} s", lag=float(lag)
        )
    return Reading(now, lag=float(lag), as_of=as_of)


def _close_quietly() -> None:
    with suppress(DatabaseError):
        connections[REPLICA].close()


@contextmanager
def replica_reads() -> Iterator[Freshness | None]:
    """Reads made in the block may go to the replica (see the module's docstring); yields where they go,
    or None when no replica is configured. Writes and reads inside a transaction stay on the primary."""
    current = _reads.get()
    if current is not None or not replica_configured():
        yield current
        return
    if _pinned.get():
        freshness = Freshness(on_replica=False)
    else:
        reading = replica_reading()
        if reading.problem:
            freshness = Freshness(on_replica=False)
        else:
            freshness = Freshness(on_replica=True, as_of=reading.as_of)
    token = _reads.set(freshness)
    try:
        yield freshness
    finally:
        _reads.reset(token)


def reads_from_replica(view):
    """A page whose reads may come from the replica (GET and HEAD; any other method writes and reads what
    it wrote on the primary). A replica that fails a query is taken as down and the page is read again
    from the primary; so is a page whose query the replica cancelled to replay the primary's changes
    (a recovery conflict), the replica staying in use."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads() as freshness:
            if freshness is None or not freshness.on_replica:
                return view(request, *args, **kwargs)
            try:
                return view(request, *args, **kwargs)
            except DatabaseError as error:
                if not _replica_answers():
                    replica_failed(error)
                elif _recovery_conflict(error):
                    log.warning("read replica cancelled a query, page read from the primary: %s", error)
                else:
                    raise
        token = _reads.set(Freshness(on_replica=False))
        try:
            return view(request, *args, **kwargs)
        finally:
            _reads.reset(token)

    return wrapped


def _recovery_conflict(error: DatabaseError) -> bool:
    """A hot standby cancels a query that holds back the replay of what it must apply (a row vacuumed
    away, a lock) with a serialization failure or a deadlock, a query that would succeed again."""
    return getattr(error.__cause__, "sqlstate", None) in {"40001", "40P01"}


def _replica_answers() -> bool:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


class PrimaryReplicaRouter:
    """Writes to the primary; reads to the replica only inside ``replica_reads()`` when it was chosen, and
    not inside a transaction of the primary; migrations on the primary only."""

    def db_for_read(self, model, **hints):
        freshness = _reads.get()
        if freshness is None or not freshness.on_replica or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Rows read from either are the same rows.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PrimaryAfterWrite:
    """A signed-in user who wrote something (any successful POST, PUT, PATCH or DELETE) reads from the
    primary for ``pin_seconds()`` after, so the next page shows what they did (the dashboard after a
    payment at the desk, a contest after closing a period)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = _pinned.set(_session_pinned(request))
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and request.user.is_authenticated
        ):
            request.session[PIN_KEY] = time.time() + pin_seconds()
        return response


def _session_pinned(request) -> bool:
    if not request.user.is_authenticated:
        return False
    return float(request.session.get(PIN_KEY, 0)) > time.time()


def freshness(request) -> dict:
    """Template context: ``data_as_of`` (a ``Freshness``) on pages read inside ``replica_reads()`` while a
    replica is configured; nothing otherwise."""
    current = _reads.get()
    return {"data_as_of": current} if current is not None else {}
