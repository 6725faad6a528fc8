from django.db import migrations

from jaring.members.services.occupations import occupations_seed


def seed(apps, schema_editor):
    occupations_seed(apps.get_model("members", "Occupation"))


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
