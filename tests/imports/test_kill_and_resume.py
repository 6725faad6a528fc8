"""The acceptance test of resumable imports: a real `jaring import` process killed with SIGKILL half-way,
then run again, finishes with every row exactly once."""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROWS = 30_000
PROCESSED = "SELECT COALESCE(MAX(processed_rows), 0) FROM imports_importjob"
PARTICIPANTS = "SELECT COUNT(*) FROM members_participant"
SETUP = """
import django
django.setup()
from pathlib import Path
from django.core.management import call_command
from jaring.channels.services import outlet_create, partner_create
from jaring.imports.synthetic import registrations_file_write
from jaring.regions.services import regions_load
call_command("migrate", verbosity=0)
regions_load()
pos = partner_create(code="POS", name="Pos Indonesia", kind="pos")
outlet_create(code="POS-BPN", name="KCU Balikpapan", partner=pos, region_code="64.71.01")
outlet_create(code="POS-KRW", name="KCU Karawang", partner=pos, region_code="32.15.01")
registrations_file_write(Path({path!r}), {rows}, outlets=["POS-BPN", "POS-KRW"], regencies=["64.71", "32.15"],
                         bad_every=97)
"""


@pytest.fixture
def database(tmp_path: Path):
    """Environment for the child processes and a function giving (processed rows, participants); the
    PostgreSQL database made for them is dropped afterwards."""
    env, counts = _database(tmp_path)
    yield env, counts
    if "DATABASE_URL" in env:
        import psycopg

        base, name = env["DATABASE_URL"].rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database(tmp_path: Path) -> tuple[dict, object]:
    """Environment for the child processes and a function giving (processed rows, participants)."""
    env = {**os.environ, "JARING_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "jaring.settings"}
    url = os.environ.get("DATABASE_URL")
    if not url:
        env.pop("DATABASE_URL", None)

        def counts():
            with sqlite3.connect(tmp_path / "jaring.sqlite3", timeout=30) as db:
                job = db.execute("SELECT COALESCE(MAX(processed_rows), 0) FROM imports_importjob").fetchone()[
                    0
                ]
                people = db.execute("SELECT COUNT(*) FROM members_participant").fetchone()[0]
            return job, people

        return env, counts
    import psycopg

    base, name = url.rsplit("/", 1)
    name = f"{name}_kill_resume"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{base}/{name}"

    def counts():
        with psycopg.connect(env["DATABASE_URL"]) as db:
            job = db.execute(PROCESSED).fetchone()[0]
            people = db.execute(PARTICIPANTS).fetchone()[0]
        return job, people

    return env, counts


def test_an_import_killed_half_way_finishes_on_the_rerun_with_no_duplicate_and_no_missing_row(
    tmp_path, database
):
    env, counts = database
    path = tmp_path / "workers.csv"
    subprocess.run([sys.executable, "-c", SETUP.format(path=str(path), rows=ROWS)], env=env, check=True)
    command = [sys.executable, "-m", "jaring", "import", "registrations", str(path), "--chunk", "500"]

    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while counts()[0] < ROWS // 5:
        assert child.poll() is None, "the import ended before it could be killed"
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    processed, people = counts()
    assert 0 < processed < ROWS, "killed half-way"

    rerun = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True, check=True)
    assert "resuming" in rerun.stderr
    bad = len(range(96, ROWS, 97))
    processed, people = counts()
    assert processed == ROWS
    assert people == ROWS - bad

    with open(f"{path}.result.csv", encoding="utf-8") as handle:
        results = list(csv.DictReader(handle))
    assert [int(row["row"]) for row in results] == list(range(2, ROWS + 2))
    assert sum(row["status"] == "accepted" for row in results) == ROWS - bad
    numbers = [row["participant_number"] for row in results if row["status"] == "accepted"]
    assert len(set(numbers)) == len(numbers)

    again = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "already imported" in again.stderr
    assert counts() == (ROWS, ROWS - bad)


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is a POSIX signal")
