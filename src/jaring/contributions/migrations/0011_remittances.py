"""Market collectors' remittances, and the index a collector's deposits are summed by (outlet, collected
at; on PostgreSQL carrying the amount), which takes the place of the index on the outlet alone."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0005_agent_participant_kept_by_write_path"),
        ("contributions", "0010_registration_ages"),
        ("members", "0008_payment_code_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Remittance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.BigIntegerField()),
                ("remitted_at", models.DateTimeField()),
                ("reference", models.CharField(max_length=100)),
                ("fingerprint", models.CharField(max_length=64)),
                ("note", models.CharField(blank=True, max_length=200)),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["remitted_at", "id"],
            },
        ),
        migrations.AlterField(
            model_name="deposit",
            name="outlet",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="channels.outlet",
            ),
        ),
        migrations.AddIndex(
            model_name="deposit",
            index=models.Index(
                fields=["outlet", "collected_at"], include=("amount",), name="deposit_outlet_collected"
            ),
        ),
        migrations.AddField(
            model_name="remittance",
            name="agent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="channels.agent",
            ),
        ),
        migrations.AddField(
            model_name="remittance",
            name="outlet",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="remittances",
                to="channels.outlet",
            ),
        ),
        migrations.AddField(
            model_name="remittance",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="remittance",
            index=models.Index(fields=["outlet", "remitted_at"], name="remittance_outlet_at"),
        ),
        migrations.AddConstraint(
            model_name="remittance",
            constraint=models.UniqueConstraint(
                fields=("outlet", "reference"), name="remittance_reference_per_outlet"
            ),
        ),
        migrations.AddConstraint(
            model_name="remittance",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="remittance_positive"
            ),
        ),
    ]
