# The participants' village index becomes the village with the birth date: it still finds a village's
# participants, and it finds those born on a day in a village (the probable duplicates' birth block)
# without reading the whole village. Made before the old one is dropped, so a village is never unindexed.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0015_duplicate_scans"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["village", "birth_date"], name="participant_village_born"),
        ),
        migrations.RemoveIndex(
            model_name="participant",
            name="participant_village",
        ),
    ]
