from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0004_import_employers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="kind",
            field=models.CharField(
                choices=[
                    ("registrations", "registrations"),
                    ("payments", "contribution payments"),
                    ("deposits", "deposits (daily collection)"),
                    ("employers", "employers"),
                    ("workers", "employers' workers (wage earners)"),
                ],
                max_length=15,
            ),
        ),
    ]
