"""The database refuses to change an audit entry (an UPDATE raises), on SQLite and PostgreSQL alike.

Deleting is left to the database owner (a retention purge); the application never deletes an entry."""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER accounts_auditentry_append_only BEFORE UPDATE ON accounts_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS accounts_auditentry_append_only;"

POSTGRES_UP = """
CREATE FUNCTION accounts_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$;
CREATE TRIGGER accounts_auditentry_append_only BEFORE UPDATE ON accounts_auditentry
FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_append_only();
"""


def _run(statements: dict):
    def run(apps, schema_editor):
        sql = statements.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
