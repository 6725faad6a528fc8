"""Every page of the home, imports, payers and audit parts speaks Indonesian by default and English after
the language switch; money, dates and the labels of choices follow the language."""

from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from tests.conftest import jakarta

from jaring.contributions.services import bill_issue, payment_record
from jaring.imports.models import ImportJob
from jaring.rules.months import Month


def switch_to(client, language: str):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


def both_languages(client, url) -> tuple[str, str]:
    """The page as first seen (Indonesian, the default, unless the test switched before), then in English;
    the client is switched back to Indonesian afterwards."""
    indonesian = client.get(url)
    assert indonesian.status_code == 200, url
    switch_to(client, "en")
    english = client.get(url)
    switch_to(client, "id")
    return indonesian.content.decode(), english.content.decode()


@pytest.fixture
def teller(network, staff):
    return staff("outlet_teller", outlet=network.pos_karawang)


def test_the_home_page_of_a_visitor(client, network):
    indonesian, english = both_languages(client, reverse("web:home"))
    assert "Masuk" in indonesian and "Sign in" not in indonesian
    assert "Sign in" in english


def test_the_teller_home_shows_rupiah_in_the_language_of_the_page(client, network, teller):
    payment_record(
        participant=network.karawang, months=1, amount=16_800, source="test", idempotency_key="now",
        paid_at=timezone.now(), outlet=network.pos_karawang,
    )  # fmt: skip
    client.force_login(teller)
    indonesian, english = both_languages(client, reverse("web:home"))
    assert "Rp16.800" in indonesian and "Rp16,800" in english


def test_the_staff_home(client, network, staff):
    client.force_login(staff("branch_staff", office=network.karawang_branch))
    indonesian, english = both_languages(client, reverse("web:home"))
    assert "Peserta" in indonesian and "Participants" in english


@pytest.mark.parametrize("name", ["list", "detail"])
def test_the_imports_pages(client, network, teller, name):
    job = ImportJob.objects.create(
        kind="registrations", sha256="0" * 64, original_name="x.csv", path="/nowhere", created_by=teller
    )
    client.force_login(teller)
    url = reverse("imports:list") if name == "list" else reverse("imports:detail", args=[job.pk])
    indonesian, english = both_languages(client, url)
    if name == "list":
        assert "Impor terbaru" in indonesian and "Recent imports" in english
    else:
        assert "Diterima" in indonesian and "Accepted" in english


def test_the_payers_pages(client, network, staff):
    client.force_login(staff("branch_staff", office=network.karawang_branch))
    for url in (reverse("web:payers"), reverse("web:payer", args=["DKI"])):
        indonesian, english = both_languages(client, url)
        assert "Penanggung iuran" in indonesian and "Payers" in english


def test_the_bill_page_writes_dates_the_indonesian_way(client, network, staff):
    bill_issue(payer=network.payer, month=Month.of(2023, 10), issued_at=jakarta(2023, 10, 24))
    client.force_login(staff("payer", payer=network.payer))
    indonesian, english = both_languages(client, reverse("web:bill", args=["DKI", "2023-10"]))
    assert "24 Oktober 2023" in indonesian and "24 October 2023" in english
    assert "Oktober 2023" in indonesian  # the bill's month


def test_choice_labels_follow_the_language(client, network, staff):
    client.force_login(staff("payer", payer=network.payer))
    indonesian, english = both_languages(client, reverse("web:bill", args=["DKI", "2024-05"]))
    assert "terbit" in indonesian and "issued" in english  # Bill.Status.ISSUED
    indonesian, english = both_languages(client, reverse("web:payer", args=["DKI"]))
    assert "APBD (pemerintah daerah)" in indonesian and "APBD (local government)" in english


def test_a_status_label_in_both_languages():
    from jaring.members.models import Participant

    assert str(Participant.Status.ARREARS.label) == "menunggak"
    with translation.override("en"):
        assert str(Participant.Status.ARREARS.label) == "in arrears"


def test_the_audit_pages(client, network, staff):
    client.force_login(staff("auditor"))
    indonesian, english = both_languages(client, reverse("accounts:audit"))
    assert "Jejak audit" in indonesian and "Audit trail" in english


def test_the_page_filters_write_rupiah_and_dates_in_indonesian():
    template = Template("{% load jaring %}{{ amount|rupiah }} {{ day|tanggal }} {{ day|bulan }}")
    context = Context({"amount": 16_800, "day": date(2023, 10, 24)})
    assert template.render(context) == "Rp16.800 24 Oktober 2023 Oktober 2023"
    with translation.override("en"):
        assert template.render(context) == "Rp16,800 24 October 2023 October 2023"
