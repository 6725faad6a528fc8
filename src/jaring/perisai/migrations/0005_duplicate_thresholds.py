from django.db import migrations

from jaring.perisai.quality import thresholds_seed_data
from jaring.perisai.services.rules import agent_rules_seed

CODE = "PERISAI-QUALITY-2026-12"


def seed(apps, schema_editor):
    """The quality thresholds from December 2026, which add those of the probable-duplicate signal (rows
    already in the database are left as they are)."""
    agent_rules_seed(apps.get_model("perisai", "AgentRule"), thresholds_seed_data())


def unseed(apps, schema_editor):
    apps.get_model("perisai", "AgentRule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("perisai", "0004_statement_line_payment_kept_by_write_path")]
    operations = [migrations.RunPython(seed, unseed)]
