"""The outreach rules as shipped: Kanwil VII's "at least two government-run markets per branch" and a
90-day look-ahead for expiring MoUs. Operators correct them in the back office (a new row from a month)."""

from django.db import migrations

from jaring.rules.months import Month

RULES = (
    {
        "code": "market-target-2014",
        "kind": "market_target",
        "valid_from": (2014, 1),
        "data": {"government_markets_per_branch": 2},
        "source": "DOMAIN.md: Kanwil VII Kalimantan (Bisnis.com, 21 August 2014)",
        "note": "Every branch should bring at least two government-run traditional markets into the scheme.",
    },
    {
        "code": "mou-lookahead-90",
        "kind": "mou_lookahead",
        "valid_from": (2014, 1),
        "data": {"days": 90},
        "source": "jaring default (docs/outreach.md): a quarter ahead, time to renew an MoU",
        "note": "",
    },
)


def seed(apps, schema_editor):
    OutreachRule = apps.get_model("outreach", "OutreachRule")
    for rule in RULES:
        if not OutreachRule.objects.filter(code=rule["code"]).exists():
            OutreachRule.objects.create(**{**rule, "valid_from": Month.of(*rule["valid_from"])})


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
