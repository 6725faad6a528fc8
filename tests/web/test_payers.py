"""The payers pages: a payer's groups and bills, staff's payers of their scope, exports equal to the page,
masking, and a 404 for anything outside the scope."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import pdf_text

from jaring.accounts.models import AuditEntry
from jaring.common.privacy import mask_nik


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def as_text(rows) -> list[list[str]]:
    return [["" if cell is None else str(cell) for cell in row] for row in rows]


@pytest.fixture
def payer_client(client, network, staff):
    client.force_login(staff("payer", payer=network.payer))
    return client


def test_a_payer_is_taken_to_its_own_page(payer_client):
    response = payer_client.get(reverse("web:payers"))
    assert response.status_code == 302 and response["Location"] == reverse("web:payer", args=["DKI"])


def test_a_payer_sees_its_groups_members_masked_and_bills(payer_client, network):
    response = payer_client.get(reverse("web:payer", args=["DKI"]))
    body = response.content.decode()
    assert "PPSU" in body and network.at_bank.name in body
    assert mask_nik(network.at_bank.nik) in body and network.at_bank.nik not in body
    assert [row[0] for row in response.context["bills"]] == ["2024-05"]
    assert not AuditEntry.objects.filter(action="view_personal_data").exists()  # nothing personal shown


def test_a_payer_does_not_see_another_payer_or_its_bill(payer_client):
    assert payer_client.get(reverse("web:payer", args=["EMP"])).status_code == 404
    assert payer_client.get(reverse("web:bill", args=["EMP", "2024-05"])).status_code == 404
    assert payer_client.get(reverse("web:payer", args=["NOPE"])).status_code == 404


def test_a_bill_shows_its_lines_and_exports_the_same_rows(payer_client, network):
    url = reverse("web:bill", args=["DKI", "2024-05"])
    response = payer_client.get(url)
    rows = response.context["rows"]
    assert len(rows) == network.bill.lines.count() == 1
    number, _name, nik, amount = rows[0]
    assert number == network.at_bank.number and nik == mask_nik(network.at_bank.nik)
    assert amount == network.bill.amount
    exported = csv_rows(payer_client.get(url, {"format": "csv"}))
    assert exported[1:] == as_text(rows)
    book = load_workbook(io.BytesIO(payer_client.get(url, {"format": "xlsx"}).content))
    assert as_text(list(book.active.iter_rows(values_only=True))[1:]) == as_text(rows)


def test_a_month_that_is_not_a_month_is_a_404(payer_client):
    assert payer_client.get(reverse("web:bill", args=["DKI", "2024-13"])).status_code == 404
    assert payer_client.get(reverse("web:bill", args=["DKI", "2023-01"])).status_code == 404  # no bill


def test_the_member_and_bill_exports_hold_the_page_rows(payer_client):
    url = reverse("web:payer", args=["DKI"])
    page = payer_client.get(url).context
    members = csv_rows(payer_client.get(url, {"table": "members", "format": "csv"}))
    assert members[1:] == as_text(page["members"].object_list)
    bills = csv_rows(payer_client.get(url, {"table": "bills", "format": "csv"}))
    assert bills[1:] == as_text(page["bills"])
    assert not AuditEntry.objects.filter(action="export").exists()  # masked: no personal data left


def test_branch_staff_see_the_payers_of_their_scope(client, network, staff):
    client.force_login(staff("branch_staff", office=network.karawang_branch))
    response = client.get(reverse("web:payers"))
    assert [row[0] for row in response.context["rows"]] == ["DKI", "EMP"]
    exported = csv_rows(client.get(reverse("web:payers"), {"format": "csv"}))
    assert exported[1:] == as_text(response.context["rows"])


def test_another_branch_gets_a_404_for_a_payer_outside_its_scope(client, network, staff):
    client.force_login(staff("branch_staff", office=network.balikpapan))
    assert client.get(reverse("web:payers")).context["rows"] == []
    assert client.get(reverse("web:payer", args=["DKI"])).status_code == 404
    assert client.get(reverse("web:bill", args=["DKI", "2024-05"])).status_code == 404


def test_branch_staff_see_members_masked_too_and_their_export_is_audited(client, network, staff):
    client.force_login(staff("branch_staff", office=network.karawang_branch, username="kc-krw"))
    body = client.get(reverse("web:payer", args=["DKI"])).content.decode()
    bill = client.get(reverse("web:bill", args=["DKI", "2024-05"])).content.decode()
    for page in (body, bill):  # a list masks, whoever reads it; the desk's participant page shows the rest
        assert mask_nik(network.at_bank.nik) in page and network.at_bank.nik not in page
    assert not AuditEntry.objects.filter(action="view_personal_data").exists()
    client.get(reverse("web:bill", args=["DKI", "2024-05"]), {"format": "csv"})
    (export,) = AuditEntry.objects.filter(action="export", username="kc-krw")
    assert "1 rows" in export.summary


def test_payers_pages_are_for_signed_in_users(client, network):
    response = client.get(reverse("web:payer", args=["DKI"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_payer_finds_a_member_by_name_number_or_nik_and_exports_what_it_found(payer_client, network):
    member = network.at_bank
    url = reverse("web:payer", args=["DKI"])
    everyone = payer_client.get(url).context["members"].paginator.count
    assert everyone >= 1
    for text in (member.name[2:8].upper(), member.number, member.nik):
        found = payer_client.get(url, {"q": text}).context["members"]
        assert [row[1] for row in found] == [member.number], text
    assert payer_client.get(url, {"q": "nobody by this name"}).context["members"].paginator.count == 0
    exported = csv_rows(payer_client.get(url, {"q": member.number, "table": "members", "format": "csv"}))
    assert [row[1] for row in exported[1:]] == [member.number]


def test_a_bill_prints_as_an_invoice_with_its_lines_and_how_to_pay(payer_client, network):
    page = payer_client.get(reverse("web:bill", args=["DKI", "2024-05"]))
    assert 'data-testid="invoice-pdf"' in page.content.decode()
    assert page.context["reference"] == "TAG-DKI-2024-05"
    response = payer_client.get(reverse("web:bill_pdf", args=["DKI", "2024-05"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="tagihan-DKI-2024-05.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Tagihan iuran untuk Mei 2024" in text
    assert "TAG-DKI-2024-05" in text and "Pemprov DKI" in text
    assert network.at_bank.number in text and mask_nik(network.at_bank.nik) in text
    assert network.at_bank.nik not in text  # masked, as every list
    amount = f"Rp{network.bill.amount:,}".replace(",", ".")
    assert f"Transfer {amount}" in text and "Total" in text
    assert b"/FontFile2" in response.content  # its font travels with it
    from jaring.contributions.services import bill_pay

    bill_pay(bill=network.bill, history_allowed=True)
    paid = pdf_text(payer_client.get(reverse("web:bill_pdf", args=["DKI", "2024-05"])).content)
    assert "Dibayar pada" in paid and "Transfer" not in paid


def test_a_long_bill_runs_over_numbered_pages(network):
    from pypdf import PdfReader

    from jaring.web.invoice import invoice_pdf_bytes

    rows = [(f"P{n:08d}", f"Peserta {n}", "3215••••••••0001", 16_800) for n in range(120)]
    body = invoice_pdf_bytes(network.bill, rows)
    pages = PdfReader(io.BytesIO(body)).pages
    assert len(pages) >= 3
    assert "Peserta 119" in pages[-1].extract_text() and "Rp2.016.000" in pages[-1].extract_text()
    assert f"Halaman {len(pages)}" in pages[-1].extract_text()


def test_the_invoice_keeps_the_scope_and_audits_what_staff_take(client, network, staff):
    client.force_login(staff("payer", payer=network.other_payer))
    assert client.get(reverse("web:bill_pdf", args=["DKI", "2024-05"])).status_code == 404
    client.force_login(staff("admin"))
    assert client.get(reverse("web:bill_pdf", args=["DKI", "2024-05"])).status_code == 200
    entry = AuditEntry.objects.get(action="export")
    assert "TAG-DKI-2024-05: 1 rows (pdf)" in entry.summary


@pytest.mark.parametrize("typed", ["number", "nik", "spaced nik", "name part", "two letters", "other digits"])
def test_the_member_search_reads_what_is_typed_as_the_desk_search_does(client, network, staff, typed):
    from jaring.accounts.scope import scope_for
    from jaring.desk.access import participants_search

    member = network.at_bank
    text = {
        "number": member.number,
        "nik": member.nik,
        "spaced nik": f"{member.nik[:6]} {member.nik[6:12]} {member.nik[12:]}",
        "name part": member.name.split()[0][:4].lower(),
        "two letters": member.name[:2],
        "other digits": "12345",
    }[typed]
    admin = staff("admin")
    client.force_login(admin)
    page = client.get(reverse("web:payer", args=["DKI"]), {"q": text})
    listed = {row[1] for row in page.context["members"].object_list}
    desk = {p.number for p in participants_search(scope_for(admin), text)} & {member.number}
    assert listed == desk
    assert bool(listed) == (typed not in ("two letters", "other digits"))
