"""Outreach sites: registered in a village served by a branch, under an MoU, with their collector's
outlet and the traders counted; their yield read from the tallies and the collector's deposits; and the
"at least two government-run markets under MoU per branch" target, kept as data, per branch."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import jakarta
from tests.outreach.conftest import a_site, an_mou

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.errors import problems_of
from jaring.contributions.services import deposit_record
from jaring.outreach.models import OutreachRule, Site
from jaring.outreach.queries import daily_collection, market_target, site_figures
from jaring.outreach.services import site_create, site_mou_set, site_traders_count
from jaring.rules.months import Month


def reasons(call, **fields) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call(**fields)
    return sorted(problem.reason for problem in problems_of(error.value))


def attainment(branches, code):
    (row,) = [b for b in branches if b.office.code == code]
    return row.attainment.count, row.attainment.required


def test_a_site_counts_for_the_branch_serving_its_village(markets):
    site = a_site(markets, traders=420, traders_counted_on="2026-02-01", manager_name="H. Rusdi")
    assert (site.office, site.outlet, site.traders, site.traders_counted_on) == (
        markets.balikpapan, markets.klandasan, 420, date(2026, 2, 1),
    )  # fmt: skip


def test_bad_sites_are_told_field_by_field_and_nothing_is_saved(markets):
    got = reasons(
        site_create, code="", name="", kind="mall", village_code="64.71.99.9999", outlet="POS-BPN",
        mou="MOU/NOPE", traders=-3,
    )  # fmt: skip
    assert got == [
        "code:required", "kind:invalid", "mou:unknown", "name:required", "outlet:not_collector",
        "traders:negative", "village:unknown",
    ]  # fmt: skip
    assert reasons(a_site, world=markets, traders=10) == ["traders_counted_on:required"]
    assert not Site.objects.exists()


def test_a_village_no_branch_serves_is_refused(markets):
    from tests.conftest import a_village

    assert reasons(a_site, world=markets, village_code=a_village("33.74.01")) == ["village:no_branch"]


def test_traders_are_counted_again_with_their_day(markets):
    site = a_site(markets)
    site = site_traders_count(site=site, traders="350", counted_on="2026-03-02", actor=Actor.cli())
    assert (site.traders, site.traders_counted_on) == (350, date(2026, 3, 2))
    assert reasons(site_traders_count, site=site, traders=-1, counted_on="") == [
        "traders:negative", "traders_counted_on:required",
    ]  # fmt: skip


# -- the market target ---------------------------------------------------------------------------------


def test_a_branch_with_one_government_run_market_under_mou_shows_1_of_2(markets):
    today = local_date()
    mou = an_mou(markets, signed_on=today - timedelta(days=30), valid_from=today - timedelta(days=30),
                 valid_to=today + timedelta(days=700))  # fmt: skip
    a_site(markets, mou=mou.number)
    branches, required = market_target()
    assert (required.value, required.code) == (2, "market-target-2014")
    assert "Kanwil VII" in required.source
    assert attainment(branches, "KC-BPN") == (1, 2)
    assert attainment(branches, "KC-KRW") == (0, 2)
    (bpn,) = [b for b in branches if b.office.code == "KC-BPN"]
    assert not bpn.attainment.met and bpn.attainment.short == 1 and bpn.markets == ["PSR-KLD"]


def test_only_government_run_markets_under_an_mou_in_force_count(markets):
    today = local_date()
    in_force = an_mou(markets, signed_on=today - timedelta(days=30), valid_from=today - timedelta(days=30),
                      valid_to=today + timedelta(days=700))  # fmt: skip
    ended = an_mou(
        markets,
        number="OLD",
        signed_on=date(2020, 1, 1),
        valid_from=date(2020, 1, 1),
        valid_to=date(2021, 1, 1),
    )
    a_site(markets, mou=in_force.number)
    a_site(markets, code="PSR-2", name="Pasar Baru", outlet=None, mou=in_force.number)
    a_site(
        markets, code="PSR-3", name="Pasar Swasta", kind="market_private", outlet=None, mou=in_force.number
    )
    a_site(markets, code="PSR-4", name="Pasar Lama", outlet=None, mou=ended.number)
    a_site(markets, code="PSR-5", name="Pasar Tanpa MoU", outlet=None)
    branches, _ = market_target()
    assert attainment(branches, "KC-BPN") == (2, 2)
    (bpn,) = [b for b in branches if b.office.code == "KC-BPN"]
    assert bpn.attainment.met


def test_the_number_required_is_effective_dated_data(markets):
    today = local_date()
    OutreachRule.objects.create(
        kind="market_target", code="market-target-3", valid_from=Month.from_date(today),
        data={"government_markets_per_branch": 3}, source="test",
    )  # fmt: skip
    OutreachRule.objects.filter(code="market-target-2014").update(valid_to=Month.from_date(today) - 1)
    branches, required = market_target()
    assert required.value == 3 and attainment(branches, "KC-BPN") == (0, 3)
    last_month = Month.from_date(today) - 1
    _, before = market_target(today=last_month.first_day())
    assert before.value == 2


def test_a_site_put_under_an_mou_counts_from_then(markets):
    today = local_date()
    site = a_site(markets)
    assert attainment(market_target()[0], "KC-BPN") == (0, 2)
    mou = an_mou(markets, signed_on=today, valid_from=today, valid_to=today + timedelta(days=365))
    site_mou_set(site=site, mou=mou, actor=Actor.cli())
    assert attainment(market_target()[0], "KC-BPN") == (1, 2)


def test_a_branch_user_sees_only_the_branches_of_its_subtree(markets, staff):
    from jaring.accounts.scope import scope_for

    scope = scope_for(staff("branch_staff", office=markets.balikpapan))
    branches, _ = market_target(scope=scope)
    assert [b.office.code for b in branches] == ["KC-BPN"]


# -- the yield of a site -------------------------------------------------------------------------------


def test_registered_active_and_collection_are_read_from_the_collector_outlets_facts(markets, register):
    today = local_date()
    site = a_site(markets)
    traders = [
        register(outlet=markets.klandasan, district="64.71.01", registered_at=jakarta(2025, 1, 6))
        for _ in range(3)
    ]
    register(
        outlet=markets.pos_balikpapan, district="64.71.01", registered_at=jakarta(2025, 1, 6)
    )  # elsewhere
    for n, trader in enumerate(traders[:2]):
        for day in range(3):
            deposit_record(
                participant=trader, amount=6_000, source="pasar", idempotency_key=f"{n}-{day}",
                collected_at=jakarta(today.year, today.month, 1, 8) if today.day == 1 else None,
                outlet=markets.klandasan, history_allowed=True,
            )  # fmt: skip
    (figures,) = site_figures([site], today=today)
    assert figures.registered == 3
    assert figures.deposits_30d == 2 * 3 * 6_000
    # each trader's third deposit (Rp18,000) buys a month of Rp16,800 (its ledger entry is a payment tally)
    assert figures.collected_30d == 2 * 16_800
    assert figures.active == 2
    days = daily_collection(site, today=today)
    assert [(n, s, p) for _, n, s, p in days] == [(6, 36_000, 2 * 16_800)]


def test_a_site_without_a_collector_has_no_collection(markets):
    site = a_site(markets, outlet=None)
    (figures,) = site_figures([site])
    assert (figures.registered, figures.active, figures.collected_30d) == (0, 0, 0)
    assert daily_collection(site) == []
