"""A national-size world on PostgreSQL, built with bare ``COPY`` and measured: reads next to their scans,
whole-table jobs next to a bare scan of the same rows (issue #12, docs/scale.md).

    .venv/bin/python bench/scale.py --participants 20000 --postgres postgres://postgres@127.0.0.1:5432/jaring_bench_scale
    .venv/bin/python bench/scale.py --participants 20000 --postgres URL --measure --out /tmp/scale-20k.json
    .venv/bin/python bench/scale.py --participants 200000 --postgres URL --measure --out b.json \
        --compare a.json                                             # how each figure moved since a.json
    .venv/bin/python bench/scale.py --participants 1000000 --postgres URL --measure --only reminders,lapse
    .venv/bin/python bench/scale.py --postgres URL --drop             # drops the database

**Build** (the default; resumable). The database is created on first start (``benchdb``) and the build
is done in steps, each recorded in ``bench_scale_progress`` of that database in the step's own
transaction: rerunning continues with the first step not done (run it in the background for the large
sizes, and run it again after an interruption). Steps: migrate; the regions; the world (the demo's office
tree, Pos outlets, Perisai offices and agents, a contest and targets, the monthly partitions of the
two years built); then the participants in chunks, each chunk one transaction of ``COPY``: participants
(ids reserved from the table's sequence with ``setval``), their ledger entries, ledger keys, coverage
runs, and the tallies and coverage deltas they imply (``COPY`` into a scratch table, then the tallies'
own additive upsert); then ``VACUUM ANALYZE``. It refuses to start when the free disk of the database's
volume is below what is left of the budget (``--budget-gb``, default 6 GB per million participants:
60 GB at 10 M; docs/scale.md says why) and prints the database size after each chunk.

The world: registrations spread over the 730 days before the build's day (kept in the progress table:
later runs use the same day), 70 % at Pos outlets, 30 % by Perisai agents; a third of the participants
pay one month every month since they registered (12 entries each on average, about 40 M ledger rows at
10 M participants), 0.2 % of them with their latest payment reversed; a third paid once, on the day they
registered; a third never paid. Coverage runs, the cached standing (``paid_through``, status as of the
build's day) and the tallies are derived from these facts as the services derive them, so
``jaring tallies verify`` finds no difference.

**Measure** (``--measure``, after the build): each figure next to a reference measured in the same run:
API status and pay (the Django test client, p50/p99) next to ``GET /healthz`` of the same client; the
desk's participant page as a teller next to a bare read of the participant and its ledger; the national
target status, a contest leaderboard and monev next to GROUP BY scans of the facts; an agent's monthly
statement and the month's statement job next to a bare scan of the entries; the month-end lapse run
(``statuses_refresh`` for the next month, rolled back) next to a bare scan of the participants and their
runs; the day's reminder plan (``reminders_plan``, rolled back) next to a bare scan of the standings and
participants it reads; ``tallies_verify`` next to a bare scan of what it reads; the size of every table
(partitions summed). ``--out FILE.json`` writes the figures; ``--compare FILE.json`` prints how each
moved since an earlier run; ``--only reminders,lapse`` measures only those.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchdb import database_recreate

HISTORY_DAYS = 730
CHUNK = 50_000
GB_PER_MILLION = 6.0  # a ledger entry ~580 bytes with its indexes, its key ~270: see docs/scale.md
PROGRESS = "bench_scale_progress"
SAMPLES = 200  # requests per API operation and desk page
RUNS = 7  # medians of the in-process reads
# The goal (issue #12): reads stay flat as the participants grow; these grow at most with the tables.
WHOLE_TABLE_JOBS = {"month's statement job", "month-end lapse run", "tallies verify", "day's reminder plan"}
INCOMES = (1_000_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000)
PARTICIPANT_COLUMNS = (
    "id", "nik", "name", "birth_date", "sex", "phone", "village_id", "occupation_id", "permanence", "segment",
    "declared_income", "programmes", "channel", "outlet_id", "agent_id", "office_id", "registered_at",
    "registered_month", "created_at",
)  # fmt: skip


# --- The database and its budget ------------------------------------------------------------------------


def database_exists(url: str) -> bool:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        return (
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        )


def database_drop(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def disk_free(url: str) -> tuple[int, int]:
    """(bytes free on the volume of the server's data directory, bytes the database takes now)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        directory = connection.execute("SHOW data_directory").fetchone()[0]
        row = connection.execute(
            "SELECT pg_database_size(datname) FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    used = row[0] if row else 0
    path = Path(directory)
    while not path.exists() or not os.access(path, os.R_OK):
        path = path.parent  # the data directory itself may not be readable by us; its volume is
    try:
        return shutil.disk_usage(path).free, used
    except OSError:
        output = subprocess.run(["df", "-B1", "--output=avail", str(path)], capture_output=True, text=True)
        return int(output.stdout.split()[-1]), used


def gb(value: float) -> str:
    return f"{value / 1e9:.2f} GB"


# --- Progress -------------------------------------------------------------------------------------------


def progress_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {PROGRESS} (step text PRIMARY KEY, done_at timestamptz NOT NULL "
            "DEFAULT now(), seconds double precision, detail jsonb)"
        )


def steps_done() -> dict[str, dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT step, detail FROM {PROGRESS}")
        # Django reads jsonb as text.
        return {
            step: (json.loads(detail) if isinstance(detail, str) else detail) or {}
            for step, detail in cursor.fetchall()
        }


def step_record(step: str, seconds: float, detail: dict | None = None) -> None:
    """Records ``step`` as done: inside the step's transaction when it has one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PROGRESS} (step, seconds, detail) VALUES (%s, %s, %s)",
            [step, seconds, json.dumps(detail or {})],
        )


def database_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


# --- The world ------------------------------------------------------------------------------------------


def sizes(participants: int) -> dict[str, int]:
    """How many outlets, Perisai offices and agents a world of ``participants`` has."""
    return {
        "pos_outlets": min(5_000, max(100, participants // 2_000)),
        "perisai_offices": min(200, max(10, participants // 50_000)),
        "agents": min(20_000, max(50, participants // 500)),
    }


def quarters(year: int) -> list[tuple[str, date, date]]:
    return [
        (f"Q{n + 1}", date(year, 3 * n + 1, 1), date(year + n // 3, (3 * n + 3) % 12 + 1, 1) - timedelta(1))
        for n in range(4)
    ]  # fmt: skip


def world_build(participants: int, as_of: date, network: int | None = None) -> None:
    """Offices, outlets, agents, a contest and targets, and the partitions of the months built; through
    the services where they are few, ``bulk_create`` for the outlets and agents."""
    from jaring.accounts.models import Role
    from jaring.accounts.services import staff_user_create
    from jaring.channels.models import Agent, Outlet
    from jaring.channels.services import partner_create
    from jaring.common.partitions import partitions_ensure
    from jaring.demo import layout
    from jaring.monitoring.services import contest_define, target_set
    from jaring.monitoring.targets import year_period
    from jaring.org.models import BranchArea
    from jaring.org.services import branch_areas_assign, office_create
    from jaring.regions.models import Region
    from jaring.rules.months import Month

    counts = sizes(network or participants)
    head = office_create(code="KP", name="Kantor Pusat", kind="head")
    start, end = year_period(as_of.year)
    regencies = []
    for regional in layout.REGIONAL_OFFICES:
        parent = office_create(code=regional.code, name=regional.name, kind="regional", parent=head)
        target_set(metric="new_participants", start=start, end=end, value=participants // 4, office=parent)
        for branch in regional.branches:
            office = office_create(code=branch.code, name=branch.name, kind="branch", parent=parent)
            branch_areas_assign(office=office, regency_codes=list(branch.regencies))
            regencies += branch.regencies
    for metric, value in (
        ("new_participants", participants // 2),
        ("contributions", participants * 100_000),
        ("active_participants", participants // 2),
    ):
        target_set(metric=metric, start=start, end=end, value=value, office=head)
    branch_of = dict(BranchArea.objects.values_list("regency_id", "office_id"))
    districts = list(
        Region.objects.filter(level=Region.Level.DISTRICT, parent_id__in=regencies)
        .order_by("code")
        .values_list("code", flat=True)
    )
    pos = partner_create(code="POS", name="Pos Indonesia", kind="pos")
    perisai = partner_create(code="PERISAI", name="Perisai", kind="agent_network")
    outlets = []
    for number in range(counts["pos_outlets"]):
        district = districts[number * 7 % len(districts)]
        outlets.append(Outlet(code=f"POS-{number:05d}", name=f"KPC {number:05d}", partner=pos,
                              region_id=district, office_id=branch_of[district[:5]]))  # fmt: skip
    for number in range(counts["perisai_offices"]):
        district = districts[(number * 13 + 3) % len(districts)]
        outlets.append(Outlet(code=f"PRS-{number:04d}", name=f"Perisai {number:04d}", partner=perisai,
                              region_id=district, office_id=branch_of[district[:5]]))  # fmt: skip
    Outlet.objects.bulk_create(outlets, batch_size=2_000)
    offices = list(Outlet.objects.filter(partner=perisai).order_by("code"))
    Agent.objects.bulk_create(
        [
            Agent(code=f"PRS-{n:05d}", name=f"Agen {n}", partner=perisai, outlet=offices[n % len(offices)],
                  office_id=offices[n % len(offices)].office_id, status="active",
                  activated_on=as_of - timedelta(days=HISTORY_DAYS))
            for n in range(counts["agents"])
        ],
        batch_size=5_000,
    )  # fmt: skip
    contest_define(
        spec={
            "code": "scale",
            "name": "Scale contest",
            "metric": "new_registrations",
            "outlets": {"partner": "pos"},
            "prizes": [10_000_000, 5_000_000, 2_500_000],
            "periods": [{"code": c, "start": s, "end": e} for c, s, e in quarters(as_of.year)],
        }
    )
    teller_outlet = Outlet.objects.get(code="POS-00000")
    staff_user_create(username="scale-teller", role=Role.OUTLET_TELLER, outlet=teller_outlet)
    first = Month.from_date(as_of - timedelta(days=HISTORY_DAYS))
    partitions_ensure(since=first, through=Month.from_date(as_of) + 3)


class Maker:
    """Generates the rows of one chunk of participants, deterministically from the chunk's number."""

    def __init__(self, as_of: date) -> None:
        from jaring.channels.models import Agent, Outlet
        from jaring.contributions.queries import ratebook
        from jaring.members.models import Occupation
        from jaring.regions.models import Region
        from jaring.rules.months import Month

        self.as_of = as_of
        self.current = Month.from_date(as_of)
        self.book = ratebook()
        self.pos = list(Outlet.objects.filter(partner__kind="pos").order_by("code").values_list(
            "pk", "code", "region_id", "office_id"))  # fmt: skip
        self.agents = list(Agent.objects.order_by("code").values_list(
            "pk", "outlet_id", "outlet__code", "outlet__region", "office_id"))  # fmt: skip
        districts = {row[2] for row in self.pos} | {row[3] for row in self.agents}
        self.villages: dict[str, list[str]] = {}
        for code, parent in Region.objects.filter(parent_id__in=districts).values_list("code", "parent_id"):
            self.villages.setdefault(parent, []).append(code)
        for values in self.villages.values():
            values.sort()
        self.occupations = list(Occupation.objects.order_by("code").values_list("code", "permanence"))
        self.prices: dict[tuple, tuple[int, str]] = {}
        self.standings: dict[tuple, str] = {}

    def price(self, month, income: int, programmes: str) -> tuple[int, str]:
        from jaring.common.bulk import db_json
        from jaring.rules.programmes import parse_programmes

        key = (month, income, programmes)
        if (found := self.prices.get(key)) is None:
            price = self.book.price(month, 1, income=income, programmes=parse_programmes(programmes))
            found = self.prices[key] = (price.total, db_json(price.as_dict()["months"]))
        return found

    def standing(self, runs: tuple, registered) -> str:
        from jaring.contributions.queries import participant_standing

        key = (runs, registered)
        if (found := self.standings.get(key)) is None:
            found = self.standings[key] = participant_standing(
                runs, registered=registered, month=self.current
            )
        return found

    def chunk(self, first: int, count: int, ids: list[int]):
        """Participants ``first .. first + count - 1`` (global numbers) with ids ``ids``: their rows, their
        ledger entries (ids left as None), the coverage runs and a ``TallyBatch`` of what they imply."""
        from jaring.common.clock import ZONE
        from jaring.rules.coverage import Run
        from jaring.rules.months import Month
        from jaring.rules.nik import Sex, make_nik
        from jaring.tallies.writer import FIRST_PAID, REGISTERED, TallyBatch, Who

        rng = random.Random(first)
        people, standings, entries, runs_out = [], [], [], []
        tallies = TallyBatch()
        born0 = date(1966, 1, 1)
        created = datetime.now(UTC)
        for number, pk in zip(range(first, first + count), ids, strict=True):
            by_agent = number % 10 >= 7
            if by_agent:
                agent_id, outlet_id, outlet_code, district, office_id = self.agents[
                    rng.randrange(len(self.agents))
                ]
                channel = "agent_network"
            else:
                outlet_id, outlet_code, district, office_id = self.pos[rng.randrange(len(self.pos))]
                agent_id, channel = None, "pos"
            day = self.as_of - timedelta(days=1 + rng.randrange(HISTORY_DAYS))
            registered_at = datetime(day.year, day.month, day.day, 8 + rng.randrange(9), rng.randrange(60),
                                     tzinfo=ZONE)  # fmt: skip
            registered = Month.from_date(day)
            born = born0 + timedelta(days=number % 14_600)
            sex = "MF"[(number // 14_600) % 2]
            nik = make_nik(district, born, Sex(sex), number // 29_200 + 1)
            income = INCOMES[rng.randrange(len(INCOMES))]
            programmes = "JKK+JKM+JHT" if rng.random() < 0.2 else "JKK+JKM"
            occupation, permanence = self.occupations[rng.randrange(len(self.occupations))]
            villages = self.villages[district]
            who = Who(office_id or 0, outlet_id, agent_id or 0, channel, "BPU")
            tallies.add(REGISTERED, day, who)
            # The ledger: (kind, first_month, amount, breakdown, channel, outlet id, outlet code, agent id,
            # paid_at, reverses: index of the entry reversed within this participant's list)
            mine = []
            cohort = number % 3
            if cohort in (0, 1):
                amount, breakdown = self.price(registered, income, programmes)
                paid_at = registered_at + timedelta(minutes=10)
                mine.append(["contribution", registered, amount, breakdown, paid_at])
            if cohort == 0:
                payday = 1 + rng.randrange(28)
                month = registered + 1
                while month <= self.current:
                    paid_day = date(month.year, month.month, payday)
                    if paid_day >= self.as_of:
                        break
                    amount, breakdown = self.price(month, income, programmes)
                    paid_at = datetime(paid_day.year, paid_day.month, paid_day.day, 9 + rng.randrange(8),
                                       rng.randrange(60), tzinfo=ZONE)  # fmt: skip
                    mine.append(["contribution", month, amount, breakdown, paid_at])
                    month += 1
            covered = [entry[1] for entry in mine]
            reversal = None
            if cohort == 0 and len(mine) >= 2 and rng.random() < 0.002:
                last = mine[-1]
                reversal = ["reversal", last[1], -last[2], last[3], last[4] + timedelta(hours=1)]
                covered.pop()
            # Where each entry was paid: an agent's participant through the agent; a Pos participant at
            # the Pos outlet of registration, one payment in ten at another one.
            for entry in mine:
                if by_agent or rng.random() >= 0.1:
                    entry += [channel, outlet_id, outlet_code, agent_id]
                else:
                    other = self.pos[rng.randrange(len(self.pos))]
                    entry += ["pos", other[0], other[1], None]
            if reversal is not None:
                reversal += mine[-1][5:]
            runs = (Run(covered[0], covered[-1]),) if covered else ()
            for run in runs:
                runs_out.append((pk, run.first.index, run.last.index))
                tallies.deltas[(run.first, who)] += 1
                tallies.deltas[(run.last + 1, who)] -= 1
            paid_through = runs[-1].last if runs else None
            if paid_through is not None:
                tallies.add(FIRST_PAID, day, who)
            for entry in [*mine, *([reversal] if reversal else [])]:
                kind, month, amount, breakdown, paid_at, pay_channel, pay_outlet, pay_code, pay_agent = entry
                tallies.payment(
                    paid_at.astimezone(ZONE).date(), who, outlet_id=pay_outlet, agent_id=pay_agent or 0,
                    channel=pay_channel, count=-1 if amount < 0 else 1, amount=amount,
                )  # fmt: skip
                entries.append((pk, kind, month, amount, breakdown, pay_channel, pay_outlet, pay_code,
                                pay_agent, paid_at, kind == "reversal"))  # fmt: skip
            people.append((
                pk, nik, f"Peserta {number}", born, sex, phone(number), villages[number % len(villages)],
                occupation, permanence, "BPU", income, programmes, channel, outlet_id, agent_id, office_id,
                registered_at, registered.index, created,
            ))  # fmt: skip
            standings.append((
                pk, self.standing(runs, registered), None if paid_through is None else paid_through.index, 0
            ))  # fmt: skip
        return people, standings, entries, runs_out, tallies


def fingerprint(participant: int, amount: int, outlet: int, agent: int | None, paid_at: datetime) -> str:
    """``contributions.services.payment_fingerprint`` of a one-month payment, written out."""
    text = (
        f"agent={agent!r}|amount={amount!r}|months=1|outlet={outlet!r}|paid_at={paid_at.isoformat()!r}"
        f"|participant={participant!r}"
    )
    return hashlib.sha256(text.encode()).hexdigest()


def phone(number: int) -> str:
    """Three workers in four gave a mobile number (the reminders need one)."""
    return "" if number % 4 == 3 else f"0812{number % 10**8:08d}"


def ids_reserve(table: str, count: int) -> list[int]:
    """``count`` ids from ``table``'s sequence, reserved with one ``setval``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(%s::regclass, nextval(%s::regclass) + %s - 1)", [sequence, sequence, count]
        )
        last = cursor.fetchone()[0]
    return list(range(last - count + 1, last + 1))


STAGED = "bench_scale_staged_"


def tallies_add(batch) -> None:
    """The chunk's tallies, deltas and their monthly roll-ups, appended by ``COPY`` to a staging table
    per tally table (committed with the chunk); ``tallies_merge`` adds them up once, after the last
    chunk. Upserting each chunk into the tally tables touched nearly every tally row every chunk (a
    chunk's people register over the whole two years), so each chunk took longer than the last: at 2 M
    participants the upsert was 28 s of a 45 s chunk."""
    from django.db import connection

    from jaring.common.bulk import insert_rows

    for rows in batch.rows():
        table = rows.model._meta.db_table
        names = (*rows.keys, *rows.sums, *rows.latest)
        with connection.cursor() as cursor:
            columns = ", ".join(names)
            staged = f"{STAGED}{table}"
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {staged} AS SELECT {columns} FROM {table} LIMIT 0")
        insert_rows(f"{STAGED}{table}", names, rows.rows)


def tallies_merge() -> int:
    """Adds the staged rows of every tally table into it, grouped (the writers' additive upsert, once),
    and drops the staging tables; returns the rows merged.

    An empty tally table (the build's case) is loaded as a bulk load is: its indexes and unique
    constraints set aside, the grouped rows inserted in key order, then the indexes built again from
    their own definitions, each in one sorted pass. Inserting some 24 M daily rows into five live
    indexes at random places ran past 15 minutes at 10 M participants. A table that already holds rows
    takes the additive upsert."""
    from django.db import connection

    from jaring.tallies.writer import TallyBatch, latest_sql

    merged = 0
    with connection.cursor() as cursor:
        # tens of millions of staged rows: group them in memory, build the indexes in memory
        cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '2GB'")
        for rows in TallyBatch().rows():
            table, keys, sums = rows.model._meta.db_table, rows.keys, (*rows.sums, *rows.latest)
            cursor.execute("SELECT to_regclass(%s)", [f"{STAGED}{table}"])
            if cursor.fetchone()[0] is None:
                continue
            key_list = ", ".join(keys)
            totals = ", ".join(
                [f"sum({name})" for name in rows.sums] + [f"max({name})" for name in rows.latest]
            )
            grouped = f"SELECT {key_list}, {totals} FROM {STAGED}{table} GROUP BY {key_list}"
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                restore = indexes_set_aside(cursor, table)
                cursor.execute(
                    f"INSERT INTO {table} ({key_list}, {', '.join(sums)}) {grouped} ORDER BY {key_list}"
                )
                merged += cursor.rowcount
                for statement in restore:
                    cursor.execute(statement)
            else:
                additions = ", ".join(
                    [f"{name} = {table}.{name} + excluded.{name}" for name in rows.sums]
                    + [latest_sql(table, name) for name in rows.latest]
                )
                cursor.execute(
                    f"INSERT INTO {table} ({key_list}, {', '.join(sums)}) {grouped} "
                    f"ON CONFLICT ({key_list}) DO UPDATE SET {additions}"
                )
                merged += cursor.rowcount
            cursor.execute(f"DROP TABLE {STAGED}{table}")
            cursor.execute(f"ANALYZE {table}")
    return merged


def indexes_set_aside(cursor, table: str) -> list[str]:
    """Drops the table's constraints that own an index (primary and unique keys) and its other indexes;
    returns the statements that make them again, as they were (same names, same definitions; on a
    partitioned table each is built on every partition)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY contype, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY i.relname",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    remake = [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints]
    return remake + [definition for _name, definition in indexes]


def chunk_write(maker: Maker, first: int, count: int) -> tuple[int, int]:
    """One chunk in the caller's transaction; returns (participants, ledger entries) written."""
    from jaring.common.bulk import insert_rows
    from jaring.common.fingerprint import request_fingerprint
    from jaring.contributions.models import CoverageRun, LedgerKey, Payment
    from jaring.contributions.services.apply import ENTRY_COLUMNS, KEY_COLUMNS
    from jaring.members.models import Participant, Standing
    from jaring.members.services.registration import STANDING_COLUMNS

    ids = ids_reserve(Participant._meta.db_table, count)
    people, standings, entries, runs, tallies = maker.chunk(first, count, ids)
    insert_rows(Participant._meta.db_table, PARTICIPANT_COLUMNS, people)
    insert_rows(Standing._meta.db_table, STANDING_COLUMNS, standings)
    payment_ids = ids_reserve(Payment._meta.db_table, len(entries))
    ledger, keys = [], []
    previous = None
    for pid, entry in zip(payment_ids, entries, strict=True):
        person, kind, month, amount, breakdown, channel, outlet, code, agent, paid_at, is_reversal = entry
        source = f"outlet:{code}"
        reverses = previous if is_reversal else None  # a reversal follows the entry it cancels
        reference = f"S{pid}"
        if is_reversal:  # as ``reversal_check`` prints a reversal request
            print_ = request_fingerprint({"reverses": previous, "reason": "bench: reversed"})
        else:
            print_ = fingerprint(person, amount, outlet, agent, paid_at)
        ledger.append((pid, person, kind, month.index, 1, amount, breakdown, channel, outlet, agent, None,
                       reverses, "bench: reversed" if reverses else "", source, reference, print_, paid_at,
                       None, paid_at))  # fmt: skip
        keys.append((source, reference, pid, print_))
        if reverses:
            keys.append((LedgerKey.REVERSED, str(reverses), pid, ""))
        previous = pid
    insert_rows(Payment._meta.db_table, ("id", *ENTRY_COLUMNS), ledger)
    insert_rows(LedgerKey._meta.db_table, KEY_COLUMNS, keys)
    insert_rows(CoverageRun._meta.db_table, ("participant_id", "first_month", "last_month"), runs)
    tallies_add(tallies)
    return len(people), len(ledger)


def build(participants: int, url: str, chunk: int, network: int | None = None) -> dict:
    """Runs every step not yet done; returns the world's record (participants, as_of)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from jaring.common.clock import local_date
    from jaring.regions.models import Region
    from jaring.regions.services import regions_load

    progress_table()
    done = steps_done()
    if "world" in done and done["world"]["participants"] != participants:
        raise SystemExit(
            f"{url} holds a world of {done['world']['participants']:,} participants: --drop it first"
        )

    def step(name: str, work, detail: dict | None = None, atomic: bool = True) -> None:
        if name in done:
            return
        started = time.perf_counter()
        if atomic:
            with transaction.atomic():
                result = work()
                step_record(name, time.perf_counter() - started, detail)
        else:
            result = work()
            step_record(name, time.perf_counter() - started, detail)
        seconds = time.perf_counter() - started
        print(f"  {name:<28} {seconds:7.1f} s  {result or ''}  database {gb(database_size())}", flush=True)
        done[name] = detail or {}

    chunks = [f"participants {first:>10}" for first in range(0, participants, chunk)]
    if done:
        print(f"resuming: {sum(name in done for name in chunks)} of {len(chunks)} chunks done", flush=True)
    step("migrate", lambda: call_command("migrate", verbosity=0), atomic=False)
    if "migrate" in done:  # a world built by an earlier commit is measured with this one's schema
        call_command("migrate", verbosity=0)
    step(
        "regions",
        lambda: None if Region.objects.filter(level=Region.Level.VILLAGE).exists() else regions_load(),
        atomic=False,
    )
    as_of = date.fromisoformat(done.get("world", {}).get("as_of") or local_date().isoformat())
    step("world", lambda: world_build(participants, as_of, network), {"participants": participants,
         "as_of": as_of.isoformat(), "network": network or participants})  # fmt: skip
    maker = None
    for first in range(0, participants, chunk):
        count = min(chunk, participants - first)
        name = f"participants {first:>10}"
        if name in done:
            continue
        maker = maker or Maker(as_of)

        def work(first=first, count=count, maker=maker):
            people, ledger = chunk_write(maker, first, count)
            return f"{people:,} participants, {ledger:,} ledger entries"

        step(name, work, {"first": first, "count": count})

    step("tallies", lambda: f"{tallies_merge():,} tally rows merged")

    def finish():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    step("vacuum analyze", finish, atomic=False)
    return {"participants": participants, "as_of": as_of}


# --- Measuring ------------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    }


def median_ms(function, runs: int = RUNS) -> tuple[float, object]:
    function()  # warm the caches once
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def once_ms(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def scalar(sql: str, params=()) -> object:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Figures:
    """The measured figures: name -> {value, reference, unit, what, reference_what}."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    def add(self, name: str, value: float, reference: float | None, unit: str, reference_what: str) -> None:
        self.rows[name] = {
            "value": value,
            "reference": reference,
            "unit": unit,
            "reference_what": reference_what,
        }
        ref = "" if reference is None else f"{reference:10.1f} {unit:<3} {reference_what}"
        print(f"  {name:<34}{value:10.1f} {unit:<3} | {ref}", flush=True)


def api_measure(figures: Figures, sample_people: list, outlet) -> None:
    from django.test import Client

    from jaring.api.services import apikey_create

    key = apikey_create(outlet=outlet, scopes="register,pay,status", rate_limit=10_000_000).token
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def timed(call) -> tuple[float, int]:
        started = time.perf_counter()
        response = call()
        return (time.perf_counter() - started) * 1000, response

    health, status, pay, codes = [], [], [], {}
    prices = {}
    client.get("/healthz")
    for nik, born in sample_people[:20]:  # warm
        client.post(
            "/api/v1/participants/status", {"nik": nik, "birth_date": born}, content_type="application/json"
        )
    for nik, born in sample_people:
        seconds, _response = timed(lambda: client.get("/healthz"))
        health.append(seconds)
        body = {"nik": nik, "birth_date": born}
        seconds, response = timed(lambda body=body: client.post(
            "/api/v1/participants/status", body, content_type="application/json"))  # fmt: skip
        status.append(seconds)
        codes[f"status {response.status_code}"] = codes.get(f"status {response.status_code}", 0) + 1
        if response.status_code == 200:
            prices[nik] = (born, next(p["amount"] for p in response.json()["prices"] if p["months"] == 1))
    run = f"{random.randrange(16**6):06x}"
    for number, (nik, (born, amount)) in enumerate(prices.items()):
        body = {"nik": nik, "birth_date": born, "months": 1, "amount": amount}
        seconds, response = timed(lambda body=body, number=number: client.post(
            "/api/v1/payments", body, content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"scale-{run}-{number}"))  # fmt: skip
        pay.append(seconds)
        codes[f"pay {response.status_code}"] = codes.get(f"pay {response.status_code}", 0) + 1
    reference = percentiles(health)
    for name, samples in (("API status", status), ("API pay", pay)):
        figures_ = percentiles(samples)
        figures.add(f"{name} p50", figures_["p50"], reference["p50"], "ms", "GET /healthz p50")
        figures.add(f"{name} p99", figures_["p99"], reference["p99"], "ms", "GET /healthz p99")
    print(f"  (API answers: {', '.join(f'{k}: {v}' for k, v in sorted(codes.items()))})", flush=True)


def desk_measure(figures: Figures, numbers: list[tuple[int, str]]) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="scale-teller"))
    client.get(f"/desk/p/{numbers[0][1]}/")
    # What this process holds by now is set aside from the cyclic collector, as the WSGI module does with
    # a server's start-up heap (jaring/wsgi.py): a full collection then walks what the pages make only.
    gc.freeze()
    page, bare, codes = [], [], {}
    for pk, number in numbers:
        started = time.perf_counter()
        response = client.get(f"/desk/p/{number}/")
        page.append((time.perf_counter() - started) * 1000)
        codes[response.status_code] = codes.get(response.status_code, 0) + 1
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM members_participant WHERE id = %s", [pk])
            cursor.fetchall()
            cursor.execute(
                "SELECT * FROM contributions_payment WHERE participant_id = %s ORDER BY paid_at", [pk]
            )
            cursor.fetchall()
        bare.append((time.perf_counter() - started) * 1000)
    page_, bare_ = percentiles(page), percentiles(bare)
    figures.add("desk participant page p50", page_["p50"], bare_["p50"], "ms", "bare row + ledger read p50")
    figures.add("desk participant page p99", page_["p99"], bare_["p99"], "ms", "bare row + ledger read p99")
    print(f"  (desk answers: {codes})", flush=True)


def monitoring_measure(figures: Figures, as_of: date) -> None:
    from django.db.models import Count, Q, Sum

    from jaring.common.clock import end_of_day, start_of_day
    from jaring.contributions.models import CoverageRun, Payment
    from jaring.members.models import Participant
    from jaring.monitoring.queries import contest_get, contest_leaderboard, contest_monev, target_status
    from jaring.org.models import Office
    from jaring.rules.months import Month

    periods = quarters(as_of.year)
    running = [code for code, first, _last in periods if first <= as_of][-1]

    def scan_board(code: str) -> dict[str, int]:
        _code, first, last = next(p for p in periods if p[0] == code)
        rows = Participant.objects.filter(
            registered_at__gte=start_of_day(first), registered_at__lte=end_of_day(min(last, as_of)),
            outlet__partner__kind="pos", segment="BPU",
        ).values_list("outlet__code").annotate(n=Count("id")).order_by()  # fmt: skip
        return dict(rows)

    def scan_monev() -> list[int]:
        return [sum(scan_board(code).values()) for code, first, _last in periods if first <= as_of]

    def scan_national() -> tuple[int, int, int]:
        start, through = start_of_day(date(as_of.year, 1, 1)), end_of_day(as_of)
        registered = Participant.objects.filter(
            registered_at__gte=start, registered_at__lte=through, segment="BPU"
        ).count()
        collected = Payment.objects.filter(
            paid_at__gte=start, paid_at__lte=through, participant__segment="BPU"
        ).aggregate(n=Sum("amount"))["n"] or 0  # fmt: skip
        month = Month.from_date(as_of).index
        active = CoverageRun.objects.filter(
            Q(first_month__lte=month) & Q(last_month__gte=month), participant__segment="BPU"
        ).aggregate(n=Count("participant_id", distinct=True))["n"]
        return registered, collected, active

    contest, head = contest_get("scale"), Office.objects.get(code="KP")
    ms, board = median_ms(lambda: contest_leaderboard(contest, running, as_of))
    ref, scanned = median_ms(lambda: scan_board(running), runs=3)
    same = {row.outlet: row.value for row in board.rows if row.value} == scanned
    figures.add("contest leaderboard", ms, ref, "ms", "GROUP BY scan" + ("" if same else " (DIFFERS)"))
    ms, monev = median_ms(lambda: contest_monev(contest, as_of))
    ref, scanned = median_ms(scan_monev, runs=3)
    same = [p.total for p in monev.periods if p.total is not None] == scanned
    figures.add("contest monev", ms, ref, "ms", "GROUP BY scans" + ("" if same else " (DIFFERS)"))
    ms, status = median_ms(lambda: target_status(head, as_of))
    ref, scanned = median_ms(scan_national, runs=3)
    by_metric = {line.metric: line.achievement for line in status.lines}
    got = (by_metric["new_participants"], by_metric["contributions"], by_metric["active_participants"])
    figures.add("national target status", ms, ref, "ms", "scans" + ("" if got == scanned else " (DIFFERS)"))


def statements_measure(figures: Figures, as_of: date) -> None:
    from django.db import transaction

    from jaring.channels.models import Agent
    from jaring.perisai.services import statements_compute
    from jaring.perisai.statements import month_start
    from jaring.rules.months import Month

    month = Month.from_date(as_of) - 1
    start, end = month_start(month), month_start(month + 1)
    bare = (
        "SELECT COALESCE(pt.agent_id, p.agent_id), count(*), sum(p.amount) FROM contributions_payment p "
        "JOIN members_participant pt ON pt.id = p.participant_id WHERE p.paid_at >= %s AND p.paid_at < %s "
    )
    agent = Agent.objects.order_by("code").first()

    def rolled_back(**options):
        """The drafts computed and rolled back, so that a measure run leaves the world as it found it
        and the next one measures the same work."""
        with transaction.atomic():
            result = statements_compute(month=month, **options)
            transaction.set_rollback(True)
        return result

    ms, _result = median_ms(lambda: rolled_back(agents=[agent]), runs=5)
    ref, _rows = median_ms(lambda: scalar(bare + "AND COALESCE(pt.agent_id, p.agent_id) = %s GROUP BY 1",
                                          [start, end, agent.pk]), runs=5)  # fmt: skip
    figures.add("agent monthly statement", ms, ref, "ms", "bare scan of the agent's entries")
    ms, result = once_ms(lambda: rolled_back(summary="bench/scale.py"))
    ref, _rows = once_ms(lambda: scalar(bare + "GROUP BY 1", [start, end]))
    figures.add("month's statement job", ms, ref, "ms", "bare scan of the month's entries")
    print(f"  ({result.statements:,} statements, {result.lines:,} lines for {month})", flush=True)


def lapse_measure(figures: Figures, as_of: date) -> None:
    from django.db import transaction

    from jaring.contributions.services import statuses_refresh
    from jaring.rules.months import Month

    next_month = (Month.from_date(as_of) + 1).first_day()
    counts = {}

    def run():
        with transaction.atomic():
            counts.update(statuses_refresh(today=next_month))
            transaction.set_rollback(True)

    ms, _none = once_ms(run)
    ref, _rows = once_ms(lambda: scalar(
        "SELECT s.status, count(*), max(r.last_month) FROM members_participant p "
        "JOIN members_standing s ON s.participant_id = p.id "
        "LEFT JOIN contributions_coveragerun r ON r.participant_id = p.id GROUP BY s.status"))  # fmt: skip
    figures.add("month-end lapse run", ms, ref, "ms", "bare scan of participants, standings + runs")
    print(f"  (statuses for {next_month:%Y-%m}, rolled back: {counts})", flush=True)


def reminders_measure(figures: Figures, as_of: date) -> None:
    """The day's reminder plan (issue #14) over every standing, rolled back, next to a bare scan of the
    standings and participants it reads. The day is the latest of the world's month whose rules call for
    the most kinds of reminder (a day outside every window plans nothing)."""
    from django.db import transaction

    from jaring.contributions.queries import ratebook
    from jaring.reminders.queries import month_due_date, reminder_rules
    from jaring.reminders.services import reminders_plan
    from jaring.rules.months import Month

    month = Month.from_date(as_of)
    rules, due = reminder_rules(month), month_due_date(month)
    arrears = ratebook().policy_for(month).arrears_months
    days = [
        month.first_day() + timedelta(days=n) for n in range((month.last_day() - month.first_day()).days + 1)
    ]

    def kinds(d: date) -> int:
        return len(set(rules.kinds_by_unpaid(day=d, month=month, due=due, arrears_months=arrears).values()))

    day = max(days, key=lambda d: (kinds(d), d))
    planned = {}

    def run():
        with transaction.atomic():
            result = reminders_plan(day=day, actor=None)
            planned.update(added=result.added, held_out=result.held_out, kinds=result.by_kind)
            transaction.set_rollback(True)

    ms, _none = once_ms(run)
    ref, _rows = once_ms(lambda: scalar(
        "SELECT count(*), sum(p.declared_income), max(s.paid_through) FROM members_standing s "
        "JOIN members_participant p ON p.id = s.participant_id WHERE p.phone <> ''"))  # fmt: skip
    figures.add("day's reminder plan", ms, ref, "ms", "bare scan of standings + participants")
    print(f"  (reminders planned for {day}, rolled back: {planned})", flush=True)


def verify_measure(figures: Figures) -> int:
    from jaring.tallies.verify import tallies_verify

    ms, differences = once_ms(tallies_verify)
    ref, _rows = once_ms(lambda: scalar(
        "SELECT (SELECT count(*) FROM members_participant), (SELECT count(*) FROM contributions_payment), "
        "(SELECT count(*) FROM contributions_coveragerun), "
        "(SELECT count(*) FROM monitoring_tally)"))  # fmt: skip
    figures.add("tallies verify", ms, ref, "ms", "bare count of the rows it reads")
    print(f"  (tallies verify: {len(differences)} differences)", flush=True)
    for difference in differences[:5]:
        print(f"    {difference}", flush=True)
    return len(differences)


def table_sizes() -> dict[str, int]:
    """Bytes per table (indexes and TOAST included), a partitioned table with all its partitions."""
    rows = scalar(
        "SELECT c.relname, CASE WHEN c.relkind = 'p' THEN (SELECT sum(pg_total_relation_size(t.relid)) "
        "FROM pg_partition_tree(c.oid::regclass) t) ELSE pg_total_relation_size(c.oid) END "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
        "AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 2 DESC"
    )
    return {name: int(size) for name, size in rows}


MEASURES = ("api", "desk", "monitoring", "statements", "lapse", "reminders", "verify")


def measure(world: dict, *, verify: bool = True, only: list[str] | None = None) -> dict:
    from django.db import connection

    from jaring.channels.models import Outlet
    from jaring.members.models import Participant

    as_of = world["as_of"]
    rng = random.Random(99)
    top = Participant.objects.order_by("-id").values_list("id", flat=True).first()
    low = Participant.objects.order_by("id").values_list("id", flat=True).first()
    picked = sorted({rng.randint(low, top) for _ in range(SAMPLES * 2)})
    people = list(
        Participant.objects.filter(pk__in=picked).values_list("pk", "nik", "birth_date", "outlet_id")[
            :SAMPLES
        ]
    )
    outlet = Outlet.objects.get(code="POS-00000")
    teller_people = list(
        Participant.objects.filter(outlet=outlet)
        .order_by("?")
        .values_list("pk", flat=True)[: min(SAMPLES, 100)]
    )
    from jaring.rules.participant_number import participant_number

    counts = scalar(
        "SELECT (SELECT count(*) FROM members_participant), (SELECT count(*) FROM contributions_payment), "
        "(SELECT count(*) FROM contributions_coveragerun), (SELECT count(*) FROM monitoring_tally), "
        "(SELECT count(*) FROM monitoring_coveragedelta), (SELECT count(*) FROM channels_agent), "
        "(SELECT count(*) FROM channels_outlet)"
    )[0]
    print(
        f"world of {counts[0]:,} participants as of {as_of}: {counts[1]:,} ledger entries, {counts[2]:,} "
        f"coverage runs, {counts[3]:,} tally rows, {counts[4]:,} coverage deltas, {counts[5]:,} agents, "
        f"{counts[6]:,} outlets",
        flush=True,
    )
    figures = Figures()
    print(f"  {'figure':<34}{'value':>14} | reference", flush=True)
    wanted = set(only or MEASURES)
    if "api" in wanted:
        api_measure(figures, [(nik, born.isoformat()) for _pk, nik, born, _o in people], outlet)
    if "desk" in wanted:
        desk_measure(figures, [(pk, participant_number(pk)) for pk in teller_people])
    if "monitoring" in wanted:
        monitoring_measure(figures, as_of)
    if "statements" in wanted:
        statements_measure(figures, as_of)
    if "lapse" in wanted:
        lapse_measure(figures, as_of)
    if "reminders" in wanted:
        reminders_measure(figures, as_of)
    # ``tallies verify`` holds the tallies it expects in memory: at 10 M (24 M daily rows) it took more
    # than this machine's 24 GiB and was killed (docs/scale.md); --no-verify measures the rest.
    differences = verify_measure(figures) if verify and "verify" in wanted else None
    sizes_ = table_sizes()
    total = database_size()
    print(f"  database {gb(total)}; largest tables:", flush=True)
    for name, size in list(sizes_.items())[:12]:
        print(f"    {name:<40}{size / 1e6:10.1f} MB", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    return {
        "participants": world["participants"],
        "as_of": as_of.isoformat(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "postgresql": version,
            "load_average": os.getloadavg()[0],
        },
        "rows": dict(
            zip(
                (
                    "participants",
                    "ledger",
                    "coverage_runs",
                    "tallies",
                    "coverage_deltas",
                    "agents",
                    "outlets",
                ),
                counts,
                strict=True,
            )
        ),
        "figures": figures.rows,
        "tallies_differences": differences,
        "database_bytes": total,
        "table_bytes": sizes_,
    }


def compare(now: dict, path: str) -> None:
    before = json.loads(Path(path).read_text())
    print(f"from {before['participants']:,} to {now['participants']:,} participants "
          f"(x{now['participants'] / before['participants']:.1f}):")  # fmt: skip
    growth = now["participants"] / before["participants"]
    print(f"  {'figure':<34}{'before':>12}{'now':>12}{'moved':>9}  {'reference moved':<16}goal")
    for name, figure in now["figures"].items():
        old = before["figures"].get(name)
        if old is None:
            continue
        moved = figure["value"] / old["value"] if old["value"] else float("nan")
        ref_moved = (
            figure["reference"] / old["reference"]
            if old.get("reference") and figure.get("reference")
            else None
        )
        print(
            f"  {name:<34}{old['value']:10.1f} {figure['unit']:<2}{figure['value']:10.1f} {figure['unit']:<2}"
            f"{moved:8.2f}x  "
            + ("" if ref_moved is None else f"{ref_moved:.2f}x").ljust(16)
            + (f"linear ({growth:.1f}x)" if name in WHOLE_TABLE_JOBS else "flat")
        )
    print(f"  {'database':<34}{gb(before['database_bytes']):>12}{gb(now['database_bytes']):>12}"
          f"{now['database_bytes'] / before['database_bytes']:8.2f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--postgres", required=True, help="PostgreSQL URL of the bench's own database")
    parser.add_argument(
        "--network",
        type=int,
        help="outlets and agents of a world of this many participants (default: its own)",
    )
    parser.add_argument("--chunk", type=int, default=CHUNK, help="participants per COPY step")
    parser.add_argument("--budget-gb", type=float, help="disk budget (default 6 GB per million)")
    parser.add_argument("--measure", action="store_true", help="measure once the world is built")
    parser.add_argument("--out", help="write the figures to this JSON file")
    parser.add_argument("--compare", help="print how the figures moved since this earlier JSON")
    parser.add_argument("--drop", action="store_true", help="drop the database and stop")
    parser.add_argument(
        "--no-verify", action="store_true", help="measure without `tallies verify` (it needs memory in N)"
    )
    parser.add_argument(
        "--only", type=lambda text: text.split(","), help=f"measure only these: {','.join(MEASURES)}"
    )
    args = parser.parse_args()
    url = args.postgres
    if args.drop:
        database_drop(url)
        print(f"dropped {url.rsplit('/', 1)[1]}")
        return
    budget = (args.budget_gb or max(1.0, GB_PER_MILLION * args.participants / 1e6)) * 1e9
    if not database_exists(url):
        database_recreate(url)
    free, used = disk_free(url)
    print(
        f"disk budget {gb(budget)}; the database takes {gb(used)}; {gb(free)} free on its volume", flush=True
    )
    if free < budget - used:
        raise SystemExit(f"refused: {gb(free)} free is less than the {gb(budget - used)} left of the budget")
    home = tempfile.mkdtemp(prefix="jaring-scale-")
    os.environ.update(JARING_HOME=home, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="jaring.settings",
                      JARING_LOG_LEVEL="ERROR")  # fmt: skip
    os.environ.pop("DATABASE_REPLICA_URL", None)
    try:
        import django

        django.setup()
        started = time.perf_counter()
        world = build(args.participants, url, args.chunk, args.network)
        print(
            f"built ({time.perf_counter() - started:.0f} s this run); database {gb(database_size())}",
            flush=True,
        )
        if args.measure:
            result = measure(world, verify=not args.no_verify, only=args.only)
            if args.out:
                Path(args.out).write_text(json.dumps(result, indent=1, default=str))
                print(f"figures written to {args.out}")
            if args.compare:
                compare(result, args.compare)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
