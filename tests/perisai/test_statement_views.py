"""Statement pages: scope (404 outside it), approval by the agent's branch, exports, payout file."""

import csv
import io
import re

import pytest
from django.urls import reverse

from jaring.accounts.models import AuditEntry
from jaring.perisai.models import Statement
from jaring.perisai.services import statements_compute
from jaring.rules.months import Month

from .test_statements import sign_up_and_pay

MARCH = Month.of(2025, 3)


@pytest.fixture
def statements(perisai, register):
    sign_up_and_pay(perisai, register, 55)
    sign_up_and_pay(perisai, register, 2, agent=perisai.prs_other)
    statements_compute(month=MARCH)
    return perisai


def detail(code):
    return reverse("perisai:statement-detail", kwargs={"code": code, "month": "2025-03"})


def approve(code):
    return reverse("perisai:statement-approve", kwargs={"code": code, "month": "2025-03"})


def test_branch_staff_see_their_agents_statements_and_approve_them(client, staff, statements):
    client.force_login(staff("branch_staff", office=statements.karawang_branch))
    page = client.get(reverse("perisai:statement-list"), {"month": "2025-03"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "PRS-1" in body and "PRS-2" not in body
    assert client.get(detail("PRS-1")).status_code == 200
    assert client.post(approve("PRS-1")).status_code == 302
    statement = Statement.objects.get(agent=statements.prs_agent, month=MARCH)
    assert statement.state == "approved" and statement.approved_by is not None
    assert AuditEntry.objects.filter(action="update", object_type="perisai.statement").exists()


def test_staff_of_another_branch_get_404_and_cannot_approve(client, staff, statements):
    client.force_login(staff("branch_staff", office=statements.balikpapan))
    assert client.get(detail("PRS-1")).status_code == 404
    assert client.post(approve("PRS-1")).status_code == 404
    assert Statement.objects.get(agent=statements.prs_agent, month=MARCH).state == "draft"


def test_regional_staff_see_but_do_not_approve(client, staff, statements):
    client.force_login(staff("regional_staff", office=statements.kalimantan))
    assert client.get(detail("PRS-2")).status_code == 200
    assert client.get(detail("PRS-1")).status_code == 404
    assert client.post(approve("PRS-2")).status_code == 404
    assert Statement.objects.get(agent=statements.prs_other, month=MARCH).state == "draft"


def test_an_agent_sees_only_their_own_statements(client, staff, statements):
    client.force_login(staff("agent", agent=statements.prs_agent))
    body = client.get(reverse("perisai:statement-list")).content.decode()
    assert "PRS-1" in body and "PRS-2" not in body
    assert client.get(detail("PRS-1")).status_code == 200
    assert client.get(detail("PRS-2")).status_code == 404
    assert client.post(approve("PRS-1")).status_code == 404


def test_the_export_holds_the_rows_of_the_page(client, staff, statements):
    client.force_login(staff("admin"))
    response = client.get(reverse("perisai:statement-list"), {"month": "2025-03", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["PRS-1", "PRS-2"]
    assert rows[1][-1] == "569300"


def test_the_statement_files_download(client, staff, statements):
    client.force_login(staff("branch_staff", office=statements.karawang_branch))
    for fmt, start in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        url = reverse("perisai:statement-export", kwargs={"code": "PRS-1", "month": "2025-03", "fmt": fmt})
        assert client.get(url).content.startswith(start)


def test_branch_staff_pay_their_approved_statements_into_a_payout_file(client, staff, statements):
    client.force_login(staff("branch_staff", office=statements.karawang_branch))
    client.post(approve("PRS-1"))
    response = client.post(reverse("perisai:payout-file"), {"month": "2025-03"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["agent_code"], row["amount"]) for row in rows] == [("PRS-1", "569300")]
    assert Statement.objects.get(agent=statements.prs_agent, month=MARCH).state == "paid"
    assert Statement.objects.get(agent=statements.prs_other, month=MARCH).state == "draft"


def test_a_month_not_computed_yet_says_so_instead_of_answering_404(client, staff, statements):
    client.force_login(staff("branch_staff", office=statements.karawang_branch))
    april = reverse("perisai:statement-detail", kwargs={"code": "PRS-1", "month": "2025-04"})
    page = client.get(april)
    assert page.status_code == 200
    assert 'data-testid="statement-pending"' in page.content.decode()
    assert "April 2025" in page.content.decode()
    client.force_login(staff("branch_staff", office=statements.balikpapan))
    assert client.get(april).status_code == 404  # the scope comes first


def test_only_a_perisai_agents_page_links_a_statement_and_the_link_answers(client, staff, statements):
    client.force_login(staff("branch_staff", office=statements.karawang_branch))
    perisai_page = client.get(reverse("perisai:agent", args=["PRS-1"])).content.decode()
    link = re.search(r'<a class="button light" href="([^"]+)" data-testid="statement"', perisai_page)[1]
    assert client.get(link).status_code == 200
    pos_page = client.get(reverse("perisai:agent", args=[statements.agent.code]))
    assert pos_page.status_code == 200 and 'data-testid="statement"' not in pos_page.content.decode()


def test_statement_lines_name_each_participant_on_the_page_and_in_the_workbook(client, staff, statements):
    from openpyxl import load_workbook

    from jaring.members.models import Participant

    client.force_login(staff("branch_staff", office=statements.karawang_branch))
    lines = client.get(detail("PRS-1")).context["lines"]
    named = [(line.participant_id, name) for line, _number, name in lines if line.participant_id]
    assert named
    names = dict(Participant.objects.filter(pk__in=[pk for pk, _ in named]).values_list("pk", "name"))
    assert all(name == names[pk] for pk, name in named)
    url = reverse("perisai:statement-export", kwargs={"code": "PRS-1", "month": "2025-03", "fmt": "xlsx"})
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    cells = {cell.value for row in sheet.iter_rows() for cell in row}
    assert set(names.values()) <= cells
