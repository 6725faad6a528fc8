"""Targets: achievement from tallies, the run-rate projection and the at-risk flag, the roll-up over the
office tree, outlet and agent targets, the potential market and penetration, and their reports."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook
from tests.conftest import jakarta, pdf_text

from jaring.contributions.services import payment_record
from jaring.monitoring.models import InformalShare
from jaring.monitoring.queries import office_market, owner_status, target_status
from jaring.monitoring.services import informal_share_set, potential_set, target_set
from jaring.monitoring.targets import spread, year_period
from jaring.org.services import branch_areas_assign
from jaring.regions.models import Region

pytestmark = pytest.mark.django_db
YEAR = year_period(2024)  # 366 days
JANUARY_END = date(2024, 1, 31)  # 31 days in


def new_participants(**owner_and_value):
    value = owner_and_value.pop("value")
    return target_set(metric="new_participants", start=YEAR[0], end=YEAR[1], value=value, **owner_and_value)


@pytest.fixture
def january(world, register):
    """Six workers registered in Karawang (KC-KRW, Kanwil Jawa Barat) and three in Balikpapan (KC-BPN,
    Kanwil VII) in January 2024; one in Karawang in December 2023."""
    for day in range(1, 7):
        register(registered_at=jakarta(2024, 1, day))
    for day in (3, 4, 5):
        register(district="64.71.01", outlet=world.pos_balikpapan, registered_at=jakarta(2024, 1, day))
    register(registered_at=jakarta(2023, 12, 20))
    return world


def test_a_regional_target_is_compared_with_its_whole_subtree_and_targets_roll_up(january):
    w = january
    new_participants(office=w.karawang_branch, value=100)
    new_participants(office=w.balikpapan, value=30)
    new_participants(office=w.head.children.get(code="KW04"), value=60)
    national = target_status(w.head, JANUARY_END)
    (line,) = national.lines
    # The head office has no target of its own: the nearest targets below, KW04's own 60 and KC-BPN's 30.
    assert (line.target, line.target_source, line.targets_below) == (90, "below", 2)
    assert line.achievement == 9
    assert line.projection == 106  # 9 / 31 x 366 = 106.3
    assert line.status == "on_track"
    children = {child.owner: child for child in line.children}
    assert set(children) == {"KW04", "KW07"}
    assert (children["KW04"].target, children["KW04"].target_source, children["KW04"].achievement) == (
        60,
        "own",
        6,
    )
    assert (children["KW07"].target, children["KW07"].target_source, children["KW07"].achievement) == (
        30,
        "below",
        3,
    )
    java = target_status(w.head.children.get(code="KW04"), JANUARY_END)
    (line,) = java.lines
    assert (line.target, line.achievement, line.projection, line.status) == (60, 6, 71, "on_track")
    (karawang,) = line.children
    assert (karawang.owner, karawang.target, karawang.achievement, karawang.status) == (
        "KC-KRW",
        100,
        6,
        "at_risk",
    )


def test_the_at_risk_flag_and_its_arithmetic(january):
    new_participants(office=january.karawang_branch, value=100)
    (line,) = target_status(january.karawang_branch, JANUARY_END).lines
    assert line.status == "at_risk"
    assert (line.elapsed_days, line.total_days) == (31, 366)
    assert line.attainment_pct == Decimal("6.0")
    assert line.attainment_sum() == "6 / 100 = 6 %"
    assert line.projection_sum() == "6 / 31 x 366 = 71 < 100: at_risk".replace("at_risk", "at risk")
    assert (
        target_status(january.karawang_branch, date(2023, 12, 31), year=2024).lines[0].status == "not_started"
    )
    assert target_status(january.karawang_branch, date(2025, 3, 1)).lines == ()  # 2025 has no target
    assert target_status(january.karawang_branch, date(2025, 3, 1), year=2024).lines[0].status == "missed"
    new_participants(office=january.karawang_branch, value=6)
    assert target_status(january.karawang_branch, date(2025, 3, 1), year=2024).lines[0].status == "achieved"


def test_a_target_of_another_year_or_segment_is_kept_apart(january):
    new_participants(office=january.karawang_branch, value=100)
    target_set(
        metric="new_participants",
        start=YEAR[0],
        end=YEAR[1],
        value=5,
        segment="PU",
        office=january.karawang_branch,
    )
    target_set(
        metric="new_participants", start=date(2023, 1, 1), end=date(2023, 12, 31), value=1,
        office=january.karawang_branch,
    )  # fmt: skip
    lines = target_status(january.karawang_branch, JANUARY_END).lines
    assert [(line.segment, line.achievement) for line in lines] == [("BPU", 6), ("PU", 0)]
    (last_year,) = target_status(january.karawang_branch, date(2023, 12, 31)).lines
    assert (last_year.achievement, last_year.status) == (1, "on_track")  # its last day: still running
    (last_year,) = target_status(january.karawang_branch, JANUARY_END, year=2023).lines
    assert (last_year.achievement, last_year.status) == (1, "achieved")


def pay(participant, key, when, months=1, outlet=None, agent=None):
    return payment_record(
        history_allowed=True,
        participant=participant, months=months, amount=16_800 * months, source="t", idempotency_key=key,
        paid_at=when, outlet=outlet, agent=agent,
    )  # fmt: skip


def test_contributions_and_active_participants_targets(world, register):
    early = register(registered_at=jakarta(2023, 11, 1))
    pay(early, "a", jakarta(2023, 11, 1), months=12)  # covered November 2023 .. October 2024
    late = register(registered_at=jakarta(2024, 2, 1))
    pay(late, "b", jakarta(2024, 2, 1), months=3, outlet=world.bank_karawang)
    target_set(
        metric="contributions", start=YEAR[0], end=YEAR[1], value=600_000, office=world.karawang_branch
    )
    target_set(
        metric="active_participants", start=YEAR[0], end=YEAR[1], value=3, office=world.karawang_branch
    )
    lines = {line.metric: line for line in target_status(world.karawang_branch, date(2024, 3, 31)).lines}
    contributions = lines["contributions"]
    assert contributions.achievement == 3 * 16_800  # the 2023 payment is outside the period
    assert contributions.projection == 202_708  # 50,400 / 91 x 366 = 202,707.7
    active = lines["active_participants"]
    assert (active.baseline, active.achievement) == (1, 2)  # December 2023: 1; March 2024: 2
    assert active.projection == 1 + round((2 - 1) * 366 / 91)
    assert active.projection_sum() == "1 + (2 - 1) / 91 x 366 = 5 >= 3: on track"


def test_outlet_and_agent_targets(world, register):
    worker = register(registered_at=jakarta(2024, 1, 10), agent=world.agent)
    register(registered_at=jakarta(2024, 1, 11))
    pay(worker, "a", jakarta(2024, 1, 10), outlet=world.bank_karawang)
    target_set(metric="new_participants", start=YEAR[0], end=YEAR[1], value=100, outlet=world.pos_karawang)
    target_set(metric="contributions", start=YEAR[0], end=YEAR[1], value=100_000, outlet=world.bank_karawang)
    target_set(metric="new_participants", start=YEAR[0], end=YEAR[1], value=1, agent=world.agent)
    (pos,) = owner_status(outlet=world.pos_karawang, as_of=JANUARY_END).lines
    assert (pos.achievement, pos.status) == (2, "at_risk")
    (bank,) = owner_status(outlet=world.bank_karawang, as_of=JANUARY_END).lines
    assert bank.achievement == 16_800  # credited to the collecting outlet
    (agent,) = owner_status(agent=world.agent, as_of=JANUARY_END).lines
    assert (agent.achievement, agent.status) == (1, "on_track")


def test_an_outlets_target_counts_the_outlets_below_it(world, register):
    from jaring.channels.services import outlet_create

    kc = outlet_create(
        code="POS-KC1",
        name="KC Karawang 1",
        partner=world.pos,
        region_code="32.15.01",
        parent=world.pos_karawang,
    )
    register(registered_at=jakarta(2024, 1, 10))  # at the KCU
    register(registered_at=jakarta(2024, 1, 12), outlet=kc)  # at its KC
    target_set(metric="new_participants", start=YEAR[0], end=YEAR[1], value=10, outlet=world.pos_karawang)
    target_set(metric="new_participants", start=YEAR[0], end=YEAR[1], value=10, outlet=kc)
    (kcu_line,) = owner_status(outlet=world.pos_karawang, as_of=JANUARY_END).lines
    (kc_line,) = owner_status(outlet=kc, as_of=JANUARY_END).lines
    assert (kcu_line.achievement, kc_line.achievement) == (2, 1)


def test_a_target_needs_one_owner_and_a_known_metric(world):
    with pytest.raises(ValidationError) as error:
        target_set(
            metric="likes", start=YEAR[1], end=YEAR[0], value=-1, office=world.head, outlet=world.pos_karawang
        )
    assert set(error.value.message_dict) == {"owner", "metric", "end", "value"}


def test_potential_is_the_informal_workforce_of_the_population_until_staff_load_a_figure(world, register):
    balikpapan = Region.objects.get(code="64.71")
    worker = register(district="64.71.01", outlet=world.pos_balikpapan, registered_at=jakarta(2024, 1, 5))
    pay(worker, "a", jakarta(2024, 1, 5), months=3)
    market = office_market(world.balikpapan, date(2024, 2, 1))
    assert market.share == Decimal("0.5795")  # seeded, in force from August 2024: the earliest applies
    assert market.employed == Decimal("0.5076")  # 144.64 M employed of the region table's 284.97 M
    expected = round(Decimal(balikpapan.population) * Decimal("0.5076") * Decimal("0.5795"))
    assert market.potential == market.estimated_workers == expected
    assert market.active == 1
    potential_set(region=balikpapan, workers=5_000, effective_from=date(2024, 1, 15), source="survei")
    assert office_market(world.balikpapan, date(2024, 1, 14)).potential == market.potential
    market = office_market(world.balikpapan, date(2024, 2, 1))
    assert (market.potential, market.staff_regencies, market.estimated_regencies) == (5_000, 1, 0)
    assert market.penetration_pct == Decimal("0.020")  # 1 / 5,000 = 0.02 %: a small share keeps its digits
    status = target_status(world.kalimantan, date(2024, 2, 1))
    assert status.market.as_json()["arithmetic"]["penetration"] == "1 / 5,000 = 0.02 %"


def test_an_office_figure_is_spread_by_population_and_adds_up(world):
    branch_areas_assign(office=world.balikpapan, regency_codes=["64.71", "64.72", "64.02"])
    rows = potential_set(office=world.kalimantan, workers=100_001, effective_from=date(2024, 1, 1))
    assert sum(row.workers for row in rows) == 100_001
    assert {row.region_id for row in rows} == {"64.71", "64.72", "64.02"}
    assert office_market(world.kalimantan, date(2024, 6, 1)).potential == 100_001
    assert spread(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}


def test_a_new_informal_share_applies_from_its_day(world):
    informal_share_set(share="0.6", employed="0.5", effective_from=date(2025, 8, 1), source="Sakernas 2025")
    population = Region.objects.get(code="64.71").population
    assert office_market(world.balikpapan, date(2025, 9, 1)).estimated_workers == round(population * 0.3)
    assert office_market(world.balikpapan, date(2025, 7, 1)).share == Decimal("0.5795")
    with pytest.raises(ValidationError):
        informal_share_set(share="1.5", effective_from=date(2025, 9, 1))
    with pytest.raises(ValidationError):
        informal_share_set(share="0.5", employed="0", effective_from=date(2025, 9, 1))
    assert InformalShare.objects.count() == 2


def test_cli_sets_a_target_and_reports_its_status_in_json_xlsx_and_pdf(january, tmp_path):
    call_command("target", "set", "--office", "KW04", "--metric", "new_participants", "--year", "2024",
                 "--value", "60", stdout=StringIO())  # fmt: skip
    out = StringIO()
    call_command("target", "status", "--office", "KW04", "--as-of", "2024-01-31", "--json", stdout=out)
    status = json.loads(out.getvalue())
    (line,) = status["targets"]
    assert (line["target"], line["achievement"], line["projection"], line["status"]) == (
        60,
        6,
        71,
        "on_track",
    )
    assert line["arithmetic"]["projection"] == "6 / 31 x 366 = 71 >= 60: on track"
    assert status["market"]["potential"] > 0
    xlsx = tmp_path / "target.xlsx"
    call_command("target", "status", "--office", "KW04", "--as-of", "2024-01-31", "--format", "xlsx",
                 "--output", str(xlsx), stdout=StringIO())  # fmt: skip
    book = load_workbook(xlsx)
    cells = [list(row) for row in book["Laporan"].iter_rows(values_only=True)]
    row = next(r for r in cells if r[0] == "KW04 Kanwil Jawa Barat")
    assert (
        row[1] == "Peserta baru" and row[4] == 60 and row[6] == 6 and row[8] == 71 and row[9] == "tepat waktu"
    )
    assert "6 / 31 x 366 = 71 >= 60: tepat waktu" in row[10]
    assert book["Laporan"]._charts
    pdf = tmp_path / "target.pdf"
    call_command("target", "status", "--office", "KW04", "--as-of", "2024-01-31", "--format", "pdf",
                 "--output", str(pdf), stdout=StringIO())  # fmt: skip
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    words = " ".join(text.split())  # table cells wrap: compare the words
    assert "31 Januari 2024" in words and "6 / 31 x 366 = 71 >= 60" in words and "Peserta baru" in text
