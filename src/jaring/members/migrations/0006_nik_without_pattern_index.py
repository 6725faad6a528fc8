from django.db import migrations


def pattern_index_drop(apps, schema_editor):
    """PostgreSQL gets a second index on a unique text column, for ``LIKE 'prefix%'`` searches; jaring
    finds a worker by the whole NIK only (``members.queries.identifier_parse``), so that index was
    written at every registration and every payment's update of a participant and never read."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'members_participant' "
            "AND indexdef LIKE '%%(nik varchar_pattern_ops)%%'"
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def pattern_index_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS members_participant_nik_like "
            "ON members_participant (nik varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0005_lean_indexes")]

    operations = [migrations.RunPython(pattern_index_drop, pattern_index_back)]
