from django.db import migrations, models

from jaring.perisai.quality import thresholds_seed_data
from jaring.perisai.services.rules import agent_rules_seed


def seed(apps, schema_editor):
    """The thresholds of the agent quality reads, until now read from perisai/quality_thresholds.json,
    become rule rows an operator can change (with the file's source and note)."""
    agent_rules_seed(apps.get_model("perisai", "AgentRule"), thresholds_seed_data())


def unseed(apps, schema_editor):
    apps.get_model("perisai", "AgentRule").objects.filter(kind="quality").delete()


class Migration(migrations.Migration):
    dependencies = [("perisai", "0002_seed_agent_rules")]
    operations = [
        migrations.AlterField(
            model_name="agentrule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("commission", "commission"),
                    ("lifecycle", "lifecycle"),
                    ("quality", "quality thresholds"),
                ],
                max_length=10,
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
