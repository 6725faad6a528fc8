from django.db import migrations

from jaring.reminders.services import reminder_rules_seed


def seed(apps, schema_editor):
    # Adds the packaged holdout share (rules/data/reminders.json, REMIND-HOLDOUT-2015); rules already in
    # the database are left as they are.
    reminder_rules_seed(apps.get_model("reminders", "ReminderRule"))


class Migration(migrations.Migration):
    dependencies = [("reminders", "0003_holdout")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
