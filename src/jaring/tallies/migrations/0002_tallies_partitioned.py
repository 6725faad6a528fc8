from django.db import migrations

from jaring.common.partitions import table_partition


def tallies_partition(apps, schema_editor):
    table_partition(schema_editor, "monitoring_tally")
    table_partition(schema_editor, "monitoring_coveragedelta")


class Migration(migrations.Migration):
    """Tallies by month of their day and coverage deltas by their month, partitioned on PostgreSQL
    (``common.partitions``); their unique keys already hold the day or the month. Nothing on SQLite."""

    dependencies = [("tallies", "0001_initial")]

    operations = [migrations.RunPython(tallies_partition, migrations.RunPython.noop)]
