"""With a read replica configured, dashboards read from it and everything that must see a write reads the
primary; a replica that is down or lags falls back to the primary and says so. Against a real streaming
replica of a small primary (``conftest.py``), with every transaction committed."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from jaring.common import replica
from jaring.common.replica import PIN_KEY, REPLICA, replica_forget, replica_reads
from jaring.web.templatetags.jaring import tanggal

pytestmark = pytest.mark.usefixtures("replica_databases")

BIRTH = date(1985, 4, 12)


@pytest.fixture(scope="module")
def world(replica_databases):
    """An office tree, a Pos outlet in Karawang, a registered worker, an administrator and an API key,
    committed on the primary and streamed to the replica."""
    from jaring.accounts.services import staff_user_create
    from jaring.api.services import apikey_create
    from jaring.channels.services import outlet_create, partner_create
    from jaring.members.services import participant_register
    from jaring.org.services import branch_areas_assign, office_create
    from jaring.regions.models import Region
    from jaring.rules.nik import Sex, make_nik

    Region.objects.bulk_create(
        [
            Region(code="32", name="JAWA BARAT", level=1),
            Region(code="32.15", name="KAB. KARAWANG", level=2, parent_id="32"),
            Region(code="32.15.01", name="Karawang Barat", level=3, parent_id="32.15"),
            Region(code="32.15.01.2001", name="Tanjungpura", level=4, parent_id="32.15.01"),
        ]
    )
    head = office_create(code="KP", name="Kantor Pusat", kind="head")
    java = office_create(code="KW04", name="Kanwil Jawa Barat", kind="regional", parent=head)
    branch = office_create(code="KC-KRW", name="KC Karawang", kind="branch", parent=java)
    branch_areas_assign(office=branch, regency_codes=["32.15"])
    pos = partner_create(code="POS", name="Pos Indonesia", kind="pos")
    outlet = outlet_create(code="POS-KRW", name="KCU Karawang", partner=pos, region_code="32.15.01")
    worker = participant_register(
        nik=make_nik("32.15.01", BIRTH, Sex("M"), 1),
        name="Budi Santoso",
        birth_date=BIRTH,
        sex="M",
        village_code="32.15.01.2001",
        occupation_code="PEDAGANG_PASAR",
        declared_income=1_000_000,
        programmes="JKK+JKM",
        outlet=outlet,
    ).participant
    admin = staff_user_create(username="admin", role="admin", password="kata-sandi-yang-panjang-2026").user
    token = apikey_create(outlet=outlet, scopes="pay,status").token
    replica_databases.wait_caught_up()

    class World:
        pass

    w = World()
    w.head, w.outlet, w.worker, w.admin, w.token = head, outlet, worker, admin, token
    return w


@pytest.fixture(autouse=True)
def fresh_reading(settings):
    """Each test measures the replica anew, with the bound of production."""
    settings.REPLICA_MAX_LAG = 30
    replica_forget()
    yield
    replica_forget()


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    return client


class Queries:
    """The SQL each connection ran inside the block (the replica's only while it is up to be watched)."""

    def __init__(self, *, replica_up: bool = True):
        self.aliases = ("default", REPLICA) if replica_up else ("default",)

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in self.aliases}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def on(self, alias: str) -> list[str]:
        """The data read and written there (not the check of the replica's own state)."""
        context = self.contexts.get(alias)
        queries = context.captured_queries if context else []
        return [query["sql"] for query in queries if query["sql"] != replica._STATE_SQL]


def reads_tallies(sqls: list[str]) -> bool:
    return any("monitoring_tally" in sql or "monitoring_coveragedelta" in sql for sql in sqls)


def dashboard(client) -> str:
    response = client.get(reverse("dashboards:home"))
    assert response.status_code == 200
    return response.content.decode()


def data_as_of(html: str) -> str:
    return re.search(r'data-testid="data-as-of">([^<]*)<', html)[1]


def test_a_dashboard_is_read_from_the_replica(admin_client):
    with Queries() as queries:
        html = dashboard(admin_client)

    assert reads_tallies(queries.on(REPLICA))
    assert not reads_tallies(queries.on("default"))
    with connections[REPLICA].cursor() as cursor:  # the server it read from is the standby
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        assert cursor.fetchone() == (True, int(connections[REPLICA].settings_dict["PORT"]))
    assert data_as_of(html).startswith("Data as of ")
    assert data_as_of(html) != "Data as of now"


def test_a_payment_and_its_read_after_write_stay_on_the_primary_even_where_reads_may_use_the_replica(world):
    from jaring.contributions.models import Payment
    from jaring.contributions.services import outlet_source, payment_record

    with Queries() as queries, replica_reads() as freshness:
        assert freshness.on_replica
        result = payment_record(
            participant=world.worker, months=1, amount=16_800, source=outlet_source(world.outlet),
            idempotency_key="replica-1", outlet=world.outlet,
        )  # fmt: skip
        again = payment_record(
            participant=world.worker, months=1, amount=16_800, source=outlet_source(world.outlet),
            idempotency_key="replica-1", outlet=world.outlet,
        )  # fmt: skip

    assert result.created and not again.created  # the retry found the first on the primary
    assert again.payment.pk == result.payment.pk
    assert queries.on(REPLICA) == []
    assert any("contributions_payment" in sql for sql in queries.on("default"))
    assert Payment.objects.filter(idempotency_key="replica-1").count() == 1


def test_after_a_payment_at_the_desk_the_user_reads_the_primary_until_the_pin_ends(world, admin_client):
    client = admin_client
    page = client.get(reverse("desk:pay"), {"q": world.worker.number}).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    if "outlet" not in fields:
        select = re.search(r'<select name="outlet".*?</select>', page, re.S)[0]
        fields["outlet"] = re.search(r'<option value="([^"]+)" selected>', select)[1]

    with Queries() as queries:
        paid = client.post(reverse("desk:pay"), {**fields, "months": "1"}, follow=True)
        html = dashboard(client)  # right after the payment

    assert paid.status_code == 200 and paid.redirect_chain, paid.content.decode()[:2000]
    assert queries.on(REPLICA) == []  # the payment, the participant page and the dashboard
    assert reads_tallies(queries.on("default"))
    assert data_as_of(html) == "Data as of now"
    assert client.session[PIN_KEY] > time.time() + replica.pin_seconds() - 10

    session = client.session
    session[PIN_KEY] = time.time() - 1  # the pin is over
    session.save()
    with Queries() as queries:
        dashboard(client)
    assert reads_tallies(queries.on(REPLICA))


def test_a_payment_through_the_api_reads_and_writes_the_primary(world):
    client = Client()
    headers = {"Authorization": f"Bearer {world.token}"}
    body = {"nik": world.worker.nik, "birth_date": BIRTH.isoformat()}
    with Queries() as queries:
        status = client.post(
            "/api/v1/participants/status", json.dumps(body), content_type="application/json", headers=headers
        )
    assert status.status_code == 200, status.content
    assert queries.on(REPLICA) == []


def test_a_target_report_on_the_command_line_reads_the_replica_and_setting_a_target_the_primary(world):
    from django.core.management import call_command

    with Queries() as queries:
        call_command(
            "target", "set", "--office", "KP", "--metric", "new_participants", "--year", "2026",
            "--value", "1000", stdout=io.StringIO(),
        )  # fmt: skip
    assert queries.on(REPLICA) == []
    replica_forget()

    with Queries() as queries:
        call_command("target", "status", "--office", "KP", "--year", "2026", stdout=io.StringIO())
    assert any("monitoring_target" in sql for sql in queries.on(REPLICA))
    assert not any("monitoring_target" in sql for sql in queries.on("default"))


def test_a_replica_that_is_down_sends_reads_to_the_primary_with_a_warning(
    replica_databases, admin_client, caplog
):
    replica_databases.stop_replica()
    try:
        with caplog.at_level(logging.WARNING, logger="jaring.common.replica"), Queries(replica_up=False) as q:
            html = dashboard(admin_client)
    finally:
        replica_databases.start_replica()

    assert reads_tallies(q.on("default"))
    assert data_as_of(html) == "Data as of now"
    assert any("reads go to the primary: down" in record.getMessage() for record in caplog.records)


def test_a_replica_that_fails_mid_page_is_left_and_the_page_read_again_from_the_primary(
    replica_databases, admin_client, caplog, monkeypatch
):
    monkeypatch.setattr(replica, "CHECK_SECONDS", 300)  # the last reading said healthy, and is trusted
    dashboard(admin_client)
    replica_databases.stop_replica()
    try:
        with caplog.at_level(logging.WARNING, logger="jaring.common.replica"), Queries(replica_up=False) as q:
            html = dashboard(admin_client)
    finally:
        replica_databases.start_replica()

    assert reads_tallies(q.on("default"))
    assert data_as_of(html) == "Data as of now"
    assert any("failed a query" in record.getMessage() for record in caplog.records)


def test_a_page_whose_query_the_replica_cancelled_to_replay_is_read_again_from_the_primary(
    admin_client, caplog, monkeypatch
):
    import psycopg
    from django.db import OperationalError

    from jaring.dashboards import queries

    original, calls = queries.office_dashboard, []

    def cancelled_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            message = "canceling statement due to conflict with recovery"
            raise OperationalError(message) from psycopg.errors.SerializationFailure(message)
        return original(*args, **kwargs)

    monkeypatch.setattr(queries, "office_dashboard", cancelled_once)
    with caplog.at_level(logging.WARNING, logger="jaring.common.replica"), Queries() as q:
        html = dashboard(admin_client)

    assert len(calls) == 2
    assert reads_tallies(q.on("default")) and not reads_tallies(q.on(REPLICA))
    assert data_as_of(html) == "Data as of now"
    assert any("cancelled a query" in record.getMessage() for record in caplog.records)
    assert replica.replica_reading().problem == ""  # the replica stays in use


@contextmanager
def behind(pair, seconds: float):
    """The replica receives the primary's next transaction and does not replay it, until the block ends
    (then it catches up); inside, its last replayed transaction is at least ``seconds`` old."""
    pair.on_replica("SELECT pg_wal_replay_pause()")
    try:
        pair.on_primary("SELECT txid_current()")
        deadline = time.monotonic() + 10
        while not pair.on_replica(
            "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"
            " AND now() - pg_last_xact_replay_timestamp() > make_interval(secs => %s)",
            seconds,
        )[0]:
            assert time.monotonic() < deadline, "the replica never fell behind"
            time.sleep(0.1)
        yield
    finally:
        pair.on_replica("SELECT pg_wal_replay_resume()")
    pair.wait_caught_up()


def test_a_replica_lagging_past_the_bound_sends_reads_to_the_primary_with_a_warning(
    replica_databases, admin_client, caplog, settings
):
    settings.REPLICA_MAX_LAG = 0.5
    with (
        behind(replica_databases, 0.5),
        caplog.at_level(logging.WARNING, logger="jaring.common.replica"),
        Queries() as queries,
    ):
        html = dashboard(admin_client)

    assert reads_tallies(queries.on("default"))
    assert not reads_tallies(queries.on(REPLICA))
    assert data_as_of(html) == "Data as of now"
    assert any("lags" in record.getMessage() for record in caplog.records)


def test_a_replica_behind_within_the_bound_is_read_and_the_page_says_up_to_when(
    replica_databases, admin_client
):
    with behind(replica_databases, 0.5):
        replayed = replica_databases.on_replica("SELECT pg_last_xact_replay_timestamp()")[0]
        with Queries() as queries:
            html = dashboard(admin_client)

    assert reads_tallies(queries.on(REPLICA))
    shown = timezone.localtime(replayed)
    with translation.override("en"):
        assert data_as_of(html) == f"Data as of {tanggal(shown)} {shown:%H:%M:%S}"


def test_a_replica_caught_up_is_as_fresh_as_the_moment_it_was_asked(admin_client):
    before = timezone.localtime().replace(microsecond=0)
    html = dashboard(admin_client)
    after = timezone.localtime()

    with translation.override("en"):
        assert data_as_of(html).startswith(f"Data as of {tanggal(before)} ")
    shown = datetime.strptime(data_as_of(html).rsplit(" ", 1)[1], "%H:%M:%S").time()
    assert before.time() <= shown <= after.time()
