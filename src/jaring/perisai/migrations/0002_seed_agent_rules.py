from django.db import migrations

from jaring.perisai.services.rules import agent_rules_seed


def seed(apps, schema_editor):
    agent_rules_seed(apps.get_model("perisai", "AgentRule"))


class Migration(migrations.Migration):
    dependencies = [("perisai", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
