"""SMEs a BPJS branch hands over to a Pos outlet: a lead is handed over, contacted, registered or
declined along the allowed moves only; a bad hand-over is told field by field and saves nothing; a
retry answers the first lead; the employer a lead became and the workers it enrols are the outlet's;
the yield per outlet and branch adds up; the CLI, the page and the services agree."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from tests.conftest import PASSWORD, a_village
from tests.employers.conftest import KARAWANG_VILLAGE

from jaring.accounts.audit import Actor
from jaring.accounts.models import AuditEntry
from jaring.common.clock import local_date
from jaring.common.errors import problems_of
from jaring.employers.bills.services import employer_bill_issue, employer_bill_pay
from jaring.employers.leads.queries import lead_find, lead_yield
from jaring.employers.leads.services import (
    LeadRequest,
    lead_contacted,
    lead_declined,
    lead_hand_over,
    lead_register,
    leads_hand_over,
)
from jaring.employers.models import Lead
from jaring.employers.queries import enrolment_outlet
from jaring.employers.services import employer_register
from jaring.employers.wage_earners.services import Worker, employment_start
from jaring.imports.readers import COLUMNS
from jaring.imports.services import import_job_for_file, import_run
from jaring.members.models import Participant
from jaring.rules.months import Month
from jaring.rules.nik import Sex, make_nik

NIB = "1234567890123"
LEADS_URL = "/desk/employers/leads/"
YIELD_URL = "/desk/employers/leads/yield/"


def reasons(call, **fields) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call(**fields)
    return sorted(problem.reason for problem in problems_of(error.value))


def hand_over(world, **fields):
    values = {"name": "CV Sumber Rejeki", "office": world.karawang_branch, "outlet": world.pos_karawang}
    values.update(fields)
    return lead_hand_over(actor=Actor.cli(), **values).lead


def sme(outlet=None, *, name="CV Sumber Rejeki", nib=""):
    return employer_register(
        name=name, village_code=KARAWANG_VILLAGE, sector="G", workforce=8, nib=nib, outlet=outlet
    )


def enrol_new_worker(employer, serial: int):
    """A worker not registered before, enrolled from this month: registered where the employer enrols."""
    nik = make_nik("32.15.01", date(1991, 2, 3), Sex.MALE, serial)
    worker = Worker(
        name="Agus Salim",
        birth_date=date(1991, 2, 3),
        sex="M",
        village_code=a_village("32.15.01"),
        occupation_code="PEDAGANG_PASAR",
        outlet=enrolment_outlet(employer),
    )
    month = Month.from_date(local_date())
    return employment_start(
        employer=employer, nik=nik, wage=4_000_000, first_month=month, worker=worker, actor=Actor.cli()
    ).participant


# -- statuses and moves ----------------------------------------------------------------------------------


def test_a_lead_is_handed_over_contacted_and_registered_by_the_outlet(world):
    lead = hand_over(world, nib="12.3456.7890.123", phone="0812-3456-7890", contact_name="Bu Wati")
    assert (lead.status, lead.nib, lead.phone, lead.office, lead.outlet) == (
        "handed_over",
        NIB,
        "081234567890",
        world.karawang_branch,
        world.pos_karawang,
    )
    assert lead.number.startswith("L") and lead_find(lead.number) == lead
    mistyped = lead.number[:-1] + str((int(lead.number[-1]) + 1) % 10)
    assert lead_find(lead.number.lower()) == lead and lead_find(mistyped) is None
    assert lead_find("1234.5678.90123") == lead  # by the company's NIB
    lead = lead_contacted(lead=lead, actor=Actor.cli())
    assert lead.status == "contacted"
    employer = sme(world.pos_karawang, nib=NIB)
    lead = lead_register(lead=lead, employer=employer, actor=Actor.cli())
    assert (lead.status, lead.employer) == ("registered", employer)
    summaries = list(
        AuditEntry.objects.filter(object_type="employers.lead").values_list("summary", flat=True)
    )
    assert any("handed over by KC-KRW to POS-KRW" in s for s in summaries)
    assert any("contacted" in s for s in summaries) and any("registered as employer" in s for s in summaries)


def test_a_lead_may_be_registered_or_declined_straight_from_the_hand_over(world):
    declined = lead_declined(lead=hand_over(world), reason="  sudah punya asuransi ", actor=Actor.cli())
    assert (declined.status, declined.note) == ("declined", "sudah punya asuransi")
    registered = lead_register(lead=hand_over(world, name="UD Baru"), employer=sme(world.pos_karawang))
    assert registered.status == "registered"


def test_a_declined_lead_may_be_contacted_again_a_registered_one_is_final(world):
    lead = lead_declined(lead=hand_over(world), reason="belum siap")
    assert lead_contacted(lead=lead).status == "contacted"
    lead = lead_register(lead=lead, employer=sme(world.pos_karawang))
    for call, fields in (
        (lead_contacted, {}),
        (lead_declined, {"reason": "tidak jadi"}),
    ):
        assert reasons(call, lead=lead, **fields) == ["status:transition"]
    assert reasons(lead_register, lead=lead, employer=sme(world.pos_karawang, name="PT Lain")) == [
        "status:transition"
    ]
    lead.refresh_from_db()
    assert lead.status == "registered"


def test_a_bad_move_is_refused_with_its_reason_and_changes_nothing(world):
    lead = lead_register(lead=hand_over(world), employer=sme(world.pos_karawang))
    moved_at = lead.status_changed_at
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        lead_declined(lead=lead, reason="berubah pikiran")
    assert "final" in str(error.value) or "final" in " ".join(error.value.messages)
    lead.refresh_from_db()
    assert (lead.status, lead.note, lead.status_changed_at) == ("registered", "", moved_at)
    assert AuditEntry.objects.count() == entries


def test_declining_needs_a_reason(world):
    lead = hand_over(world)
    assert reasons(lead_declined, lead=lead, reason="  ") == ["note:required"]
    lead.refresh_from_db()
    assert lead.status == "handed_over"


def test_the_same_move_again_changes_nothing(world):
    lead = lead_contacted(lead=hand_over(world))
    at = lead.status_changed_at
    entries = AuditEntry.objects.count()
    assert lead_contacted(lead=lead).status_changed_at == at
    employer = sme(world.pos_karawang)
    lead_register(lead=lead, employer=employer)
    entries = AuditEntry.objects.count()
    assert lead_register(lead=lead, employer=employer).employer == employer
    assert AuditEntry.objects.count() == entries


def test_only_an_employer_the_outlet_registered_converts_its_lead(world):
    lead = hand_over(world, nib=NIB)
    by_branch = sme(None, name="PT Cabang")
    elsewhere = sme(world.pos_balikpapan, name="PT Balikpapan")
    other_nib = sme(world.pos_karawang, name="PT NIB Lain", nib="9999999999999")
    assert reasons(lead_register, lead=lead, employer=by_branch) == ["employer:other_outlet"]
    assert reasons(lead_register, lead=lead, employer=elsewhere) == ["employer:other_outlet"]
    assert reasons(lead_register, lead=lead, employer=other_nib) == ["employer:nib_mismatch"]
    employer = sme(world.pos_karawang, nib=NIB)
    lead_register(lead=lead, employer=employer)
    second = hand_over(world, name="CV Kedua")
    assert reasons(lead_register, lead=second, employer=employer) == ["employer:taken"]


def test_the_database_keeps_a_registered_lead_linked_and_one_open_lead_per_nib(world):
    from django.db import IntegrityError, transaction

    lead = hand_over(world, nib=NIB)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status="registered")
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.create(
            name="x", nib=NIB, office=world.karawang_branch, outlet=world.pos_balikpapan,
            status_changed_at=lead.handed_at, handed_at=lead.handed_at,
        )  # fmt: skip


# -- hand-over checks --------------------------------------------------------------------------------------


def test_a_bad_hand_over_is_told_field_by_field_and_saves_nothing(world):
    refused = reasons(
        lead_hand_over,
        name=" ",
        office="KC-XXX",
        outlet="BNI-KRW",
        nib="12345",
        village_code="99.99.99.9999",
        phone="12",
        contact_name="x" * 121,
    )
    assert refused == [
        "contact_name:invalid",
        "name:required",
        "nib:length",
        "office:unknown",
        "outlet:not_pos",
        "phone:invalid",
        "village_code:unknown",
    ]
    assert reasons(lead_hand_over, name="CV A", office="KW04", outlet="") == [
        "office:not_branch",
        "outlet:required",
    ]
    assert reasons(lead_hand_over, name="CV\x00A", office=None, outlet="POS-KRW") == [
        "name:control_character",
        "office:required",
    ]
    assert not Lead.objects.exists() and not AuditEntry.objects.filter(object_type="employers.lead").exists()


def test_messages_are_in_indonesian_on_indonesian_pages(world):
    from django.utils import translation

    # the messages shared with the employer registration are in the catalogue already
    with translation.override("id"), pytest.raises(ValidationError) as error:
        lead_hand_over(name="CV A", office=world.karawang_branch, outlet=world.pos_karawang, nib="123")
    assert error.value.message_dict["nib"] == ["NIB terdiri atas 13 angka."]


def test_a_closed_outlet_takes_no_lead_and_a_registered_nib_is_not_a_lead(world):
    world.pos_balikpapan.is_active = False
    world.pos_balikpapan.save()
    assert reasons(lead_hand_over, name="CV A", office="KC-BPN", outlet="POS-BPN") == ["outlet:closed"]
    sme(world.pos_karawang, nib=NIB)
    assert reasons(lead_hand_over, name="CV A", office="KC-KRW", outlet="POS-KRW", nib=NIB) == [
        "nib:registered"
    ]


def test_a_repeated_hand_over_answers_the_open_lead(world):
    first = lead_hand_over(name="CV A", office="KC-KRW", outlet="pos-krw", nib=NIB)
    again = lead_hand_over(name="CV A", office="KC-KRW", outlet="POS-KRW", nib=NIB)
    assert first.created and not again.created and again.lead == first.lead
    assert Lead.objects.count() == 1
    # to another outlet while open: refused, naming the open lead
    with pytest.raises(ValidationError) as error:
        lead_hand_over(name="CV A", office="KC-KRW", outlet="POS-BPN", nib=NIB)
    assert first.lead.number in str(error.value)
    # once declined, the company may be handed over anew
    lead_declined(lead=first.lead, reason="tutup")
    assert lead_hand_over(name="CV A", office="KC-BPN", outlet="POS-BPN", nib=NIB).created
    assert reasons(lead_contacted, lead=first.lead) == ["nib:open_lead"]


def test_a_list_is_all_or_nothing_and_a_company_twice_in_it_is_one_lead(world):
    good = LeadRequest(name="CV A", office="KC-KRW", outlet="POS-KRW", nib=NIB)
    bad = LeadRequest(name="", office="KC-KRW", outlet="POS-KRW")
    assert reasons(leads_hand_over, requests=[good, bad]) == ["2.name:required"]
    assert not Lead.objects.exists()
    answers = leads_hand_over(
        requests=[good, good, LeadRequest(name="CV B", office="KC-KRW", outlet="POS-KRW")]
    )
    assert [a.created for a in answers] == [True, False, True]
    assert answers[0].lead == answers[1].lead and Lead.objects.count() == 2
    clash = LeadRequest(name="CV C", office="KC-KRW", outlet="POS-BPN", nib="1111111111111")
    same_nib = LeadRequest(name="CV C", office="KC-KRW", outlet="POS-KRW", nib="1111111111111")
    assert reasons(leads_hand_over, requests=[clash, same_nib]) == ["2.nib:open_lead"]


# -- the credit --------------------------------------------------------------------------------------------


def test_a_converted_lead_credits_the_outlet_with_the_employer_and_its_new_workers(world):
    lead = hand_over(world, nib=NIB)
    employer = sme(world.pos_karawang, nib=NIB)  # registered at the Pos desk: the outlet is set
    lead = lead_register(lead=lead, employer=employer)
    assert lead.employer.outlet == lead.outlet == world.pos_karawang
    worker = enrol_new_worker(employer, serial=1)
    assert Participant.objects.get(pk=worker.pk).outlet == world.pos_karawang


# -- the yield ---------------------------------------------------------------------------------------------


@pytest.fixture
def handed(world):
    """Five leads of KC Karawang to Pos Karawang (one of each status, two registered, one with two
    workers and a paid bill) and one of KC Balikpapan to Pos Balikpapan, not yet contacted."""
    w = world
    w.leads = [hand_over(world, name=f"CV {n}") for n in range(5)]
    lead_contacted(lead=w.leads[1])
    lead_declined(lead=w.leads[2], reason="tidak berminat")
    w.first = sme(world.pos_karawang, name="CV Satu")
    w.second = sme(world.pos_karawang, name="CV Dua")
    lead_register(lead=w.leads[3], employer=w.first)
    lead_register(lead=w.leads[4], employer=w.second)
    enrol_new_worker(w.first, 1)
    enrol_new_worker(w.first, 2)
    bill = employer_bill_issue(employer=w.first, month=Month.from_date(local_date()))
    employer_bill_pay(bill=bill, amount=bill.amount, reference="LUNAS-1")
    w.paid = bill.amount
    w.far = hand_over(world, name="UD Timur", office=world.balikpapan, outlet=world.pos_balikpapan)
    return w


def test_the_yield_per_outlet_and_branch(handed):
    today = local_date()
    report = lead_yield(start=today - timedelta(days=1), end=today)
    krw = {row.code: row for row in report.outlets}["POS-KRW"]
    assert (krw.handed, krw.contacted, krw.registered, krw.declined, krw.open) == (5, 1, 2, 1, 2)
    assert (krw.conversion, krw.workers, krw.paid) == (Decimal("40.0"), 2, handed.paid)
    assert [row.code for row in report.branches] == ["KC-BPN", "KC-KRW"]
    bpn = report.branches[0]
    assert (bpn.handed, bpn.open, bpn.conversion, bpn.workers, bpn.paid) == (1, 1, Decimal("0.0"), 0, 0)
    assert (report.total.handed, report.total.registered, report.total.conversion) == (6, 2, Decimal("33.3"))
    only = lead_yield(office=handed.karawang_branch, start=today, end=today)
    assert [row.code for row in only.outlets] == ["POS-KRW"] and only.total.handed == 5
    before = lead_yield(start=today - timedelta(days=9), end=today - timedelta(days=1))
    assert before.total.handed == 0 and before.total.conversion is None


def test_the_yield_is_three_statements_whatever_the_number_of_leads(handed, django_assert_max_num_queries):
    today = local_date()
    with django_assert_max_num_queries(3):
        lead_yield(start=today, end=today)


# -- the command line --------------------------------------------------------------------------------------


def cli(*args) -> dict:
    out = StringIO()
    try:
        call_command("lead", *args, "--json", stdout=out)
    except SystemExit as refused:
        assert refused.code == 2
    return json.loads(out.getvalue())


def test_the_cli_and_the_services_agree(handed):
    today = local_date().isoformat()
    assert (
        cli("yield", "--start", today, "--end", today)
        == lead_yield(start=local_date(), end=local_date()).as_dict()
    )
    made = cli(
        "hand-over", "--office", "KC-KRW", "--outlet", "POS-KRW", "--name", "PT Lewat CLI", "--nib", NIB
    )
    assert made["ok"] and made["created"] and made["lead"]["status"] == "handed_over"
    number = made["lead"]["number"]
    assert (
        cli("hand-over", "--office", "KC-KRW", "--outlet", "POS-KRW", "--name", "PT Lewat CLI", "--nib", NIB)[
            "created"
        ]
        is False
    )
    assert cli("contacted", number)["lead"]["status"] == "contacted"
    listed = cli("list", "--outlet", "POS-KRW", "--status", "contacted")
    assert {row["number"] for row in listed["leads"]} == {number, handed.leads[1].number}
    employer = sme(handed.pos_karawang, name="PT Lewat CLI", nib=NIB)
    assert cli("register", number, "--employer", employer.number)["lead"]["employer"] == employer.number
    refused = cli("declined", number, "--reason", "x")
    assert refused["ok"] is False and refused["reasons"] == ["status:transition"]


def test_the_cli_refuses_an_unknown_lead(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("lead", "contacted", "L000000000", stdout=StringIO())


# -- the pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, staff, world):
    def _signed_in(role, **scope):
        user = staff(role, **scope)
        client.login(username=user.username, password=PASSWORD)
        return client

    return _signed_in


def test_branch_staff_hand_over_on_the_page(signed_in, world):
    client = signed_in("branch_staff", office=world.karawang_branch)
    page = client.get(LEADS_URL)
    assert page.status_code == 200 and 'data-testid="lead-form"' in page.content.decode()
    response = client.post(
        LEADS_URL, {"action": "hand_over", "name": "CV Lewat Halaman", "outlet": "POS-KRW", "nib": NIB}
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.office, lead.outlet, lead.nib) == (world.karawang_branch, world.pos_karawang, NIB)
    assert lead.created_by is not None
    bad = client.post(LEADS_URL, {"action": "hand_over", "name": "", "outlet": "POS-KRW", "nib": "123"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'data-testid="error-name"' in body and 'data-testid="error-nib"' in body
    assert Lead.objects.count() == 1
    # a Pos outlet of another branch is not offered to Karawang
    assert "POS-BPN" not in client.get(LEADS_URL).content.decode()


def test_a_pos_teller_sees_and_works_the_outlets_leads_only(signed_in, staff, client, world):
    ours = hand_over(world, name="CV Milik Karawang")
    theirs = hand_over(
        world, name="UD Milik Balikpapan", office=world.balikpapan, outlet=world.pos_balikpapan
    )
    teller = signed_in("outlet_teller", outlet=world.pos_karawang)
    body = teller.get(LEADS_URL).content.decode()
    assert "CV Milik Karawang" in body and "UD Milik Balikpapan" not in body
    assert 'data-testid="lead-form"' not in body  # a teller does not hand over
    assert teller.post(LEADS_URL, {"action": "contacted", "lead": ours.number}).status_code == 302
    ours.refresh_from_db()
    assert ours.status == "contacted"
    assert teller.post(LEADS_URL, {"action": "contacted", "lead": theirs.number}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "handed_over"
    declined = teller.post(LEADS_URL, {"action": "declined", "lead": ours.number, "reason": ""})
    assert declined.status_code == 400
    employer = sme(world.pos_karawang, name="CV Milik Karawang")
    linked = teller.post(LEADS_URL, {"action": "register", "lead": ours.number, "employer": employer.number})
    assert linked.status_code == 302
    ours.refresh_from_db()
    assert ours.employer == employer
    # the teller of another outlet sees nothing of it and cannot act on it
    client.logout()
    other = signed_in("outlet_teller", outlet=world.pos_balikpapan)
    assert "CV Milik Karawang" not in other.get(LEADS_URL).content.decode()
    assert (
        other.post(LEADS_URL, {"action": "declined", "lead": ours.number, "reason": "x"}).status_code == 404
    )


def test_the_leads_page_is_not_for_agents_nor_bank_tellers(signed_in, world, client):
    assert signed_in("agent", agent=world.agent).get(LEADS_URL).status_code == 404
    client.logout()
    assert signed_in("outlet_teller", outlet=world.bank_karawang).get(LEADS_URL).status_code == 404


def test_the_yield_page_and_its_csv(signed_in, handed):
    client = signed_in("branch_staff", office=handed.karawang_branch)
    page = client.get(YIELD_URL)
    body = page.content.decode()
    assert page.status_code == 200 and "POS-KRW" in body and "POS-BPN" not in body
    assert '<td class="n" data-testid="conversion">40 %</td>' in body
    csv = client.get(YIELD_URL, {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "POS-KRW" in text and "KC-KRW" in text and "POS-BPN" not in text


def test_the_desk_links_the_leads(signed_in, world):
    client = signed_in("outlet_teller", outlet=world.pos_karawang)
    assert f'href="{LEADS_URL}"' in client.get("/desk/").content.decode()


# -- the demo ----------------------------------------------------------------------------------------------


def test_the_demo_hands_over_leads_in_every_state(world):
    from django.utils import timezone

    from jaring.demo.leads import leads_demo

    made = leads_demo(today=local_date(), now=timezone.now(), seed=7)
    assert {lead.status for lead in made} == {"handed_over", "contacted", "registered", "declined"}
    registered = [lead for lead in made if lead.status == "registered"]
    assert all(lead.employer.outlet == lead.outlet for lead in registered)
    workers = Participant.objects.filter(employments__employer__leads__in=registered)
    assert workers.count() >= 2 and {p.outlet_id for p in workers} <= {lead.outlet_id for lead in registered}
    assert lead_yield(start=local_date() - timedelta(days=60), end=local_date()).total.paid > 0
    assert leads_demo(today=local_date(), now=timezone.now(), seed=7) == []  # loaded once


def test_registering_the_company_at_the_outlet_converts_its_open_lead_whatever_the_channel(world, tmp_path):
    """The Pos desk, the API and a file all register through ``employers_apply``: a company with the NIB of
    a lead handed to the registering outlet converts it; the same NIB registered by the branch or another
    outlet does not."""
    by_desk = hand_over(world, nib=NIB)
    employer = sme(world.pos_karawang, nib=NIB)
    by_desk.refresh_from_db()
    assert (by_desk.status, by_desk.employer) == ("registered", employer)
    other_nib = "2234567890123"
    by_file = hand_over(world, name="UD Dari Berkas", nib=other_nib)
    elsewhere = hand_over(world, name="CV Tetap Terbuka", nib="3234567890123")
    sme(None, name="CV Tetap Terbuka", nib="3234567890123")  # the branch's own registration
    path = tmp_path / "employers.csv"
    path.write_text(
        ",".join(COLUMNS["employers"]) + "\n"
        f"UD Dari Berkas,{KARAWANG_VILLAGE},G,6,{other_nib},,,,{world.pos_karawang.code},\n",
        encoding="utf-8",
    )
    job = import_run(import_job_for_file(path=path, kind="employers"))
    assert (job.status, job.accepted) == ("done", 1), job.reasons
    by_file.refresh_from_db()
    elsewhere.refresh_from_db()
    assert by_file.status == "registered" and by_file.employer.nib == other_nib
    assert elsewhere.status == "handed_over" and elsewhere.employer is None
