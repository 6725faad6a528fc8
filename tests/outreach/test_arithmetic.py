"""The outreach arithmetic as properties: a forecast is its members x months x price and says so; a
target is met exactly when the count reaches what is required."""

from hypothesis import given
from hypothesis import strategies as st

from jaring.outreach.arithmetic import Attainment, Forecast

counts = st.integers(min_value=0, max_value=10_000_000)
prices = st.integers(min_value=0, max_value=5_000_000)


@given(
    members=counts, months=st.integers(min_value=0, max_value=12), price=prices, ceiling=st.none() | counts
)
def test_a_forecast_is_members_times_months_times_the_monthly_price(members, months, price, ceiling):
    forecast = Forecast(members=members, months=months, monthly_price=price, ceiling=ceiling)
    assert forecast.total == members * months * price >= 0
    assert forecast.change == (None if ceiling is None else forecast.total - ceiling)
    # the arithmetic shown reads back to the same figures
    left, right = forecast.arithmetic().split(" = ")
    shown = [int(part.removeprefix("Rp").replace(".", "")) for part in left.split(" x ")]
    assert shown == [members, months, price]
    assert int(right.removeprefix("Rp").replace(".", "")) == forecast.total


@given(members=counts, price=prices)
def test_one_more_member_adds_a_year_of_contributions(members, price):
    one = Forecast(members=members, months=12, monthly_price=price)
    more = Forecast(members=members + 1, months=12, monthly_price=price)
    assert more.total - one.total == 12 * price


def test_a_negative_figure_is_refused():
    import pytest

    with pytest.raises(ValueError):
        Forecast(members=-1, months=12, monthly_price=16_800)


@given(count=counts, required=st.integers(min_value=0, max_value=1000))
def test_a_target_is_met_when_the_count_reaches_it(count, required):
    attained = Attainment(count, required)
    assert attained.met == (count >= required)
    assert attained.short == (0 if attained.met else required - count)
    assert attained.count + attained.short >= required
    if required:
        assert 0 <= attained.percent <= 100
        assert (attained.percent == 100) == attained.met or count * 100 // required >= 100
    else:
        assert attained.percent is None and attained.met


def test_one_market_of_two_is_half_way():
    attained = Attainment(1, 2)
    assert (attained.met, attained.short, attained.percent) == (False, 1, 50)
