"""The commission and lifecycle rules: pure arithmetic, pluggable calculators, effective dates."""

import sqlite3
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.commission import (
    AgentRuleBook,
    LifecycleRule,
    NoAgentRule,
    ShareOfCollections,
    default_agent_rulebook,
    figures,
    is_idle,
    load_agent_rulebook,
    rejoin_from,
)
from jaring.rules.months import Month

PERISAI = ShareOfCollections(
    share=Fraction(75, 1000), entry_kinds=frozenset({"contribution", "deposit"}),
    bonus_amount=500_000, bonus_min_acquisitions=50,
)  # fmt: skip
amounts = st.integers(min_value=-50_000_000, max_value=50_000_000)


def test_the_shipped_rule_pays_seven_and_a_half_percent_and_the_bonus_from_fifty_acquisitions():
    rule = default_agent_rulebook().commission_for(Month.of(2025, 3))
    assert rule.calculator.line_commission(16_800) == 1_260
    assert rule.calculator.bonus(49) == 0
    assert rule.calculator.bonus(50) == 500_000
    assert not rule.calculator.counts("bill")


def test_the_acceptance_month_adds_up():
    month = figures([(16_800, 1_260)] * 55, acquisitions=55, calculator=PERISAI)
    assert (month.collected, month.commission, month.bonus, month.total) == (
        924_000,
        69_300,
        500_000,
        569_300,
    )


@given(amounts)
def test_a_reversal_takes_back_exactly_what_its_payment_earned(amount):
    assert PERISAI.line_commission(-amount) == -PERISAI.line_commission(amount)


@given(st.integers(min_value=0, max_value=50_000_000))
def test_a_line_earns_its_share_rounded_half_up_within_half_a_rupiah(amount):
    earned = PERISAI.line_commission(amount)
    assert abs(Fraction(earned) - PERISAI.share * amount) <= Fraction(1, 2)


@given(amounts, st.fractions(min_value=0, max_value=1, max_denominator=10_000))
def test_the_sql_expression_gives_the_python_figure(amount, share):
    calculator = ShareOfCollections(share, frozenset({"contribution"}), 0, 0)
    sql = calculator.line_commission_sql("?")
    got = sqlite3.connect(":memory:").execute(f"SELECT {sql}", [amount] * sql.count("?")).fetchone()[0]
    assert got == calculator.line_commission(amount)


@given(st.lists(st.tuples(amounts, amounts), max_size=30), st.integers(0, 200))
def test_the_total_is_commission_plus_bonus(lines, acquisitions):
    month = figures(lines, acquisitions=acquisitions, calculator=PERISAI)
    assert month.total == sum(earned for _, earned in lines) + PERISAI.bonus(acquisitions)


def test_a_month_without_a_rule_is_refused():
    with pytest.raises(NoAgentRule):
        default_agent_rulebook().commission_for(Month.of(2017, 12))


def test_rules_take_effect_on_their_dates():
    book = load_agent_rulebook(
        {
            "commission": [
                {"code": "OLD", "kind": "share_of_collections", "valid_from": "2018-01",
                 "valid_to": "2024-12",
                 "share": "0.075", "bonus_amount": 500000, "bonus_min_acquisitions": 50},
                {"code": "NEW", "kind": "share_of_collections", "valid_from": "2025-01", "share": "0.1",
                 "bonus_amount": 750000, "bonus_min_acquisitions": 40},
            ],
            "lifecycle": [{"code": "L", "valid_from": "2018-01", "idle_months": 3, "rejoin_after_months": 6}],
        }
    )  # fmt: skip
    assert book.commission_for(Month.of(2024, 12)).code == "OLD"
    assert book.commission_for(Month.of(2025, 1)).calculator.line_commission(16_800) == 1_680
    assert book.commission_for(Month.of(2025, 1)).calculator.bonus(40) == 750_000


def test_overlapping_rules_are_refused():
    rule = {"kind": "share_of_collections", "valid_from": "2018-01", "share": "0.075"}
    with pytest.raises(ValueError, match="overlap"):
        load_agent_rulebook({"commission": [{**rule, "code": "A"}, {**rule, "code": "B"}], "lifecycle": []})


def test_an_unknown_calculator_kind_is_refused():
    with pytest.raises(ValueError, match="unknown commission kind"):
        load_agent_rulebook({"commission": [{"code": "X", "kind": "magic", "valid_from": "2018-01"}]})


LIFECYCLE = LifecycleRule(code="L", valid_from=Month.of(2018, 1), valid_to=None, idle_months=3,
                          rejoin_after_months=6)  # fmt: skip


@given(st.sets(st.integers(0, 24)), st.integers(3, 24))
def test_an_agent_is_idle_exactly_when_none_of_the_last_three_months_was_active(active, through):
    months = {Month(24_000 + index) for index in active}
    last = Month(24_000 + through)
    expected = not any(last - back in months for back in range(3))
    assert is_idle(months, through=last, rule=LIFECYCLE) is expected


def test_a_deactivated_agent_may_rejoin_six_months_later():
    assert rejoin_from(Month.of(2024, 5), rule=LIFECYCLE) == Month.of(2024, 11)


def test_an_agent_rulebook_needs_no_rules_to_be_built():
    assert AgentRuleBook([], []).commission_rules == ()
