import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.months import Month
from jaring.rules.rates import (
    Adjustment,
    NoPolicy,
    NoSchedule,
    Programme,
    RateBook,
    Schedule,
    default_ratebook,
    parse_programmes,
)

JKK, JKM, JHT = Programme.JKK, Programme.JKM, Programme.JHT
BASIC = parse_programmes("JKK+JKM")
WITH_JHT = parse_programmes("JKK+JKM+JHT")
MINIMUM_INCOME = 1_000_000
IN_PP50_WINDOW = Month.parse("2025-09")


def price(month: str, programmes=BASIC, payer_kind=None, income=MINIMUM_INCOME):
    return default_ratebook().price_month(
        Month.parse(month), income=income, programmes=programmes, payer_kind=payer_kind
    )


def schedule(code="S", valid_from="2024-01", valid_to=None, jkk="0.01", jkm=6800, jht="0.02", **fields):
    return Schedule(
        code=code,
        valid_from=Month.parse(valid_from),
        valid_to=None if valid_to is None else Month.parse(valid_to),
        percent={JKK: Decimal(jkk), JHT: Decimal(jht)},
        flat={JKM: jkm},
        min_income=fields.pop("min_income", 1_000_000),
        max_income=fields.pop("max_income", 20_700_000),
        source="test",
        **fields,
    )


def cut(code="CUT", valid_from="2024-01", valid_to="2024-12", factor="0.5", programmes=BASIC, exempt=()):
    return Adjustment(
        code=code,
        valid_from=Month.parse(valid_from),
        valid_to=Month.parse(valid_to),
        programmes=frozenset(programmes),
        factor=Decimal(factor),
        exempt_payer_kinds=frozenset(exempt),
        uncertain=False,
        source="test",
    )


# The acceptance figures: what every informal worker is quoted.


def test_cheapest_cover_costs_16800_a_month():
    month = price("2024-05")
    assert dict(month.lines) == {JKK: 10_000, JKM: 6_800}
    assert month.total == 16_800


def test_cheapest_cover_with_old_age_savings_costs_36800():
    month = price("2024-05", WITH_JHT)
    assert dict(month.lines) == {JKK: 10_000, JKM: 6_800, JHT: 20_000}
    assert month.total == 36_800


def test_pp49_2020_cut_accident_and_death_cover_by_99_percent():
    month = price("2020-09")
    assert dict(month.lines) == {JKK: 100, JKM: 68}
    assert month.total == 168
    assert month.adjustment_codes == ("PP49-2020",)


def test_pp49_2020_left_old_age_savings_alone():
    assert price("2020-09", WITH_JHT).lines[JHT] == 20_000


@pytest.mark.parametrize(
    ("month", "total"), [("2020-07", 16_800), ("2020-08", 168), ("2021-01", 168), ("2021-02", 16_800)]
)
def test_pp49_2020_covered_august_2020_to_january_2021(month, total):
    assert price(month).total == total


def test_pp50_2025_halves_the_contribution_a_worker_pays():
    assert price(str(IN_PP50_WINDOW)).total == 8_400


@pytest.mark.parametrize("payer_kind", ["APBD", "APBN"])
def test_pp50_2025_does_not_cut_what_a_government_budget_pays(payer_kind):
    assert price(str(IN_PP50_WINDOW), payer_kind=payer_kind).total == 16_800


def test_each_month_of_a_payment_is_priced_by_its_own_rules():
    paid = default_ratebook().price(Month.parse("2021-01"), 3, income=MINIMUM_INCOME, programmes=BASIC)
    assert [month.total for month in paid.months] == [168, 16_800, 16_800]
    assert paid.total == 168 + 16_800 + 16_800


def test_a_price_is_plain_json():
    paid = default_ratebook().price(Month.parse("2021-01"), 2, income=MINIMUM_INCOME, programmes=BASIC)
    assert json.loads(json.dumps(paid.as_dict())) == {
        "total": 16_968,
        "months": [
            {"month": "2021-01", "lines": {"JKK": 100, "JKM": 68}, "total": 168},
            {"month": "2021-02", "lines": {"JKK": 10_000, "JKM": 6_800}, "total": 16_800},
        ],
    }


# Schedules and policies in force.


def test_nothing_is_priced_before_the_bpu_schedule_of_july_2015():
    with pytest.raises(NoSchedule, match="2015-06"):
        price("2015-06")
    assert price("2015-07").total == 16_800
    assert issubclass(NoSchedule, LookupError)


def test_the_coverage_policy_allows_three_months_of_arrears_and_prepaying_1_3_6_or_12():
    policy = default_ratebook().policy_for(Month.parse("2024-05"))
    assert policy.arrears_months == 3
    assert policy.payment_month_counts == (1, 3, 6, 12)
    assert policy.restore_cover_for_past_events is False
    with pytest.raises(NoPolicy):
        default_ratebook().policy_for(Month.parse("2015-06"))


def test_adjustments_in_force_depend_on_who_pays():
    book = default_ratebook()
    assert [a.code for a in book.adjustments_for(IN_PP50_WINDOW, None)] == ["PP50-2025"]
    assert book.adjustments_for(IN_PP50_WINDOW, "APBD") == []
    assert [a.code for a in book.adjustments_for(Month.parse("2020-09"), "APBD")] == ["PP49-2020"]


def test_a_schedule_change_takes_effect_from_its_first_month():
    book = RateBook(
        [
            schedule("OLD", "2024-01", "2024-06", jkk="0.01"),
            schedule("NEW", "2024-07", None, jkk="0.02"),
        ]
    )
    paid = book.price(Month.parse("2024-05"), 4, income=MINIMUM_INCOME, programmes=BASIC)
    assert [month.lines[JKK] for month in paid.months] == [10_000, 10_000, 20_000, 20_000]
    assert [month.schedule_code for month in paid.months] == ["OLD", "OLD", "NEW", "NEW"]


def test_a_gap_between_schedules_has_no_price():
    book = RateBook([schedule("A", "2024-01", "2024-03"), schedule("B", "2024-06")])
    with pytest.raises(NoSchedule):
        book.schedule_for(Month.parse("2024-04"))


def test_schedules_may_not_overlap():
    with pytest.raises(ValueError, match="overlap"):
        RateBook([schedule("A", "2024-01", "2024-06"), schedule("B", "2024-06")])


def test_only_the_last_schedule_may_be_open_ended():
    with pytest.raises(ValueError, match="overlap"):
        RateBook([schedule("A", "2024-01", None), schedule("B", "2025-01")])


# Arithmetic.


def test_each_programme_is_rounded_once_after_the_cut():
    # JKK on Rp1,000,050 is exactly Rp10,000.50; halved, Rp5,000.25 -> 5,000.
    # Rounding before the cut would give 10,001 / 2 = 5,000.50 -> 5,001.
    book = RateBook([schedule()], [cut()])
    assert book.price_month(Month.parse("2024-05"), income=1_000_050, programmes=BASIC).lines[JKK] == 5_000


def test_half_a_rupiah_rounds_up():
    # JKK on Rp1,000,050 is exactly Rp10,000.50.
    assert price("2024-05", income=1_000_050).lines[JKK] == 10_001
    assert price("2024-05", income=1_000_049).lines[JKK] == 10_000


def test_overlapping_cuts_multiply():
    book = RateBook([schedule()], [cut("HALF", factor="0.5"), cut("TENTH", factor="0.1", programmes={JKM})])
    month = book.price_month(Month.parse("2024-05"), income=MINIMUM_INCOME, programmes=BASIC)
    assert dict(month.lines) == {JKK: 5_000, JKM: 340}


def test_income_must_be_whole_rupiah():
    book = default_ratebook()
    for bad in (1_000_000.0, True, Decimal("1000000")):
        with pytest.raises(TypeError):
            book.price_month(Month.parse("2024-05"), income=bad, programmes=BASIC)
    with pytest.raises(ValueError):
        book.price_month(Month.parse("2024-05"), income=-1, programmes=BASIC)


def test_a_programme_the_schedule_does_not_price_is_refused():
    book = RateBook(
        [Schedule("S", Month.parse("2024-01"), None, {JKK: Decimal("0.01")}, {}, 0, None, "test")]
    )
    with pytest.raises(ValueError, match="no rate for JKM"):
        book.price_month(Month.parse("2024-05"), income=MINIMUM_INCOME, programmes=BASIC)


def test_declared_income_must_be_within_the_schedule_levels():
    book = default_ratebook()
    may = Month.parse("2024-05")
    assert book.income_problems(may, 1_000_000) == []
    assert book.income_problems(may, 20_700_000) == []
    (below,) = book.income_problems(may, 999_999)
    assert "below the minimum Rp1.000.000" in below
    (above,) = book.income_problems(may, 20_700_001)
    assert "above the maximum Rp20.700.000" in above


incomes = st.integers(min_value=0, max_value=100_000_000)
months = st.integers(min_value=Month.of(2015, 7).index, max_value=Month.of(2030, 12).index).map(Month)
programme_sets = st.sampled_from([BASIC, WITH_JHT])
payers = st.sampled_from([None, "APBD", "APBN", "DONOR"])


@given(months, incomes, programme_sets, payers)
def test_a_month_costs_the_sum_of_its_programme_lines(month, income, programmes, payer):
    priced = default_ratebook().price_month(month, income=income, programmes=programmes, payer_kind=payer)
    assert set(priced.lines) == programmes
    assert priced.total == sum(priced.lines.values())
    assert all(isinstance(amount, int) and amount >= 0 for amount in priced.lines.values())


@given(months, incomes, incomes, programme_sets)
def test_more_income_never_costs_less(month, a, b, programmes):
    low, high = sorted((a, b))
    book = default_ratebook()
    assert (
        book.price_month(month, income=low, programmes=programmes).total
        <= book.price_month(month, income=high, programmes=programmes).total
    )


@given(months, incomes, programme_sets)
def test_a_cut_never_raises_the_price(month, income, programmes):
    book = default_ratebook()
    worker = book.price_month(month, income=income, programmes=programmes)
    budget = book.price_month(month, income=income, programmes=programmes, payer_kind="APBD")
    assert worker.total <= budget.total


@given(months, st.sampled_from([1, 3, 6, 12]), incomes, programme_sets)
def test_a_payment_is_its_months_priced_one_by_one(first, count, income, programmes):
    book = default_ratebook()
    paid = book.price(first, count, income=income, programmes=programmes)
    assert [m.month for m in paid.months] == [first + i for i in range(count)]
    assert paid.months == tuple(
        book.price_month(first + i, income=income, programmes=programmes) for i in range(count)
    )
    assert paid.total == sum(m.total for m in paid.months)
