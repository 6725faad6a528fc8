"""The registration ages are data of the coverage policy in force, with their source."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.contributions.services.rates import packaged_rates
from jaring.rules.months import Month
from jaring.rules.rates import load_ratebook
from jaring.rules.schedules import CoveragePolicy

START = Month.of(2015, 7)


@given(st.integers(0, 40), st.integers(0, 60), st.integers(0, 120))
def test_an_age_is_refused_exactly_outside_the_policys_bounds(low, span, age):
    policy = CoveragePolicy(valid_from=START, registration_age_min=low, registration_age_max=low + span)
    expected = "young" if age < low else "old" if age > low + span else None
    assert policy.registration_age_problem(age) == expected


def test_a_policy_without_ages_refuses_no_age():
    assert CoveragePolicy(valid_from=START).registration_age_problem(3) is None


def test_bounds_the_wrong_way_round_are_refused():
    with pytest.raises(ValueError, match="registration_age_min"):
        CoveragePolicy(valid_from=START, registration_age_min=70, registration_age_max=15)


def test_the_packaged_policy_holds_the_ages_and_says_they_are_not_verified():
    policy = load_ratebook(packaged_rates()).policy_for(Month.of(2026, 12))
    assert (policy.registration_age_min, policy.registration_age_max) == (15, 70)
    assert policy.uncertain and "registration_age_min" in policy.note
