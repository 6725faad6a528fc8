from django.db import migrations

from jaring.reminders.services import reminder_rules_seed


def seed(apps, schema_editor):
    reminder_rules_seed(apps.get_model("reminders", "ReminderRule"))


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
