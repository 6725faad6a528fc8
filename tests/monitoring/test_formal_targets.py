"""Targets of the formal sector (#15, part 4): companies and wage earners per office and period, read from
the tallies with the same achievement, projection and roll-up as the informal targets; companies credited
to the outlet that registered them, in its targets and in a contest."""

from datetime import date

import pytest
from tests.conftest import a_village, jakarta
from tests.employers.conftest import BALIKPAPAN_VILLAGE, KARAWANG_VILLAGE

from jaring.common.clock import local_date
from jaring.employers.leads.queries import lead_yield
from jaring.employers.leads.services import lead_hand_over, lead_register
from jaring.employers.queries import enrolment_outlet
from jaring.employers.services import employer_register
from jaring.employers.wage_earners.services import Worker, employment_end, employment_start
from jaring.monitoring.queries import contest_leaderboard, owner_status, target_status
from jaring.monitoring.services import contest_define, target_set
from jaring.monitoring.targets import year_period
from jaring.rules.months import Month
from jaring.rules.nik import Sex, make_nik
from jaring.tallies.models import Tally
from jaring.tallies.verify import tallies_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> date:
    return local_date()


def company(name: str, village: str = BALIKPAPAN_VILLAGE, **more):
    return employer_register(name=name, village_code=village, sector="G", workforce=12, **more)


def new_worker(employer, serial: int, *, outlet, first_month=None):
    born = date(1991, 5, 1)
    worker = Worker(
        name=f"Pekerja {serial}",
        birth_date=born,
        sex="F",
        village_code=a_village("64.71.05"),
        occupation_code="PEDAGANG_PASAR",
        outlet=outlet,
    )
    nik = make_nik("64.71.05", born, Sex.FEMALE, 300 + serial)
    first = first_month or Month.from_date(local_date())
    return employment_start(employer=employer, nik=nik, wage=5_000_000, first_month=first, worker=worker)


def test_new_companies_count_the_companies_registered_in_the_subtree(world, today):
    start, end = year_period(today.year)
    target_set(metric="new_companies", segment="", start=start, end=end, value=10, office=world.kalimantan)
    company("CV Satu")
    company("CV Dua")
    company("PT Tiga Karawang", village=KARAWANG_VILLAGE)  # Kanwil Jawa Barat's, not Kalimantan's
    (line,) = target_status(world.kalimantan, today).lines
    assert (line.metric, line.target, line.achievement) == ("new_companies", 10, 2)
    assert line.status in ("on_track", "at_risk", "achieved")  # a verdict, never "no data" again
    (branch,) = line.children
    assert (branch.owner, branch.achievement) == ("KC-BPN", 2)
    (national,) = target_status(world.head, today).lines
    assert (national.target, national.target_source, national.achievement) == (10, "below", 3)
    assert tallies_verify() == []


def test_a_company_registered_at_a_pos_outlet_counts_for_that_outlet(world, today):
    start, end = year_period(today.year)
    target_set(metric="new_companies", segment="", start=start, end=end, value=4, outlet=world.pos_balikpapan)
    company("CV Lewat Pos", outlet=world.pos_balikpapan)
    company("CV Di Cabang")  # the branch's own registration: no outlet
    (line,) = owner_status(outlet=world.pos_balikpapan, as_of=today).lines
    assert (line.target, line.achievement) == (4, 1)
    row = Tally.objects.get(kind="employers", outlet_id=world.pos_balikpapan.pk)
    assert (row.count, row.channel, row.segment, row.office_id) == (1, "pos", "PU", world.balikpapan.pk)
    assert tallies_verify() == []


def test_new_wage_earners_count_new_niks_and_informal_workers_taking_a_job(world, register, today):
    start, end = year_period(today.year)
    target_set(metric="new_workers", segment="PU", start=start, end=end, value=100, office=world.kalimantan)
    employer = company("PT Kayu Balikpapan")
    new_worker(employer, 1, outlet=world.pos_balikpapan)
    new_worker(employer, 2, outlet=world.pos_balikpapan)
    # registered as an informal worker last year, takes this job in January
    informal = register(
        district="64.71.01", outlet=world.pos_balikpapan, registered_at=jakarta(today.year - 1, 6, 1)
    )
    employment_start(employer=employer, nik=informal.nik, wage=4_500_000, first_month=Month.of(today.year, 1))
    (line,) = target_status(world.kalimantan, today).lines
    assert (line.metric, line.segment, line.achievement) == ("new_workers", "PU", 3)
    # the job lasts January only: a wage earner no more from February, the year's gain is two
    employment_end(employer=employer, nik=informal.nik, last_month=Month.of(today.year, 1))
    (line,) = target_status(world.kalimantan, end).lines
    assert line.achievement == 2
    assert tallies_verify() == []


def test_a_contest_on_new_companies_ranks_the_outlets_that_registered_them(world, today):
    contest = contest_define(
        spec={
            "code": "ukm-pos",
            "name": "UKM lewat Pos",
            "metric": "new_companies",
            "segment": "",
            "outlets": {"codes": [world.pos_balikpapan.code, world.pos_karawang.code]},
            "periods": [{"code": "P1", "start": f"{today.year}-01-01", "end": f"{today.year}-12-31"}],
        }
    )
    company("CV A", outlet=world.pos_balikpapan)
    company("CV B", outlet=world.pos_balikpapan)
    company("CV C", village=KARAWANG_VILLAGE, outlet=world.pos_karawang)
    board = contest_leaderboard(contest, "P1", as_of=today)
    ranked = [(row.outlet, row.value) for row in board.rows]
    assert ranked[:2] == [(world.pos_balikpapan.code, 2), (world.pos_karawang.code, 1)]


def test_a_lead_handed_to_a_pos_outlet_and_converted_is_credited_to_that_outlet(world, today):
    """The SME hand-over: the branch hands a company to Pos Balikpapan, the outlet registers it and its
    workers; the outlet's targets count the company and the wage earners, the branch's do too."""
    start, end = year_period(today.year)
    target_set(metric="new_companies", segment="", start=start, end=end, value=5, outlet=world.pos_balikpapan)
    target_set(
        metric="new_workers", segment="PU", start=start, end=end, value=50, outlet=world.pos_balikpapan
    )
    lead = lead_hand_over(
        name="CV Hasil Serahan", office=world.balikpapan, outlet=world.pos_balikpapan, nib="8120000000017"
    )
    employer = company("CV Hasil Serahan", nib="8120000000017", outlet=world.pos_balikpapan)
    lead = lead_register(lead=lead.lead, employer=employer)
    assert lead.status == "registered"
    new_worker(employer, 7, outlet=enrolment_outlet(employer))
    companies, workers = owner_status(outlet=world.pos_balikpapan, as_of=today).lines
    assert (companies.metric, companies.achievement) == ("new_companies", 1)
    assert (workers.metric, workers.achievement) == ("new_workers", 1)
    (row,) = lead_yield(start=start, end=end).outlets
    assert (row.code, row.handed, row.registered, row.workers) == (world.pos_balikpapan.code, 1, 1, 1)
    assert tallies_verify() == []
