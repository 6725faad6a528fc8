"""The Paritrana criteria as shipped: weights and full marks. No official weights were found (DOMAIN.md,
"Local governments"), so this is jaring's default, said so in its source; staff change it with
`jaring paritrana weights set`, the /outreach/paritrana/weights/ page or the back office (a new row from a
month). docs/outreach.md, "The Paritrana score", gives the reasons for each figure."""

from django.db import migrations

from jaring.rules.months import Month

RULE = {
    "code": "paritrana-default",
    "kind": "paritrana",
    "valid_from": (2017, 1),
    "data": {
        "weights": {
            "regulation": "10",
            "budget": "10",
            "wage_earners": "15",
            "informal": "20",
            "employers": "10",
            "growth": "15",
            "interview": "20",
        },
        "full_marks": {
            "regulation": "1",
            "budget": "1",
            "wage_earners": "100",
            "informal": "100",
            "employers": "14",
            "growth": "20",
            "interview": "100",
        },
    },
    "uncertain": True,
    "source": "jaring default, no official weights found",
    "note": (
        "Policy 20 (regulation 10, budget 10), implementation 45 (wage earners 15, informal 20, employers "
        "10), performance 15, interview 20. Full marks: 100 % coverage; 14 employers per 1,000 wage "
        "earners (850,000 companies over 144.64 M x 42.05 % = 60.8 M wage earners, DOMAIN.md); 20 % growth "
        "a year."
    ),
}


def seed(apps, schema_editor):
    OutreachRule = apps.get_model("outreach", "OutreachRule")
    if not OutreachRule.objects.filter(code=RULE["code"]).exists():
        OutreachRule.objects.create(**{**RULE, "valid_from": Month.of(*RULE["valid_from"])})


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_paritrana")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
