from django.db import migrations

from jaring.common.partitions import table_partition


def audit_partition(apps, schema_editor):
    table_partition(schema_editor, "accounts_auditentry")


class Migration(migrations.Migration):
    """The audit trail partitioned by month on PostgreSQL (``common.partitions``); nothing on SQLite."""

    dependencies = [("accounts", "0002_auditentry_append_only")]

    operations = [migrations.RunPython(audit_partition, migrations.RunPython.noop)]
