# Tally and CoverageDelta now belong to the tallies app (tallies 0001 takes them over with their tables);
# monitoring forgets them without touching the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_agent_target_metrics"), ("tallies", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CoverageDelta"),
                migrations.DeleteModel(name="Tally"),
            ],
            database_operations=[],
        )
    ]
