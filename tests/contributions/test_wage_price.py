"""The wage earners' rates live in rate rule rows (seeded from rules/data/pu_rates.json, corrected by
operators), and `jaring price --segment PU` prints each line with who pays it."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from jaring.contributions.models import RateRule
from jaring.contributions.queries import ratebook_forget, wage_ratebook
from jaring.rules.months import Month


@pytest.mark.django_db
def test_the_price_command_gives_the_lines_and_who_pays_them():
    out = StringIO()
    call_command(
        "price", "--segment", "PU", "--wage", "5000000", "--risk-class", "1", "--size", "large",
        "--month", "2024-05", "--json", stdout=out,
    )  # fmt: skip
    printed = json.loads(out.getvalue())
    lines = {(line["programme"], line["payer"]): line["amount"] for line in printed["months"][0]["lines"]}
    assert lines == {
        ("JKK", "employer"): 12_000,
        ("JKM", "employer"): 15_000,
        ("JHT", "employer"): 185_000,
        ("JHT", "worker"): 100_000,
        ("JP", "employer"): 100_000,
        ("JP", "worker"): 50_000,
    }
    assert printed["billed"] == printed["total"] == 462_000


@pytest.mark.django_db
def test_an_operator_correcting_a_ceiling_changes_the_price():
    row = RateRule.objects.get(code="JP-CEILING-2024-03")
    row.data = {**row.data, "amount": 11_000_000}
    row.save()
    ratebook_forget()
    price = wage_ratebook().price_month(Month.of(2024, 5), wage=12_000_000, risk_class=1, size="large")
    jp = [line for line in price.lines if line.programme == "JP"]
    assert [line.base for line in jp] == [11_000_000, 11_000_000]


@pytest.mark.django_db
def test_bad_input_is_refused_per_field(capsys):
    with pytest.raises(SystemExit) as stop:
        call_command(
            "price", "--segment", "PU", "--wage", "-1", "--risk-class", "7", "--size", "large",
            "--month", "2024-05", "--json",
        )  # fmt: skip
    assert stop.value.code == 2
    assert json.loads(capsys.readouterr().out)["errors"] == {"wage": ["The wage must be more than zero."]}
