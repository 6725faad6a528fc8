"""The demo world: a small one is loaded once for this module (and rolled back after it)."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from jaring.channels.models import Outlet, Partner
from jaring.common.clock import end_of_day, local_date
from jaring.contributions.models import Bill, Deposit, GroupMembership, Payment
from jaring.contributions.queries import coverage_runs, participant_status
from jaring.demo.world import demo_world_load
from jaring.employers.models import Employer, EmployerBill, Lead
from jaring.members.models import Participant
from jaring.org.models import BranchArea, Office
from jaring.regions.queries import region_index
from jaring.rules.coverage import is_covered
from jaring.rules.months import Month
from jaring.rules.nik import Sex, parse_nik

# A fixed day inside the PP 50/2025 relief window (an uncertain placeholder in the rate data), so the
# world is the same on every run and some months are priced with the cut.
TODAY = date(2025, 10, 24)
PARTICIPANTS = 120

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The summary of one demo load, kept for the module's tests and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_world_load(participants=PARTICIPANTS, today=TODAY)
        transaction.set_rollback(True)


def test_the_load_reports_what_it_added(demo):
    assert not demo.already_loaded
    assert demo.participants == Participant.objects.count()
    # the informal workers asked for and those the walks signed up, and the wage earners of the demo's
    # companies (every size, and the SMEs handed to Pos and registered)
    from jaring.demo.duplicates import CASES, TWINS
    from jaring.demo.events import WALKS

    # ... and the second records of the demo's probable duplicates, and a pair of twins
    added = sum(w.new for w in WALKS) + len(CASES) + len(TWINS)
    assert Participant.objects.filter(segment="BPU").count() == PARTICIPANTS + added
    assert Participant.objects.filter(segment="PU").count() == 3 + 12 + 45 + 120 + 4
    assert demo.payments == Payment.objects.count() > demo.participants
    assert demo.deposits == Deposit.objects.count() > 0


def test_kanwil_vii_kalimantan_has_a_balikpapan_branch_serving_kota_balikpapan(demo):
    kalimantan = Office.objects.get(code="KW07")
    assert kalimantan.name == "Kanwil VII Kalimantan"
    assert kalimantan.parent.code == "KP"
    balikpapan = BranchArea.objects.get(regency_id="64.71").office
    assert balikpapan.name == "KC Balikpapan"
    assert balikpapan.parent == kalimantan
    served = BranchArea.objects.filter(office__parent=kalimantan).values_list("regency_id", flat=True)
    assert {code[:2] for code in served} == {"61", "62", "63", "64", "65"}  # the five Kalimantan provinces


def test_the_racing_contest_pos_outlets_report_to_the_branch_serving_them(demo):
    for name, regency in [("KCU Karawang", "32.15"), ("KC Ketapang", "61.04"), ("KCU Semarang", "33.74")]:
        outlet = Outlet.objects.get(name=name)
        assert outlet.partner.kind == Partner.Kind.POS
        assert outlet.region_id.startswith(regency)
        assert outlet.office == BranchArea.objects.get(regency_id=regency).office
        assert outlet.participants.exists()
    assert Outlet.objects.get(name="KC Ketapang").parent.name.startswith("KCU ")


def test_workers_come_through_every_kind_of_channel(demo):
    channels = set(Participant.objects.values_list("channel", flat=True))
    assert {"pos", "bank", "aggregator", "market_collector", "local_government", "agent_network"} <= channels
    perisai = Participant.objects.filter(channel=Partner.Kind.AGENT_NETWORK)
    assert not perisai.filter(agent__isnull=True).exists()


def test_there_are_active_and_lapsed_participants(demo):
    assert demo.active == Participant.objects.filter(standing__status="active").count() > 0
    assert demo.lapsed == Participant.objects.filter(standing__status="lapsed").count() > 0
    month = Month.from_date(TODAY)
    for worker in Participant.objects.filter(standing__status="lapsed"):
        last_paid = worker.standing.paid_through or worker.registered_month - 1
        assert month - last_paid > 3


def test_cached_statuses_agree_with_the_ledger(demo):
    for worker in Participant.objects.all():
        assert participant_status(worker, as_of=TODAY).standing == worker.standing.status, worker.number


def test_every_nik_agrees_with_the_declared_birth_date_sex_and_address(demo):
    regions = region_index()
    for worker in Participant.objects.all():
        result = parse_nik(worker.nik, regions=regions, declared_birth_date=worker.birth_date,
                           declared_sex=Sex(worker.sex), today=TODAY)  # fmt: skip
        assert result.valid and not result.warnings, (worker.nik, result.problems)
        assert result.birth_date == worker.birth_date and date(1960, 1, 1) <= worker.birth_date <= date(
            2005, 12, 31
        )
        assert worker.village_id.startswith(result.district_code + ".")


def test_incomes_are_whole_thousands_mostly_the_minimum(demo):
    incomes = list(Participant.objects.filter(segment="BPU").values_list("declared_income", flat=True))
    assert all(income >= 1_000_000 and income % 1_000 == 0 for income in incomes)
    assert sum(income == 1_000_000 for income in incomes) > len(incomes) / 2
    assert Participant.objects.filter(programmes="JKK+JKM+JHT").exists()


def test_registrations_and_payments_lie_in_the_past_fourteen_months(demo):
    earliest, latest = TODAY - timedelta(days=430), end_of_day(TODAY)
    for worker in Participant.objects.all():
        assert earliest <= local_date(worker.registered_at) <= TODAY
    for payment in Payment.objects.select_related("participant"):
        assert payment.participant.registered_at <= payment.paid_at <= latest
    assert Payment.objects.filter(paid_at__gt=timezone.now()).count() == 0


def test_market_traders_save_small_daily_amounts_with_the_collector(demo):
    deposits = Deposit.objects.select_related("outlet__partner", "agent")
    assert all(2_000 <= deposit.amount <= 5_000 for deposit in deposits)
    assert {deposit.outlet.partner.kind for deposit in deposits} == {Partner.Kind.MARKET_COLLECTOR}
    assert all(deposit.agent is not None for deposit in deposits)
    assert Payment.objects.filter(kind=Payment.Kind.DEPOSIT).exists()  # the savings bought months


def test_ppsu_members_are_covered_for_every_billed_month(demo):
    memberships = GroupMembership.objects.filter(group__code="PPSU").select_related(
        "participant", "group__payer"
    )
    assert memberships.exists()
    assert all(
        m.participant.occupation_id == "PPSU" and m.participant.outlet.code == "DKI-BK" for m in memberships
    )
    bills = Bill.objects.filter(payer__code="DKI-APBD", status=Bill.Status.PAID)
    assert bills.filter(month=Month.from_date(TODAY)).exists()
    for bill in bills:
        for membership in memberships.filter(first_month__lte=bill.month):
            assert is_covered(coverage_runs(membership.participant), bill.month)


def test_loading_again_adds_nothing(demo):
    again = demo_world_load(participants=PARTICIPANTS, today=TODAY)
    assert again.already_loaded
    assert (again.participants, again.payments, again.deposits, again.outlets) == (
        demo.participants, demo.payments, demo.deposits, demo.outlets,
    )  # fmt: skip


def test_a_day_in_the_future_is_refused():
    with pytest.raises(ValueError, match="future"):
        demo_world_load(participants=1, today=local_date() + timedelta(days=1))


@pytest.mark.django_db
def test_the_demo_world_has_targets_on_track_and_at_risk(demo):
    from jaring.monitoring.progress import target_status
    from jaring.org.models import Office

    verdicts = set()
    for office in Office.objects.filter(kind=Office.Kind.REGIONAL):
        for line in target_status(office, TODAY).lines:
            verdicts.add(line.status)
    assert {"on_track", "at_risk"} <= verdicts


def test_the_demo_has_companies_of_every_size_and_leads_in_every_state(demo):
    assert {"micro", "small", "medium", "large"} <= set(Employer.objects.values_list("size", flat=True))
    assert set(EmployerBill.objects.values_list("status", flat=True)) >= {"paid", "partial", "issued"}
    assert set(Lead.objects.values_list("status", flat=True)) == {
        "handed_over", "contacted", "registered", "declined",
    }  # fmt: skip
    assert Lead.objects.filter(outlet__code="POS-KRW").exists()  # on the demo teller's desk


def test_the_demo_has_walks_with_what_they_brought_and_one_running_on_its_day(demo):
    from jaring.events.models import Campaign
    from jaring.events.queries import campaign_report, events_running

    report = campaign_report(Campaign.objects.get(code="JALAN-SEHAT"), as_of=TODAY)
    by_code = {item.event.code: item for item in report.yields}
    assert by_code["JS-KRW-1"].new > 0 and by_code["JS-KRW-1"].already > 0
    assert by_code["JS-KRW-1"].still_covered[0].count is not None  # ten months on: three are over
    assert by_code["JS-KRW-1"].cost_per_new is not None
    assert [event.code for event in events_running(TODAY)] == ["JS-KRW-2"]
