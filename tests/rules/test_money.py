from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.money import format_rupiah, percent_of, round_half_up

fractions = st.fractions(max_denominator=10_000).filter(lambda f: abs(f) < 10**12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.5"), 3),
        (Decimal("-2.5"), -3),
        (Decimal("2.4999999"), 2),
        (Decimal("0.5"), 1),
        (Decimal("16800.5"), 16801),
        (Fraction(1, 2), 1),
        (Fraction(-1, 2), -1),
        (Fraction(1, 3), 0),
        (7, 7),
    ],
)
def test_halves_round_away_from_zero(value, expected):
    assert round_half_up(value) == expected


def test_floats_are_refused_as_money_or_rates():
    with pytest.raises(TypeError):
        round_half_up(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        percent_of(1_000_000, 0.01)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        percent_of(1_000_000.0, Decimal("0.01"))  # type: ignore[arg-type]


def test_non_finite_decimals_are_refused():
    with pytest.raises(ValueError):
        round_half_up(Decimal("NaN"))


def test_one_percent_of_the_minimum_income_is_ten_thousand():
    assert percent_of(1_000_000, Decimal("0.01")) == 10_000


def test_percent_rounds_half_up_at_the_rupiah():
    assert percent_of(1_234_550, Decimal("0.01")) == 12_346
    assert percent_of(1_234_549, Decimal("0.01")) == 12_345


def test_rupiah_use_a_dot_between_thousands():
    assert format_rupiah(16_800) == "Rp16.800"
    assert format_rupiah(0) == "Rp0"
    assert format_rupiah(999) == "Rp999"
    assert format_rupiah(-1_000) == "-Rp1.000"
    assert format_rupiah(20_700_000) == "Rp20.700.000"


@given(fractions)
def test_rounding_moves_at_most_half_a_rupiah(value):
    assert abs(round_half_up(value) - value) <= Fraction(1, 2)


@given(fractions)
def test_rounding_is_symmetric_around_zero(value):
    assert round_half_up(-value) == -round_half_up(value)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_an_exact_half_goes_away_from_zero(n):
    half = Fraction(2 * n + 1, 2)
    assert round_half_up(half) == (n + 1 if half > 0 else n)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_rupiah_are_unchanged(n):
    assert round_half_up(n) == n
    assert round_half_up(Decimal(n)) == n


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_formatted_rupiah_keep_every_digit(n):
    text = format_rupiah(n)
    assert text.startswith("-Rp" if n < 0 else "Rp")
    assert text.removeprefix("-").removeprefix("Rp").replace(".", "") == str(abs(n))
