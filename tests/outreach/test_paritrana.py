"""The Paritrana score of a province or regency/city: its figures read from the tallies, the region
table and the region's own MoUs, each with its source; the breakdown adds up to the score; the score
changes as documented (docs/outreach.md, "The Paritrana score") when a weight, the regulation flag or the
coverage changes; bad weights and interview scores are refused per field with nothing saved."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import jakarta
from tests.outreach.conftest import an_mou

from jaring.accounts.audit import Actor
from jaring.common.errors import problems_of
from jaring.contributions.services import payment_record
from jaring.monitoring.progress import informal_share
from jaring.outreach.models import Commitment, OutreachRule, PanelInterview
from jaring.outreach.paritrana_queries import paritrana_ranking, paritrana_score, weights_in_force
from jaring.outreach.paritrana_services import interview_set, paritrana_weights_set
from jaring.outreach.services import commitment_add, regulation_issued
from jaring.regions.models import Region
from jaring.rules.money import round_half_up
from jaring.rules.months import Month

YEAR = 2024
TODAY = date(2026, 12, 7)
DEFAULT = {
    "regulation": "10",
    "budget": "10",
    "wage_earners": "15",
    "informal": "20",
    "employers": "10",
    "growth": "15",
    "interview": "20",
}


def reasons(call, **fields) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call(**fields)
    return sorted(problem.reason for problem in problems_of(error.value))


def covered_worker(world, register, key: str, *, district="64.71.01"):
    """A BPU worker of Balikpapan registered in January of YEAR, covered the whole year."""
    worker = register(outlet=world.pos_balikpapan, district=district, registered_at=jakarta(YEAR, 1, 5))
    payment_record(
        participant=worker,
        months=12,
        amount=12 * 16_800,
        source="test",
        idempotency_key=key,
        paid_at=jakarta(YEAR, 1, 6),
        outlet=world.pos_balikpapan,
        history_allowed=True,
    )
    return worker


def balikpapan_score():
    return paritrana_score(Region.objects.get(code="64.71"), YEAR, today=TODAY)


def lines(result) -> dict:
    return {line.criterion: line for line in result.score.lines}


def test_the_default_weights_are_shipped_with_their_source_and_add_up_to_100(db):
    weights = weights_in_force(Month.of(YEAR, 12))
    assert weights.source == "jaring default, no official weights found"
    assert {k: str(v) for k, v in weights.weights.items()} == DEFAULT
    assert sum(weights.weights.values()) == 100


def test_a_regions_score_reads_its_figures_and_adds_up(world, register):
    covered_worker(world, register, "w1")
    result = balikpapan_score()
    population = Region.objects.get(code="64.71").population
    share = informal_share(date(YEAR, 12, 31))
    informal = round_half_up(share.share * share.employed * population)
    assert result.counts["branches"] == ["KC-BPN"]
    assert result.counts["area"] == ["64.71"]
    assert result.counts["informal_workforce"] == informal
    assert result.counts["active_informal"] == 1
    assert lines(result)["informal"].value == (Decimal(100) / informal).quantize(Decimal("0.01"))
    assert result.total == sum(line.contribution for line in result.score.lines)
    assert {source.key for source in result.sources} >= {
        "area",
        "informal_workforce",
        "active_informal",
        "regulation",
        "interview",
    }


def test_issuing_the_regulation_adds_its_weight_to_the_score(world):
    before = balikpapan_score().total
    mou = an_mou(world, signed_on=date(2024, 1, 10), valid_from=date(2024, 1, 10), valid_to=date(2027, 1, 9))
    perda = commitment_add(mou=mou, kind="regulation", target=1, actor=Actor.cli())
    assert balikpapan_score().total == before  # promised, not issued
    regulation_issued(commitment=perda, done_on=date(2024, 6, 1), reference="Perda 5/2024", actor=Actor.cli())
    after = balikpapan_score()
    assert lines(after)["regulation"].contribution == Decimal("10.00")
    assert after.total == before + Decimal("10.00")
    # a regulation issued after the year does not count for it
    Commitment.objects.filter(pk=perda.pk).update(done_on=date(YEAR + 1, 2, 1))
    assert balikpapan_score().total == before


def test_more_coverage_raises_the_informal_contribution_as_documented(world, register):
    covered_worker(world, register, "w1")
    one = balikpapan_score()
    covered_worker(world, register, "w2")
    two = balikpapan_score()
    informal = two.counts["informal_workforce"]
    expected = (Decimal(200) / informal).quantize(Decimal("0.01"))
    assert lines(two)["informal"].value == expected
    assert lines(two)["informal"].contribution == (expected * Decimal(20) / 100).quantize(Decimal("0.01"))
    assert two.total - one.total == lines(two)["informal"].contribution - lines(one)["informal"].contribution
    assert two.total >= one.total


def test_a_new_weight_set_changes_the_score_from_its_month(world):
    interview_set(region_code="64.71", year=YEAR, score="80", actor=Actor.cli(), now=jakarta(2026, 12, 1))
    before = balikpapan_score()
    assert lines(before)["interview"].contribution == Decimal("16.00")  # 80 x 20 %
    paritrana_weights_set(
        weights=DEFAULT | {"interview": "30", "informal": "10"}, valid_from="2024-12", actor=Actor.cli()
    )
    after = balikpapan_score()
    assert lines(after)["interview"].contribution == Decimal("24.00")  # 80 x 30 %
    assert after.weights.code == "paritrana-2024-12"
    assert after.total == sum(line.contribution for line in after.score.lines)
    # the year before still reads the shipped weights
    assert paritrana_score(Region.objects.get(code="64.71"), YEAR - 1, today=TODAY).weights.code == (
        "paritrana-default"
    )


def test_weights_that_do_not_add_up_to_100_are_refused_and_nothing_is_saved(db):
    rules = OutreachRule.objects.count()
    assert reasons(
        paritrana_weights_set, weights=DEFAULT | {"informal": "15"}, valid_from="2026-12", actor=Actor.cli()
    ) == ["weights:sum"]
    assert reasons(
        paritrana_weights_set,
        weights=DEFAULT | {"informal": "-5", "growth": "lima", "budget": ""},
        valid_from="bulan",
        actor=Actor.cli(),
    ) == ["budget:required", "growth:invalid", "informal:range", "valid_from:invalid"]
    assert OutreachRule.objects.count() == rules


def test_the_sum_error_is_told_in_indonesian(db):
    from django.utils import translation

    with translation.override("id"), pytest.raises(ValidationError) as error:
        paritrana_weights_set(weights=DEFAULT | {"informal": "15"}, valid_from="2026-12")
    assert error.value.message_dict["weights"] == ["Jumlah bobot 95 %, bukan 100 %."]


def test_an_interview_score_outside_0_100_or_for_an_unknown_region_is_refused(world):
    assert reasons(interview_set, region_code="64.71", year=YEAR, score="101") == ["score:range"]
    assert reasons(interview_set, region_code="99.99", year=YEAR, score="50") == ["region:unknown"]
    assert reasons(interview_set, region_code="64.71.01", year=YEAR, score="50") == ["region:level"]
    assert reasons(interview_set, region_code="64.71", year=2016, score="x") == [
        "score:invalid",
        "year:invalid",
    ]
    assert not PanelInterview.objects.exists()


def test_a_second_interview_replaces_the_first(world):
    interview_set(region_code="64", year=YEAR, score="70", actor=Actor.cli())
    interview_set(region_code="64", year=YEAR, score="72.5", actor=Actor.cli())
    assert list(PanelInterview.objects.values_list("region_id", "score")) == [("64", Decimal("72.50"))]


def test_a_province_is_measured_through_the_branches_serving_its_regencies(world, register):
    covered_worker(world, register, "w1")
    province = paritrana_score(Region.objects.get(code="64"), YEAR, today=TODAY)
    assert province.counts["area"] == ["64.71"]
    assert province.counts["active_informal"] == 1
    assert set(province.counts["not_served"]) == set(
        Region.objects.filter(parent_id="64").exclude(code="64.71").values_list("code", flat=True)
    )
    unserved = paritrana_score(Region.objects.get(code="11"), YEAR, today=TODAY)
    assert unserved.counts["branches"] == []
    assert lines(unserved)["informal"].value is None


def test_the_ranking_puts_the_highest_score_first(world, register):
    covered_worker(world, register, "w1")
    interview_set(region_code="32", year=YEAR, score="90", actor=Actor.cli())
    ranking = paritrana_ranking(YEAR, today=TODAY)
    assert ranking.scores[0].region.code == "32"
    assert [s.rank for s in ranking.scores][:2] == [1, 2]
    totals = [s.total for s in ranking.scores]
    assert totals == sorted(totals, reverse=True)
    assert paritrana_ranking(TODAY.year + 1, today=TODAY) is None


def test_a_staff_figure_of_the_informal_workforce_wins_over_the_estimate(world, register):
    from jaring.monitoring.services import potential_set

    covered_worker(world, register, "w1")
    potential_set(
        workers=5_000,
        effective_from=date(YEAR, 3, 1),
        region=Region.objects.get(code="64.71"),
        source="Dinas Tenaga Kerja 2024",
        actor=Actor.cli(),
    )
    result = balikpapan_score()
    assert result.counts["informal_workforce"] == 5_000
    assert lines(result)["informal"].value == Decimal("0.02")  # 1 of 5,000
    informal = next(s for s in result.sources if s.key == "informal_workforce")
    assert "Dinas Tenaga Kerja 2024" in informal.source


def test_the_back_office_refuses_a_paritrana_rule_whose_weights_do_not_add_up(db):
    from jaring.outreach.services import outreach_rule_save

    data = {
        "weights": DEFAULT | {"growth": "5"},
        "full_marks": weights_in_force(Month.of(2026, 1)).as_dict()["full_marks"],
    }
    rule = OutreachRule(kind="paritrana", code="paritrana-bad", valid_from=Month.of(2026, 1), data=data)
    assert reasons(outreach_rule_save, rule=rule, actor=Actor.cli()) == ["data:sum"]
    assert not OutreachRule.objects.filter(code="paritrana-bad").exists()
