"""The demo world's outreach: the DKI and East Kalimantan MoUs, the Balikpapan market manager's two
markets, an MoU about to expire; the pages and reports show them."""

from datetime import date

import pytest
from django.db import transaction

from jaring.demo.world import demo_world_load
from jaring.outreach.models import Mou
from jaring.outreach.queries import market_target, mou_report, mous_expiring

TODAY = date(2025, 10, 24)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_world_load(participants=40, today=TODAY)
        transaction.set_rollback(True)


def test_the_demo_has_the_dki_and_kalimantan_mous(demo):
    numbers = set(Mou.objects.values_list("number", flat=True))
    assert {"MOU/DKI/BPJSTK/2024", "MOU/KALTIM/KW07/2025", "MOU/UPTD-PASAR/KC-BPN/2025"} <= numbers
    dki = mou_report(Mou.objects.get(number="MOU/DKI/BPJSTK/2024"), today=TODAY)
    assert {g.code for g in dki.groups} == {"PPSU", "RT-RW"}
    assert [b.line.year for b in dki.budget] == [2024, 2025]
    this_year = dki.budget[1]
    assert this_year.billed > 0 and this_year.paid > 0
    assert this_year.forecast.total == this_year.members * 12 * this_year.forecast.monthly_price


def test_the_demo_branches_show_their_government_run_markets(demo):
    branches, _required = market_target(today=TODAY)
    found = {b.office.code: (b.attainment.count, b.attainment.required) for b in branches}
    assert found["KC-BPN"] == (2, 2) and found["KC-SMD"] == (1, 2) and found["KC-PNK"] == (0, 2)


def test_the_demo_has_an_mou_about_to_expire(demo):
    listed, _ = mous_expiring(today=TODAY)
    assert [m.number for m in listed] == ["MOU/PNK/KC-PNK/2023"]


def test_the_demo_ranks_provinces_on_the_paritrana_score(demo):
    from decimal import Decimal

    from jaring.outreach.paritrana_queries import paritrana_ranking

    ranking = paritrana_ranking(TODAY.year, today=TODAY)
    scores = {s.region.code: s for s in ranking.scores}
    dki = {line.criterion: line.contribution for line in scores["31"].score.lines}
    # the governor's regulation and this year's APBD budget line, and the panel's 82
    assert (dki["regulation"], dki["budget"], dki["interview"]) == (
        Decimal("10.00"),
        Decimal("10.00"),
        Decimal("16.40"),
    )
    assert ranking.scores[0].region.code == "31"
    assert scores["64"].total == sum(line.contribution for line in scores["64"].score.lines)
