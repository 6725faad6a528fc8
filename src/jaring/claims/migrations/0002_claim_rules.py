"""The claim rules as shipped (``rules/data/claims.json``, each with its source); operators correct them
in the back office (a new row from a month)."""

import json
from importlib import resources

from django.db import migrations

from jaring.rules.months import Month


def seed(apps, schema_editor):
    ClaimRule = apps.get_model("claims", "ClaimRule")
    shipped = json.loads(resources.files("jaring.rules.data").joinpath("claims.json").read_text("utf-8"))
    for rule in shipped["rules"]:
        if not ClaimRule.objects.filter(code=rule["code"]).exists():
            ClaimRule.objects.create(
                code=rule["code"],
                kind=rule["kind"],
                valid_from=Month.parse(rule["valid_from"]),
                data=rule["data"],
                uncertain=rule.get("uncertain", False),
                source=rule.get("source", ""),
                note=rule.get("note", ""),
            )


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
