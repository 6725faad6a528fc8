"""How participants are stored on PostgreSQL: every payment rewrites the participant's standing, a narrow
row of its own whose pages keep room for the rewrite; the participant row itself keeps no index that
nothing reads and fills its pages."""

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


def test_standing_pages_keep_room_for_a_payments_rewrite_and_participant_pages_are_full():
    _postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class "
            "WHERE relname IN ('members_participant', 'members_standing')"
        )
        options = dict(cursor.fetchall())

    assert "fillfactor=50" in options["members_standing"]
    assert "fillfactor=100" in options["members_participant"]


def test_a_standing_has_no_index_beside_its_key():
    _postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'members_standing'")
        definitions = [row[0] for row in cursor.fetchall()]

    assert len(definitions) == 1 and "pkey" in definitions[0]
