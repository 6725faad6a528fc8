from django.db import migrations

from jaring.contributions.services.rates import rate_rules_seed


def seed(apps, schema_editor):
    rate_rules_seed(apps.get_model("contributions", "RateRule"))


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
