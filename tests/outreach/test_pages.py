"""The outreach pages with the test client: each page answers its roles, keeps to the user's scope (a
branch user never sees another branch's MoU, site or document), writes through the services with the
errors on the fields in Indonesian, and exports the same rows as CSV and XLSX. Documents are kept under
MEDIA_ROOT, checked by type and size, and served only after the scope check."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from tests.conftest import PASSWORD
from tests.outreach.conftest import a_site, an_mou

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.documents import DOCUMENT_MAX_BYTES
from jaring.outreach.models import Commitment, Mou, MouDocument, Site
from jaring.outreach.services import commitment_add, document_attach

MOUS_URL = "/outreach/"
MOU_URL = "/outreach/mou/"
SITES_URL = "/outreach/sites/"
SITE_URL = "/outreach/site/"
DOC_URL = "/outreach/document/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def signed_in(client, staff):
    def _signed_in(role, **scope):
        user = staff(role, **scope)
        client.login(username=user.username, password=PASSWORD)
        return client

    return _signed_in


@pytest.fixture
def two_branches(markets):
    """An MoU and a government-run market in Balikpapan (in force), an MoU of Karawang."""
    today = local_date()
    w = markets
    w.bpn_mou = an_mou(w, signed_on=today - timedelta(days=10), valid_from=today - timedelta(days=10),
                       valid_to=today + timedelta(days=40))  # fmt: skip
    w.krw_mou = an_mou(
        w, number="MOU/KRW/2026", title="Pekerja desa Karawang", region_code="32.15", office=w.karawang_branch
    )
    w.bpn_site = a_site(w, mou=w.bpn_mou.number)
    w.krw_site = a_site(
        w, code="PSR-JHR", name="Pasar Johar Karawang", village_code=w.krw_village, outlet=None
    )
    w.bpn_doc = document_attach(mou=w.bpn_mou, title="Naskah MoU", content=PDF, actor=Actor.cli())
    w.krw_doc = document_attach(mou=w.krw_mou, title="Naskah MoU Karawang", content=PNG, actor=Actor.cli())
    return w


def test_a_document_is_kept_outside_the_database_under_media_root(two_branches, media):
    doc = two_branches.bpn_doc
    assert (doc.content_type, doc.size) == ("application/pdf", len(PDF))
    assert (media / doc.path).read_bytes() == PDF
    assert doc.path.startswith("outreach/")


def test_a_document_of_another_type_or_too_large_is_refused_and_nothing_is_kept(markets, media):
    from django.core.exceptions import ValidationError

    mou = an_mou(markets)
    for content, code in (
        (b"MZ\x90\x00 an exe", "type"),
        (b"%PDF-" + b"0" * DOCUMENT_MAX_BYTES, "too_large"),
        (b"", "required"),
        (io.BytesIO(b"%PDF-" + b"0" * DOCUMENT_MAX_BYTES), "too_large"),  # an upload: read to the limit only
    ):
        with pytest.raises(ValidationError) as error:
            document_attach(mou=mou, title="Naskah", content=content, actor=Actor.cli())
        assert error.value.error_dict["file"][0].code == code
    assert not MouDocument.objects.exists()
    assert not (media / "outreach").exists() or not any((media / "outreach").rglob("*.*"))


def test_head_office_sees_every_mou_and_a_branch_only_its_own(two_branches, signed_in, client):
    signed_in("head_office_analyst")
    body = client.get(MOUS_URL).content.decode()
    assert "MOU/001/KC-BPN/2026" in body and "MOU/KRW/2026" in body
    client.logout()
    signed_in("branch_staff", office=two_branches.balikpapan)
    page = client.get(MOUS_URL)
    body = page.content.decode()
    assert page.status_code == 200 and "MOU/001/KC-BPN/2026" in body and "MOU/KRW/2026" not in body
    assert 'data-testid="expiring"' in body  # ends in 40 days: within the 90-day look-ahead


def test_a_branch_user_cannot_open_another_branchs_mou_site_or_document(two_branches, signed_in, client):
    w = two_branches
    signed_in("branch_staff", office=w.balikpapan)
    assert client.get(MOU_URL, {"number": w.bpn_mou.number}).status_code == 200
    assert client.get(MOU_URL, {"number": w.krw_mou.number}).status_code == 404
    assert (
        client.post(
            MOU_URL + f"?number={w.krw_mou.number}",
            {"action": "commitment", "c-kind": "markets", "c-target": "2"},
        ).status_code
        == 404
    )
    assert client.get(SITE_URL, {"code": "PSR-KLD"}).status_code == 200
    assert client.get(SITE_URL, {"code": "PSR-JHR"}).status_code == 404
    assert client.get(DOC_URL, {"id": w.krw_doc.pk}).status_code == 404
    assert client.get(DOC_URL, {"id": "x"}).status_code == 404
    response = client.get(DOC_URL, {"id": w.bpn_doc.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    sites = client.get(SITES_URL).content.decode()
    assert "PSR-KLD" in sites and "PSR-JHR" not in sites and "KC-KRW" not in sites
    assert not Commitment.objects.exists()


def test_outlet_tellers_and_agents_have_no_outreach_pages(two_branches, signed_in, client):
    signed_in("outlet_teller", outlet=two_branches.pos_balikpapan)
    for url in (
        MOUS_URL,
        SITES_URL,
        MOU_URL + "?number=" + two_branches.bpn_mou.number,
        DOC_URL + f"?id={two_branches.bpn_doc.pk}",
    ):
        assert client.get(url).status_code == 404


def test_the_sites_page_shows_the_market_target_1_of_2(two_branches, signed_in, client):
    signed_in("branch_staff", office=two_branches.balikpapan)
    with translation.override("en"):
        body = client.get(SITES_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="attainment-KC-BPN"' in body
    cell = body.split('data-testid="attainment-KC-BPN">')[1].split("</td>")[0]
    assert cell.strip() in ("1 of 2", "1 dari 2")


def test_the_market_target_exports_as_csv(two_branches, signed_in, client):
    signed_in("head_office_analyst")
    response = client.get(SITES_URL, {"format": "csv", "table": "target"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    bpn = [row for row in rows if row and row[0] == "KC-BPN"]
    assert bpn and bpn[0][2:4] == ["1", "2"]


def test_the_lists_export_as_csv_and_xlsx_with_the_rows_of_the_scope(two_branches, signed_in, client):
    signed_in("branch_staff", office=two_branches.balikpapan)
    mous = client.get(MOUS_URL, {"format": "csv"}).content.decode("utf-8-sig")
    assert "MOU/001/KC-BPN/2026" in mous and "MOU/KRW/2026" not in mous
    sites = client.get(SITES_URL, {"format": "csv"}).content.decode("utf-8-sig")
    assert "PSR-KLD" in sites and "PSR-JHR" not in sites
    xlsx = client.get(SITES_URL, {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    commitments = client.get(MOU_URL, {"number": two_branches.bpn_mou.number, "format": "xlsx"})
    assert commitments.status_code == 200
    daily = client.get(SITE_URL, {"code": "PSR-KLD", "format": "csv"})
    assert daily.status_code == 200


def test_branch_staff_register_an_mou_on_the_page_and_bad_input_is_told_per_field(markets, signed_in, client):
    signed_in("branch_staff", office=markets.balikpapan)
    bad = client.post(MOUS_URL, {
        "number": "MOU/X", "title": "Uji", "party": "regency", "region": "99.99", "office": "KC-BPN",
        "signed_on": "2026-01-01", "valid_from": "2026-02-01", "valid_to": "2026-01-31",
    })  # fmt: skip
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'data-testid="error-region"' in body and 'data-testid="error-valid_to"' in body
    assert "99.99 tidak ada" in body  # the region's error, in Indonesian
    assert not Mou.objects.exists()
    good = client.post(MOUS_URL, {
        "number": "MOU/X", "title": "Uji", "party": "regency", "region": "64.71", "office": "KC-BPN",
        "signed_on": "2026-01-01", "valid_from": "2026-02-01", "valid_to": "2027-01-31",
    })  # fmt: skip
    assert good.status_code == 302
    mou = Mou.objects.get()
    assert mou.created_by is not None
    # a commitment with a negative count, then a good one, then a document on the MoU's page
    url = f"{MOU_URL}?number={mou.number}"
    negative = client.post(url, {"action": "commitment", "c-kind": "cover_workers", "c-target": "-5"})
    assert negative.status_code == 400 and 'data-testid="error-target"' in negative.content.decode()
    assert (
        client.post(url, {"action": "commitment", "c-kind": "cover_workers", "c-target": "1200"}).status_code
        == 302
    )
    upload = SimpleUploadedFile("mou.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"action": "document", "d-title": "Naskah", "d-file": upload}).status_code == 302
    fake = SimpleUploadedFile("mou.pdf", b"not a pdf", content_type="application/pdf")
    refused = client.post(url, {"action": "document", "d-title": "Palsu", "d-file": fake})
    assert refused.status_code == 400 and 'data-testid="error-file"' in refused.content.decode()
    assert MouDocument.objects.count() == 1 and Commitment.objects.get().target == 1200


def test_a_site_is_registered_on_the_page_only_in_the_users_area(markets, signed_in, client):
    signed_in("branch_staff", office=markets.balikpapan)
    outside = client.post(
        SITES_URL, {"code": "PSR-X", "name": "Pasar X", "kind": "market_gov", "village": markets.krw_village}
    )
    assert outside.status_code == 400 and 'data-testid="error-village"' in outside.content.decode()
    inside = client.post(SITES_URL, {
        "code": "PSR-Y", "name": "Pasar Y", "kind": "market_gov", "village": markets.bpn_village,
        "outlet": "PSR-KLD", "traders": "250", "traders_counted_on": "2026-02-01",
    })  # fmt: skip
    assert inside.status_code == 302
    site = Site.objects.get()
    assert (site.office, site.traders) == (markets.balikpapan, 250)
    page = client.get(SITE_URL, {"code": "PSR-Y"})
    assert page.status_code == 200 and 'data-testid="traders"' in page.content.decode()
    counted = client.post(SITE_URL + "?code=PSR-Y", {"traders": "300", "traders_counted_on": "2026-03-01"})
    assert counted.status_code == 302
    site.refresh_from_db()
    assert site.traders == 300


def test_analysts_read_but_do_not_write(two_branches, signed_in, client):
    signed_in("head_office_analyst")
    page = client.get(MOUS_URL).content.decode()
    assert 'data-testid="mou-form"' not in page
    assert client.post(MOUS_URL, {"number": "Y"}).status_code == 404
    assert client.get(MOU_URL, {"number": two_branches.krw_mou.number}).status_code == 200


def test_the_mou_page_shows_the_forecast_arithmetic(markets, signed_in, client, register):
    from tests.conftest import jakarta

    from jaring.contributions.models import GroupMembership, Payer, PayerGroup
    from jaring.outreach.services import budget_line_add
    from jaring.rules.months import Month

    payer = Payer.objects.create(code="DKI-APBD", name="Pemprov DKI", kind="APBD")
    group = PayerGroup.objects.create(payer=payer, code="PPSU", name="PPSU")
    person = register(registered_at=jakarta(2026, 1, 5))
    GroupMembership.objects.create(group=group, participant=person, first_month=Month.of(2026, 1))
    mou = an_mou(markets, number="MOU/DKI", party="province", region_code="31", payer_groups=["PPSU"])
    cover = commitment_add(mou=mou, kind="cover_workers", target=100, actor=Actor.cli())
    year = local_date().year
    budget_line_add(commitment=cover, payer=payer, year=year, ceiling=1_000_000, actor=Actor.cli())
    signed_in("admin")
    body = client.get(MOU_URL, {"number": "MOU/DKI"}).content.decode()
    assert 'data-testid="forecast-arithmetic"' in body
    assert "Rp201.600" in body  # 1 member x 12 months x Rp16.800


def test_a_branch_reads_its_kanwils_mou_but_does_not_change_it(markets, signed_in, client):
    governor = an_mou(
        markets, number="MOU/KALTIM", party="province", region_code="64", office=markets.kalimantan
    )
    signed_in("branch_staff", office=markets.balikpapan)
    page = client.get(MOU_URL, {"number": governor.number})
    assert page.status_code == 200 and 'data-testid="commitment-form"' not in page.content.decode()
    posted = client.post(
        f"{MOU_URL}?number={governor.number}", {"action": "commitment", "c-kind": "markets", "c-target": "2"}
    )
    assert posted.status_code == 404 and not Commitment.objects.exists()
    client.logout()
    signed_in("branch_staff", office=markets.karawang_branch)  # Kanwil Jawa Barat's branch
    assert client.get(MOU_URL, {"number": governor.number}).status_code == 404
    client.logout()
    signed_in("regional_staff", office=markets.kalimantan)
    page = client.get(MOU_URL, {"number": governor.number})
    assert 'data-testid="commitment-form"' in page.content.decode()
