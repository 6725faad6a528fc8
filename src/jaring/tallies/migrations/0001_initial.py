# The tallies and coverage deltas move from monitoring to their own app. Their tables stay where they are
# (``monitoring_tally``, ``monitoring_coveragedelta``, created by monitoring 0001): this migration only
# tells Django's state that the models now belong here; monitoring 0006 forgets them there.

from django.db import migrations, models

import jaring.common.fields


class Migration(migrations.Migration):
    initial = True

    dependencies = [("monitoring", "0005_agent_target_metrics")]

    state_operations = [
        migrations.CreateModel(
            name="CoverageDelta",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", jaring.common.fields.MonthField()),
                ("office_id", models.BigIntegerField(default=0)),
                ("outlet_id", models.BigIntegerField(default=0)),
                ("agent_id", models.BigIntegerField(default=0)),
                ("channel", models.CharField(default="", max_length=20)),
                ("segment", models.CharField(default="", max_length=5)),
                ("delta", models.BigIntegerField(default=0)),
            ],
            options={
                "db_table": "monitoring_coveragedelta",
                "indexes": [models.Index(fields=["office_id", "month"], name="delta_office_month")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("month", "outlet_id", "agent_id", "office_id", "channel", "segment"),
                        name="coverage_delta_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Tally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("registered", "registrations"),
                            ("first_paid", "registrations that have paid"),
                            ("paid", "payments"),
                        ],
                        max_length=12,
                    ),
                ),
                ("day", models.DateField()),
                ("office_id", models.BigIntegerField(default=0)),
                ("outlet_id", models.BigIntegerField(default=0)),
                ("agent_id", models.BigIntegerField(default=0)),
                ("channel", models.CharField(default="", max_length=20)),
                ("segment", models.CharField(default="", max_length=5)),
                ("count", models.BigIntegerField(default=0)),
                ("amount", models.BigIntegerField(default=0)),
            ],
            options={
                "db_table": "monitoring_tally",
                "indexes": [
                    models.Index(fields=["kind", "office_id", "day"], name="tally_office_day"),
                    models.Index(fields=["kind", "outlet_id", "day"], name="tally_outlet_day"),
                    models.Index(fields=["kind", "agent_id", "day"], name="tally_agent_day"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "day", "outlet_id", "agent_id", "office_id", "channel", "segment"),
                        name="tally_key",
                    )
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[])
    ]
