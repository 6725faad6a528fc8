"""How jaring connects to PostgreSQL: the planner is told storage is solid-state, unless the operator says
otherwise (docs/operations.md)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from jaring import settings


def test_postgresql_connections_price_random_reads_for_solid_state_storage(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://jaring@db.example:5432/jaring")
    monkeypatch.delenv("JARING_PG_RANDOM_PAGE_COST", raising=False)

    options = settings._databases()["default"]["OPTIONS"]

    assert options["options"] == "-c random_page_cost=1.1"


def test_the_operator_may_keep_the_servers_own_price_or_set_another(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://jaring@db.example:5432/jaring")
    monkeypatch.setenv("JARING_PG_RANDOM_PAGE_COST", "")
    assert "options" not in settings._databases()["default"].get("OPTIONS", {})

    monkeypatch.setenv("JARING_PG_RANDOM_PAGE_COST", "2")
    assert settings._databases()["default"]["OPTIONS"]["options"] == "-c random_page_cost=2.0"


def test_a_price_that_is_not_a_number_stops_the_start(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://jaring@db.example:5432/jaring")
    monkeypatch.setenv("JARING_PG_RANDOM_PAGE_COST", "cheap")
    with pytest.raises(ValueError):
        settings._databases()


@pytest.mark.django_db
def test_the_connection_in_use_has_the_price(settings):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 1.1


def test_a_read_replica_is_a_second_postgresql_connection_that_tests_mirror(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://jaring@db.example:5432/jaring")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://jaring@replica.example:5432/jaring")
    monkeypatch.delenv("JARING_PG_RANDOM_PAGE_COST", raising=False)

    databases = settings._databases()

    assert set(databases) == {"default", "replica"}
    replica = databases["replica"]
    assert replica["HOST"] == "replica.example"
    assert replica["OPTIONS"] == {"options": "-c random_page_cost=1.1", "connect_timeout": 3}
    assert replica["TEST"] == {"MIRROR": "default"}


def test_a_replica_needs_postgresql_as_the_primary(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://jaring@replica.example:5432/jaring")
    with pytest.raises(ImproperlyConfigured):
        settings._databases()


def test_without_a_replica_there_is_no_router_and_the_lag_bound_has_its_default():
    if "replica" in settings.DATABASES:
        pytest.skip("this run has a replica configured")
    assert settings.DATABASE_ROUTERS == []
    assert settings.REPLICA_MAX_LAG == 30


def test_the_router_writes_and_migrates_on_the_primary_only():
    from jaring.common.replica import PrimaryReplicaRouter
    from jaring.members.models import Participant

    router = PrimaryReplicaRouter()
    assert router.db_for_write(Participant) == "default"
    assert router.db_for_read(Participant) == "default"  # outside replica_reads()
    assert router.allow_migrate("default", "members") is True
    assert router.allow_migrate("replica", "members") is False


@pytest.mark.django_db
def test_without_a_replica_a_dashboard_reads_as_before_and_says_nothing_of_freshness(network, staff, client):
    from jaring.common.replica import replica_reads

    with replica_reads() as freshness:
        assert freshness is None
    client.force_login(staff("head_office_analyst"))
    response = client.get("/dashboards/")
    assert response.status_code == 200
    assert "data_as_of" not in response.context
    assert b"data-as-of" not in response.content
    client.post("/i18n/setlang/", {"language": "en"})
    assert "primary_reads_until" not in client.session  # no pin without a replica
