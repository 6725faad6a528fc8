"""The probable-duplicate matcher's weights as shipped (``rules/data/duplicates.json``)."""

import json
from importlib import resources

from django.db import migrations

from jaring.rules.months import Month


def seed(apps, schema_editor):
    DuplicateRule = apps.get_model("members", "DuplicateRule")
    shipped = json.loads(resources.files("jaring.rules.data").joinpath("duplicates.json").read_text("utf-8"))
    for rule in shipped["rules"]:
        if not DuplicateRule.objects.filter(code=rule["code"]).exists():
            DuplicateRule.objects.create(
                code=rule["code"],
                kind=rule["kind"],
                valid_from=Month.parse(rule["valid_from"]),
                data=rule["data"],
                uncertain=rule.get("uncertain", False),
                source=rule.get("source", ""),
                note=rule.get("note", ""),
            )


class Migration(migrations.Migration):
    dependencies = [("members", "0010_probable_duplicates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
