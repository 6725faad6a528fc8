from django.db import migrations

from jaring.common.partitions import table_partition


def payments_partition(apps, schema_editor):
    table_partition(schema_editor, "contributions_payment")


class Migration(migrations.Migration):
    """The ledger partitioned by month of payment on PostgreSQL (``common.partitions``); nothing on
    SQLite. Its uniqueness across months moved to ``LedgerKey`` before, and no key points at it."""

    dependencies = [
        ("contributions", "0007_ledger_keys"),
        ("perisai", "0004_statement_line_payment_kept_by_write_path"),
    ]

    operations = [migrations.RunPython(payments_partition, migrations.RunPython.noop)]
