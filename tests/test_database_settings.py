"""How jaring connects to PostgreSQL: the planner is told storage is solid-state, unless the operator says
otherwise (docs/operations.md)."""

import pytest
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
