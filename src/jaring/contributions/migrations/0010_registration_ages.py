"""The registration age limits join the packaged coverage policy (rules/data/bpu_rates.json). A policy
row that already holds them (an operator set them) is left as it is."""

from django.db import migrations

from jaring.contributions.services.rates import packaged_rates, rule_code

KEYS = ("registration_age_min", "registration_age_max")


def add_ages(apps, schema_editor):
    rate_rule = apps.get_model("contributions", "RateRule")
    for entry in packaged_rates()["policies"]:
        rule = rate_rule.objects.filter(code=rule_code("policies", entry)).first()
        if rule is None or any(key in rule.data for key in KEYS):
            continue
        rule.data = {**rule.data, **{key: entry[key] for key in KEYS if key in entry}}
        rule.note = entry.get("note", rule.note)
        rule.save(update_fields=["data", "note"])


class Migration(migrations.Migration):
    dependencies = [("contributions", "0009_coverage_run_checked_through_its_entry")]
    operations = [migrations.RunPython(add_ages, migrations.RunPython.noop)]
