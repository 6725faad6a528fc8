import json
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from jaring.rules.months import Month
from jaring.rules.rates import Programme, default_ratebook, load_ratebook

JKK, JKM, JHT = Programme.JKK, Programme.JKM, Programme.JHT


def shipped_data() -> dict:
    text = resources.files("jaring.rules").joinpath("data/bpu_rates.json").read_text(encoding="utf-8")
    return json.loads(text)


def minimal(**schedule_fields) -> dict:
    entry = {
        "code": "S",
        "valid_from": "2024-01",
        "percent": {"JKK": "0.01"},
        "flat": {"JKM": 6800},
        "min_income": 1_000_000,
    }
    entry.update(schedule_fields)
    return {"schedules": [entry]}


def test_every_shipped_rule_says_where_it_comes_from_and_how_sure_it_is():
    data = shipped_data()
    entries = data["schedules"] + data["adjustments"] + data["policies"]
    assert len(entries) == 4
    for entry in entries:
        assert entry["source"].strip()
        assert isinstance(entry["uncertain"], bool)
        assert isinstance(entry["note"], str)


def test_shipped_rates_are_decimal_text_not_floats():
    def no_floats(value):
        assert not isinstance(value, float)
        for child in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
            no_floats(child)

    text = resources.files("jaring.rules").joinpath("data/bpu_rates.json").read_text(encoding="utf-8")
    no_floats(json.loads(text))


def test_the_pp50_2025_period_is_flagged_as_unverified_and_pp49_2020_is_not():
    book = default_ratebook()
    by_code = {adjustment.code: adjustment for adjustment in book.adjustments}
    assert by_code["PP50-2025"].uncertain
    assert by_code["PP50-2025"].exempt_payer_kinds == {"APBD", "APBN"}
    assert "operators" in by_code["PP50-2025"].note
    assert not by_code["PP49-2020"].uncertain
    assert by_code["PP49-2020"].exempt_payer_kinds == frozenset()


def test_the_maximum_income_is_flagged_as_unverified():
    bpu = default_ratebook().schedule_for(Month.parse("2024-05"))
    assert (bpu.min_income, bpu.max_income) == (1_000_000, 20_700_000)
    assert bpu.uncertain
    assert "207,000" in bpu.note


def test_the_default_ratebook_is_read_once():
    assert default_ratebook() is default_ratebook()


def test_database_rows_may_use_months_dates_decimals_and_joined_codes():
    book = load_ratebook(
        {
            "schedules": [
                {
                    "code": "S",
                    "valid_from": date(2024, 1, 1),
                    "valid_to": None,
                    "percent": {"JKK": Decimal("0.01")},
                    "flat": {"JKM": 6800},
                    "min_income": 1_000_000,
                    "max_income": None,
                    "id": 7,
                }
            ],
            "adjustments": [
                {
                    "code": "CUT",
                    "valid_from": Month.parse("2024-03"),
                    "valid_to": "2024-04",
                    "programmes": "JKK+JKM",
                    "factor": Decimal("0.5"),
                    "exempt_payer_kinds": "APBD,APBN",
                }
            ],
            "policies": [{"valid_from": "2024-01", "payment_month_counts": "1,3"}],
        }
    )
    march = book.price_month(Month.parse("2024-03"), income=1_000_000, programmes={JKK, JKM})
    assert march.total == 8_400
    assert book.adjustments[0].exempt_payer_kinds == {"APBD", "APBN"}
    assert book.policy_for(Month.parse("2030-01")).payment_month_counts == (1, 3)
    assert book.schedule_for(Month.parse("2030-01")).max_income is None


def test_a_float_rate_is_refused_and_the_entry_named():
    with pytest.raises(TypeError, match=r"schedules\[0\] \(S\): JKK rate"):
        load_ratebook(minimal(percent={"JKK": 0.01}))


def test_a_missing_field_is_named():
    data = minimal()
    del data["schedules"][0]["min_income"]
    with pytest.raises(ValueError, match=r"schedules\[0\] \(S\): missing key 'min_income'"):
        load_ratebook(data)


def test_a_bad_month_is_named():
    with pytest.raises(ValueError, match=r"schedules\[0\].*'2024-13' is not a month"):
        load_ratebook(minimal(valid_from="2024-13"))


def test_pension_cannot_be_given_a_rate():
    with pytest.raises(ValueError, match="JP"):
        load_ratebook(minimal(percent={"JKK": "0.01", "JP": "0.02"}))


def test_a_programme_priced_both_ways_is_refused():
    with pytest.raises(ValueError, match="JKM both as percent and flat"):
        load_ratebook(minimal(percent={"JKK": "0.01", "JKM": "0.003"}))
