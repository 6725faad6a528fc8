"""MoUs with local governments and market managers: registered with their parties and commitments, bad
input told field by field with nothing half-saved, progress read from the facts (payer groups, sites, the
regulation issued), the budget line's billed, paid and next year's forecast, and the MoUs listed ahead of
their end."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import jakarta
from tests.outreach.conftest import a_site, an_mou

from jaring.accounts.audit import Actor
from jaring.accounts.models import AuditEntry
from jaring.common.errors import problems_of
from jaring.contributions.models import GroupMembership, Payer, PayerGroup
from jaring.contributions.services import bill_issue, bill_pay
from jaring.outreach.models import Commitment, Mou, OutreachRule
from jaring.outreach.queries import budget_figures, mou_report, mous_expiring
from jaring.outreach.services import (
    budget_line_add,
    commitment_add,
    mou_create,
    mou_groups_link,
    regulation_issued,
)
from jaring.rules.months import Month


def reasons(call, **fields) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call(**fields)
    return sorted(problem.reason for problem in problems_of(error.value))


def test_an_mou_with_a_regency_is_registered_and_audited(world):
    mou = an_mou(world, party_signatory="Wali Kota Balikpapan", office_signatory="Kepala KC Balikpapan")
    assert (mou.party, mou.region_id, mou.office, mou.valid_to) == (
        "regency",
        "64.71",
        world.balikpapan,
        date(2028, 1, 9),
    )
    entry = AuditEntry.objects.filter(object_type="outreach.mou", object_id=str(mou.pk)).get()
    assert entry.action == "create"


def test_an_mou_for_a_region_that_does_not_exist_is_refused_and_nothing_is_saved(world):
    assert reasons(an_mou, world=world, region_code="99.99") == ["region:unknown"]
    assert not Mou.objects.exists()


def test_an_mou_that_ends_before_it_starts_is_refused(world):
    got = reasons(
        an_mou,
        world=world,
        valid_from=date(2026, 5, 1),
        valid_to=date(2026, 4, 30),
        signed_on=date(2026, 4, 1),
    )
    assert got == ["valid_to:before_start"]
    assert not Mou.objects.exists()


def test_every_bad_field_is_told_at_once(world):
    got = reasons(
        mou_create, number="", title="", party="kingdom", office="KC-NONE", signed_on="kemarin",
        valid_from="", valid_to="2026-13-01",
    )  # fmt: skip
    assert got == [
        "number:required", "office:unknown", "party:invalid", "signed_on:invalid", "title:required",
        "valid_from:required", "valid_to:invalid",
    ]  # fmt: skip


def test_a_region_of_the_wrong_level_is_refused(world):
    assert reasons(an_mou, world=world, party="province", region_code="64.71") == ["region:level"]


def test_a_market_manager_is_a_market_collector_or_a_name(markets):
    assert reasons(an_mou, world=markets, party="market_manager", region_code="") == ["manager_name:required"]
    assert reasons(an_mou, world=markets, party="market_manager", region_code="", partner="POS") == [
        "partner:not_collector"
    ]
    mou = an_mou(markets, party="market_manager", region_code="", partner="PASAR-BPN")
    assert mou.partner == markets.collector
    named = an_mou(markets, number="MOU/002", party="market_manager", region_code="", manager_name="H. Rusdi")
    assert named.manager_name == "H. Rusdi"


def test_the_same_number_twice_is_refused(world):
    an_mou(world)
    assert reasons(an_mou, world=world, number="mou/001/kc-bpn/2026") == ["number:taken"]


def test_a_commitment_with_a_negative_count_is_refused(world):
    mou = an_mou(world)
    assert reasons(commitment_add, mou=mou, kind="markets", target=-1) == ["target:negative"]
    assert reasons(commitment_add, mou=mou, kind="markets", target="dua") == ["target:invalid"]
    assert reasons(commitment_add, mou=mou, kind="parade", target=3) == ["kind:invalid"]
    assert not Commitment.objects.exists()


def test_the_database_refuses_a_negative_target_too(world):
    from django.db import IntegrityError, transaction

    mou = an_mou(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(mou=mou, kind="markets", target=0)
        Commitment.objects.filter(mou=mou).update(target=-1)


def test_a_page_scope_names_only_its_own_offices(world, staff):
    from jaring.accounts.scope import scope_for

    scope = scope_for(staff("branch_staff", office=world.karawang_branch))
    assert reasons(an_mou, world=world, scope=scope) == ["office:unknown"]
    assert an_mou(world, office="KC-KRW", scope=scope, region_code="32.15").office == world.karawang_branch


# -- progress from the facts ---------------------------------------------------------------------------------


@pytest.fixture
def budget(markets, register):
    """Pemprov-style payer (APBD, JKK+JKM) with a PPSU group of three workers, two months billed, one paid."""
    w = markets
    w.payer = Payer.objects.create(
        code="KALTIM-APBD", name="Pemprov Kaltim", kind="APBD", outlet=w.pos_balikpapan
    )
    w.group = PayerGroup.objects.create(payer=w.payer, code="PPSU-BPN", name="PPSU Balikpapan")
    w.members = [
        register(outlet=w.pos_balikpapan, district="64.71.01", registered_at=jakarta(2026, 1, 5))
        for _ in range(3)
    ]
    for person in w.members:
        GroupMembership.objects.create(group=w.group, participant=person, first_month=Month.of(2026, 1))
    w.january = bill_issue(payer=w.payer, month=Month.of(2026, 1), issued_at=jakarta(2026, 1, 25))
    bill_pay(bill=w.january, paid_at=jakarta(2026, 1, 28), history_allowed=True)
    w.february = bill_issue(payer=w.payer, month=Month.of(2026, 2), issued_at=jakarta(2026, 2, 25))
    w.mou = an_mou(w, number="MOU/KALTIM/2026", party="province", region_code="64", payer_groups=["PPSU-BPN"])
    w.cover = commitment_add(mou=w.mou, kind="cover_workers", target=10, actor=Actor.cli())
    w.line = budget_line_add(
        commitment=w.cover, payer="KALTIM-APBD", year=2026, ceiling=500_000, actor=Actor.cli()
    )
    return w


def test_the_budget_line_reads_billed_and_paid_from_the_payers_bills(budget):
    figures = budget_figures(budget.line, group_ids=[budget.group.pk], today=date(2026, 3, 10))
    assert (figures.billed, figures.paid) == (3 * 16_800 * 2, 3 * 16_800)
    assert figures.remaining == 500_000 - 3 * 16_800


def test_next_years_forecast_is_this_years_group_times_twelve_months_times_the_rate(budget):
    figures = budget_figures(budget.line, group_ids=[budget.group.pk], today=date(2026, 3, 10))
    forecast = figures.forecast
    # JKK 1 % of the minimum income Rp1,000,000 + JKM Rp6,800 = Rp16,800 a month, for an APBD payer
    assert (forecast.members, forecast.months, forecast.monthly_price) == (3, 12, 16_800)
    assert forecast.total == 3 * 12 * 16_800 == 604_800
    assert forecast.change == 604_800 - 500_000
    assert forecast.arithmetic() == "3 x 12 x Rp16.800 = Rp604.800"
    assert str(figures.price_month) == "2027-01"


def test_a_member_who_left_the_group_is_not_in_the_forecast(budget):
    GroupMembership.objects.filter(participant=budget.members[0]).update(last_month=Month.of(2026, 2))
    figures = budget_figures(budget.line, group_ids=[budget.group.pk], today=date(2026, 3, 10))
    assert figures.members == 2


def test_a_budget_line_belongs_to_a_commitment_to_cover_workers_with_a_ceiling_not_negative(budget):
    markets = commitment_add(mou=budget.mou, kind="markets", target=2, actor=Actor.cli())
    assert reasons(budget_line_add, commitment=markets, payer="KALTIM-APBD", year=2026, ceiling=1) == [
        "commitment:not_cover"
    ]
    assert reasons(budget_line_add, commitment=budget.cover, payer="NOPE", year=2026, ceiling=-5) == [
        "ceiling:negative", "payer:unknown",
    ]  # fmt: skip
    assert reasons(budget_line_add, commitment=budget.cover, payer="KALTIM-APBD", year=2026, ceiling=1) == [
        "year:taken"
    ]


def test_each_commitment_reads_its_progress_from_the_facts(budget):
    w = budget
    commitment_add(mou=w.mou, kind="markets", target=2, actor=Actor.cli())
    regulation = commitment_add(mou=w.mou, kind="regulation", target=1, actor=Actor.cli())
    a_site(w, mou=w.mou.number)
    a_site(w, code="PSR-PDS", name="Pasar Pandansari", kind="market_private", outlet=None, mou=w.mou.number)
    a_site(w, code="TRM-BPN", name="Terminal Batu Ampar", kind="terminal", outlet=None, mou=w.mou.number)
    report = mou_report(w.mou, today=date(2026, 3, 10))
    reached = {c.commitment.kind: (c.reached, c.commitment.target) for c in report.commitments}
    assert reached == {"cover_workers": (3, 10), "markets": (2, 2), "regulation": (0, 1)}
    assert (report.members, report.covered) == (3, 0)  # March is not billed nor paid yet

    regulation_issued(
        commitment=regulation, done_on="2026-03-01", reference="Perda Kaltim 3/2026", actor=Actor.cli()
    )
    report = mou_report(w.mou, today=date(2026, 3, 10))
    assert {c.commitment.kind: c.reached for c in report.commitments}["regulation"] == 1
    january = mou_report(w.mou, today=date(2026, 1, 30))
    assert (january.members, january.covered) == (3, 3)  # January's bill was paid


def test_registrations_and_active_over_time_come_from_the_tallies_of_the_mous_outlets(budget, register):
    w = budget
    a_site(w, mou=w.mou.number)
    register(outlet=w.klandasan, district="64.71.01", registered_at=jakarta(2026, 2, 3))
    register(outlet=w.klandasan, district="64.71.01", registered_at=jakarta(2026, 2, 4))
    register(outlet=w.pos_karawang, registered_at=jakarta(2026, 2, 4))  # not an outlet of the MoU
    history = {str(m): (r, a) for m, r, a in mou_report(w.mou, today=date(2026, 3, 10)).history}
    # the payer's outlet registered the three members in January; Klandasan two in February
    assert history["2026-01"] == (3, 3)
    assert history["2026-02"][0] == 2
    assert history["2026-03"] == (0, 0)


def test_linking_an_unknown_group_is_refused(world):
    mou = an_mou(world)
    assert reasons(mou_groups_link, mou=mou, payer_groups=["NOPE"]) == ["payer_groups:unknown"]


# -- expiring -----------------------------------------------------------------------------------------------


def test_mous_ending_within_the_lookahead_are_listed_soonest_first(world):
    today = date(2026, 6, 1)
    soon = an_mou(world, number="A", valid_to=today + timedelta(days=30))
    sooner = an_mou(world, number="B", valid_to=today + timedelta(days=5))
    an_mou(world, number="C", valid_to=today + timedelta(days=91))
    an_mou(
        world,
        number="D",
        valid_from=date(2025, 1, 1),
        signed_on=date(2025, 1, 1),
        valid_to=today - timedelta(days=1),
    )
    listed, ahead = mous_expiring(today=today)
    assert (ahead.value, ahead.code) == (90, "mou-lookahead-90")
    assert listed == [sooner, soon]


def test_the_lookahead_is_data(world):
    today = date(2026, 6, 1)
    an_mou(world, number="C", valid_to=today + timedelta(days=100))
    OutreachRule.objects.filter(kind="mou_lookahead").update(data={"days": 120})
    listed, ahead = mous_expiring(today=today)
    assert ahead.value == 120 and [m.number for m in listed] == ["C"]
