"""How participants are stored on PostgreSQL: every payment updates its participant's standing, so the
table keeps room in its pages and no index that nothing reads."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL storage settings")


def test_a_participant_is_found_by_the_whole_nik_so_no_prefix_index_is_kept():
    _postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'members_participant'")
        definitions = [row[0] for row in cursor.fetchall()]

    assert any("UNIQUE" in definition and "(nik)" in definition for definition in definitions)
    assert not [definition for definition in definitions if "pattern_ops" in definition]


def test_participant_pages_keep_room_for_a_payments_update():
    _postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'members_participant'")
        (options,) = cursor.fetchone()

    assert "fillfactor=85" in options
