import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A coverage run's participant is no longer checked by the database: the ledger entry written with
    it in the same transaction is (``CoverageRun.participant``)."""

    dependencies = [
        ("contributions", "0008_ledger_partitioned"),
        ("members", "0007_standing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="coveragerun",
            name="participant",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="coverage_runs",
                to="members.participant",
            ),
        ),
    ]
