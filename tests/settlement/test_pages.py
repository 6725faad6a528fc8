"""The Settlement page: finance staff see the open differences per channel and day, resolve them with a
reason and take the tables away; nobody else finds the page."""

from datetime import timedelta

import pytest
from tests.conftest import PASSWORD

from jaring.accounts.models import AuditEntry
from jaring.common.clock import local_date
from jaring.members.codes import participant_payment_code
from jaring.settlement.models import Difference
from jaring.settlement.services import channel_payment, settlement_import


@pytest.fixture
def settled(channel, register, tmp_path):
    """A file of the day before yesterday that leaves out one payment the channel reported."""
    from tests.settlement.test_settlement import at

    day = local_date() - timedelta(days=2)
    worker = register(registered_at=at(day - timedelta(days=3), 9), name="Rini Astuti")
    channel_payment(
        channel=channel, customer=participant_payment_code(worker), months=1, amount=16_800,
        reference="BNI-77", paid_at=at(day, 10),
    )  # fmt: skip
    path = tmp_path / "empty.csv"
    path.write_text("reference,payment_code,months,amount,paid_at\n")
    return settlement_import(channel=channel, path=path, business_date=day)


def signed_in(client, staff, role, language="id"):
    user = staff(role)
    client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = language
    return user


def test_finance_staff_see_the_open_difference_and_resolve_it(client, staff, settled):
    signed_in(client, staff, "finance")
    page = client.get("/settlement/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<title>Settlement · jaring</title>" in text
    assert "BNI-77" in text and "tercatat tetapi tidak ada di berkas" in text
    difference = Difference.objects.get()
    answer = client.post(
        "/settlement/resolve", {"difference": difference.pk, "resolution": "ada di berkas esok hari"}
    )
    assert answer.status_code == 302
    difference.refresh_from_db()
    assert difference.resolution == "ada di berkas esok hari" and difference.resolved_at is not None
    assert AuditEntry.objects.filter(summary__contains="resolved: ada di berkas esok hari").exists()
    assert "BNI-77" not in client.get("/settlement/").content.decode()


def test_a_resolution_without_a_reason_changes_nothing(client, staff, settled):
    signed_in(client, staff, "finance")
    difference = Difference.objects.get()
    client.post("/settlement/resolve", {"difference": difference.pk, "resolution": ""})
    difference.refresh_from_db()
    assert difference.resolved_at is None


def test_the_differences_are_exported(client, staff, settled):
    signed_in(client, staff, "finance")
    answer = client.get("/settlement/?format=csv")
    assert answer.status_code == 200
    rows = answer.content.decode("utf-8-sig").splitlines()
    assert "BNI-77" in rows[1] and "16800" in rows[1]
    files = client.get("/settlement/?table=files&format=csv").content.decode("utf-8-sig").splitlines()
    assert files[1].startswith("BNI-H2H")


@pytest.mark.parametrize("role", ["head_office_analyst", "auditor"])
def test_other_roles_do_not_find_the_page(client, staff, settled, role):
    signed_in(client, staff, role)
    assert client.get("/settlement/").status_code == 404
    difference = Difference.objects.get()
    assert (
        client.post("/settlement/resolve", {"difference": difference.pk, "resolution": "x"}).status_code
        == 404
    )
    difference.refresh_from_db()
    assert difference.resolved_at is None


def test_market_collectors_balances_are_shown_and_exported(client, staff, settled, world):
    from tests.settlement.test_settlement import at

    from jaring.channels.services import outlet_create, partner_create
    from jaring.common.clock import local_date
    from jaring.contributions.services import remittance_record

    market = partner_create(code="PSR", name="Pasar Kosambi", kind="market_collector")
    collector = outlet_create(code="PSR-KSB", name="Pasar Kosambi", partner=market, region_code="32.15.01")
    remittance_record(
        outlet=collector, amount=50_000, reference="SLIP-1", remitted_at=at(local_date(), 0, 5), actor=None
    )
    signed_in(client, staff, "finance")
    page = client.get("/settlement/")
    assert ("PSR-KSB Pasar Kosambi", 0, 0, 50_000, -50_000) in page.context["collectors"]
    exported = client.get("/settlement/?table=collectors&format=csv").content.decode("utf-8-sig")
    assert "PSR-KSB Pasar Kosambi,0,0,50000,-50000" in exported
