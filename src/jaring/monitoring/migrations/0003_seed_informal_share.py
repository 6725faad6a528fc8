from datetime import date
from decimal import Decimal

from django.db import migrations

# BPS Sakernas August 2024: 83.83 M informal workers, 57.95 % of 144.64 M employed. A share of the
# employed, used on population: a rough upper estimate, corrected by staff figures (see docs/monitoring.md).
SOURCE = "BPS Sakernas Agustus 2024: 57,95 % pekerja informal dari penduduk bekerja"


def seed(apps, schema_editor):
    apps.get_model("monitoring", "InformalShare").objects.get_or_create(
        effective_from=date(2024, 8, 1), defaults={"share": Decimal("0.5795"), "source": SOURCE}
    )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_targets_contests_scenarios")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
