"""Wage earners' contributions: the reported rates to the rupiah, either side of a JP ceiling change, the
programmes of each employer size, and JKP recomposed out of the employer's JKK."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.contributions.services.rates import packaged_wage_rates
from jaring.rules.months import Month
from jaring.rules.wage_rates import SIZES, Payer, WageRuleMissing, load_wage_ratebook

BOOK = load_wage_ratebook(packaged_wage_rates())


def amounts(price):
    return {(line.programme, line.payer.value): line.amount for line in price.lines}


def test_a_large_employer_pays_the_reported_rates_either_side_of_the_march_2024_ceiling():
    february = BOOK.price_month(Month.of(2024, 2), wage=12_000_000, risk_class=1, size="large")
    march = BOOK.price_month(Month.of(2024, 3), wage=12_000_000, risk_class=1, size="large")
    common = {
        ("JKK", "employer"): 28_800,  # 0.24 %
        ("JKM", "employer"): 36_000,  # 0.30 %
        ("JHT", "employer"): 444_000,  # 3.7 %
        ("JHT", "worker"): 240_000,  # 2 %
    }
    assert amounts(february) == common | {("JP", "employer"): 191_192, ("JP", "worker"): 95_596}
    assert amounts(march) == common | {("JP", "employer"): 200_846, ("JP", "worker"): 100_423}
    assert february.billed == 1_035_588 and february.paid_by(Payer.GOVERNMENT) == 0


def test_a_micro_employer_has_no_jht_nor_jp_and_a_small_one_no_jp():
    micro = BOOK.price_month(Month.of(2024, 3), wage=12_000_000, risk_class=5, size="micro")
    small = BOOK.price_month(Month.of(2024, 3), wage=12_000_000, risk_class=5, size="small")
    assert amounts(micro) == {("JKK", "employer"): 208_800, ("JKM", "employer"): 36_000}
    assert {line.programme for line in small.lines} == {"JKK", "JKM", "JHT"}


def test_jkp_takes_its_share_out_of_the_employers_jkk_and_the_government_pays_the_rest():
    before = BOOK.price_month(Month.of(2025, 1), wage=5_000_000, risk_class=1, size="large")
    after = BOOK.price_month(Month.of(2025, 2), wage=5_000_000, risk_class=1, size="large")
    assert amounts(after)[("JKK", "employer")] == 5_000  # 0.24 % - 0.14 %
    assert amounts(after)[("JKP", "employer")] == 7_000
    assert amounts(after)[("JKP", "government")] == 11_000
    assert after.paid_by(Payer.EMPLOYER) == before.paid_by(Payer.EMPLOYER)
    assert after.billed == before.billed


def test_the_size_class_follows_the_workforce():
    month = Month.of(2024, 5)
    assert [BOOK.size_for(workers, month) for workers in (1, 4, 5, 19, 20, 99, 100, 50_000)] == [
        "micro", "micro", "small", "small", "medium", "medium", "large", "large",
    ]  # fmt: skip


def test_bad_input_is_named():
    month = Month.of(2024, 5)
    with pytest.raises(ValueError, match="risk class 6 does not exist"):
        BOOK.price_month(month, wage=5_000_000, risk_class=6, size="large")
    with pytest.raises(ValueError, match="unknown size class"):
        BOOK.price_month(month, wage=5_000_000, risk_class=1, size="huge")
    assert BOOK.wage_problems(month, -1) == ["The wage must be more than zero."]
    assert BOOK.wage_problems(month, 10**10)[0].startswith("A monthly wage above")
    with pytest.raises(WageRuleMissing, match="no JP wage ceiling"):
        BOOK.price_month(Month.of(2022, 5), wage=5_000_000, risk_class=1, size="large")
    # without JP, an earlier month prices: the ceiling is only needed where JP is
    assert BOOK.price_month(Month.of(2022, 5), wage=5_000_000, risk_class=1, size="small").billed > 0


@given(
    wage=st.integers(min_value=1, max_value=1_000_000_000),
    risk_class=st.integers(min_value=1, max_value=5),
    size=st.sampled_from(SIZES),
    month=st.integers(min_value=Month.of(2023, 3).index, max_value=Month.of(2027, 12).index),
)
def test_each_line_is_its_rate_of_its_base_rounded_half_up(wage, risk_class, size, month):
    price = BOOK.price_month(Month(month), wage=wage, risk_class=risk_class, size=size)
    for line in price.lines:
        exact = line.rate * line.base
        assert abs(Decimal(line.amount) - exact) <= Decimal("0.5")
        assert line.base == wage or (line.programme == "JP" and line.base < wage)
    assert price.billed == price.paid_by(Payer.EMPLOYER) + price.paid_by(Payer.WORKER)
    assert price.total == price.billed + price.paid_by(Payer.GOVERNMENT)
