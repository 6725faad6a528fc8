"""The Paritrana arithmetic as properties: for any criteria values and any weight set adding up to 100 %,
the contributions add up to the score, and the score never falls when one criterion with a positive
weight rises."""

from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from jaring.outreach import paritrana

NAMES = list(paritrana.CRITERIA)
FULL = {
    "regulation": Decimal(1),
    "budget": Decimal(1),
    "wage_earners": Decimal(100),
    "informal": Decimal(100),
    "employers": Decimal(14),
    "growth": Decimal(20),
    "interview": Decimal(100),
}
values = st.none() | st.decimals(
    min_value=-50, max_value=500, places=2, allow_nan=False, allow_infinity=False
)
value_sets = st.fixed_dictionaries({name: values for name in NAMES})
full_marks = st.fixed_dictionaries(
    {name: st.decimals(min_value="0.01", max_value=1000, places=2) for name in NAMES}
)


@st.composite
def weight_sets(draw):
    """Seven weights in hundredths of a percent adding up to exactly 100 %: cut points on 0..10000."""
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=len(NAMES) - 1, max_size=len(NAMES) - 1)))
    edges = [0, *cuts, 10_000]
    return {name: Decimal(edges[i + 1] - edges[i]) / 100 for i, name in enumerate(NAMES)}


@given(values=value_sets, weights=weight_sets(), full=full_marks)
def test_the_contributions_add_up_to_the_score(values, weights, full):
    assert paritrana.weights_total(weights) == 100
    score = paritrana.score(values, weights, full)
    assert sum(line.contribution for line in score.lines) == score.total
    assert Decimal(0) <= score.total <= Decimal(100)
    for line in score.lines:
        assert Decimal(0) <= line.marks <= Decimal(100)
        assert line.contribution == paritrana.cents(line.marks * line.weight / 100)
    # the arithmetic printed reads back to the same total
    assert Decimal(score.arithmetic.split(" = ")[-1]) == score.total


@given(
    values=value_sets,
    weights=weight_sets(),
    full=full_marks,
    name=st.sampled_from(NAMES),
    more=st.decimals(min_value="0.01", max_value=500, places=2),
)
def test_the_score_never_falls_when_a_weighted_criterion_rises(values, weights, full, name, more):
    assume(weights[name] > 0)
    before = paritrana.score(values, weights, full)
    risen = dict(values, **{name: (values[name] or Decimal(0)) + more})
    after = paritrana.score(risen, weights, full)
    assert after.total >= before.total
    others = [line for line in after.lines if line.criterion != name]
    assert others == [line for line in before.lines if line.criterion != name]


def test_full_marks_cap_a_criterion_at_100_and_a_missing_figure_gets_0():
    weights = dict.fromkeys(NAMES, Decimal(0)) | {"informal": Decimal(60), "growth": Decimal(40)}
    score = paritrana.score({"informal": Decimal("250"), "growth": None}, weights, FULL)
    lines = {line.criterion: line for line in score.lines}
    assert (lines["informal"].marks, lines["informal"].contribution) == (Decimal(100), Decimal("60.00"))
    assert (lines["growth"].marks, lines["growth"].contribution) == (Decimal(0), Decimal("0.00"))
    assert score.total == Decimal("60.00")
    assert lines["informal"].arithmetic == "min(100, 250.00 / 100 x 100) = 100.00; 100.00 x 60 % = 60.00"


def test_a_growth_from_nothing_has_no_percentage():
    assert paritrana.growth_percent(5, 0) is None
    assert paritrana.growth_percent(12, 10) == Decimal("20.00")
    assert paritrana.share_percent(1, 3) == Decimal("33.33")


def test_numbers_are_read_with_at_most_two_decimals():
    assert paritrana.parse_number("12,5") == Decimal("12.50")
    assert paritrana.parse_number("12.345") is None
    assert paritrana.parse_number("lima") is None
    assert paritrana.parse_number("NaN") is None
