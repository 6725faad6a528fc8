from django.db import migrations, models

import jaring.common.fields


def rollups_fill(apps, schema_editor):
    """The roll-ups of the tallies and coverage deltas already kept, summed here (as ``TallyBatch.rollups``
    does) so that the reads that move to them answer as before."""
    from collections import defaultdict
    from datetime import date

    tally, delta = apps.get_model("tallies", "Tally"), apps.get_model("tallies", "CoverageDelta")
    offices, outlets = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    rows = tally.objects.values_list(
        "kind", "day", "outlet_id", "office_id", "channel", "segment", "count", "amount"
    )
    for kind, day, outlet_id, office_id, channel, segment, count, amount in rows.iterator(chunk_size=10_000):
        day = day if isinstance(day, date) else date.fromisoformat(day)
        month = day.year * 12 + day.month - 1
        for rollup, key in (
            (offices, (kind, month, office_id, channel, segment)),
            (outlets, (kind, month, outlet_id, office_id, channel, segment)),
        ):
            rollup[key][0] += count
            rollup[key][1] += amount
    deltas = delta.objects.values_list("month", "outlet_id", "office_id", "channel", "segment", "delta")
    for month, outlet_id, office_id, channel, segment, value in deltas.iterator(chunk_size=10_000):
        offices["covered", month.index, office_id, channel, segment][0] += value
        outlets["covered", month.index, outlet_id, office_id, channel, segment][0] += value
    office_month, outlet_month = (
        apps.get_model("tallies", "OfficeMonth"),
        apps.get_model("tallies", "OutletMonth"),
    )
    office_month.objects.bulk_create(
        [
            office_month(kind=k, month=m, office_id=o, channel=c, segment=s, count=n, amount=a)
            for (k, m, o, c, s), (n, a) in offices.items()
            if n or a
        ],
        batch_size=5_000,
    )
    outlet_month.objects.bulk_create(
        [
            outlet_month(kind=k, month=m, outlet_id=u, office_id=o, channel=c, segment=s, count=n, amount=a)
            for (k, m, u, o, c, s), (n, a) in outlets.items()
            if n or a
        ],
        batch_size=5_000,
    )


class Migration(migrations.Migration):
    """Monthly roll-ups of the tallies, by office and by outlet, filled from the daily tallies kept."""

    dependencies = [
        ("tallies", "0002_tallies_partitioned"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfficeMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=12)),
                ("month", jaring.common.fields.MonthField()),
                ("office_id", models.BigIntegerField(default=0)),
                ("channel", models.CharField(default="", max_length=20)),
                ("segment", models.CharField(default="", max_length=5)),
                ("count", models.BigIntegerField(default=0)),
                ("amount", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "month", "office_id", "channel", "segment"), name="office_month_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OutletMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=12)),
                ("month", jaring.common.fields.MonthField()),
                ("outlet_id", models.BigIntegerField(default=0)),
                ("office_id", models.BigIntegerField(default=0)),
                ("channel", models.CharField(default="", max_length=20)),
                ("segment", models.CharField(default="", max_length=5)),
                ("count", models.BigIntegerField(default=0)),
                ("amount", models.BigIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "outlet_id", "month"], name="outlet_month_outlet")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "month", "outlet_id", "office_id", "channel", "segment"),
                        name="outlet_month_key",
                    )
                ],
            },
        ),
        migrations.RunPython(rollups_fill, migrations.RunPython.noop),
    ]
