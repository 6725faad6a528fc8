"""The Paritrana pages with the test client: the ranking nationally and per province, a region's page
with its arithmetic and sources, the weights; each keeps to the user's scope (a branch sees its
regencies and their province, 404 outside), exports the same rows as CSV and XLSX, and writes through
the services with the errors in Indonesian and nothing saved."""

import csv
import io
from decimal import Decimal

import pytest
from tests.conftest import PASSWORD

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.outreach.models import OutreachRule, PanelInterview
from jaring.outreach.paritrana_services import interview_set

RANKING_URL = "/outreach/paritrana/"
REGION_URL = "/outreach/paritrana/region/"
WEIGHTS_URL = "/outreach/paritrana/weights/"


@pytest.fixture
def signed_in(client, staff):
    def _signed_in(role, **scope):
        user = staff(role, **scope)
        client.login(username=user.username, password=PASSWORD)
        return client

    return _signed_in


def test_the_national_ranking_lists_every_province_with_its_score(world, signed_in):
    interview_set(region_code="64", year=local_date().year, score="90", actor=Actor.cli())
    page = signed_in("head_office_analyst").get(RANKING_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="rank-64"' in html and 'data-testid="rank-31"' in html
    assert page.context["scores"][0]["score"].region.code == "64"
    assert "paritrana-default" in html  # the weights named with their source
    assert 'href="/outreach/paritrana/"' in html  # linked from the nav


def test_a_branch_sees_its_regencies_and_their_province_and_nothing_else(world, signed_in):
    client = signed_in("branch_staff", office=world.balikpapan)
    page = client.get(RANKING_URL)
    assert [row["score"].region.code for row in page.context["scores"]] == ["64"]
    assert client.get(RANKING_URL, {"province": "64"}).context["scores"][0]["score"].region.code == "64.71"
    assert client.get(REGION_URL, {"code": "64.71"}).status_code == 200
    assert client.get(REGION_URL, {"code": "64"}).status_code == 200
    assert client.get(REGION_URL, {"code": "32.15"}).status_code == 404
    assert client.get(REGION_URL, {"code": "32"}).status_code == 404
    assert client.get(RANKING_URL, {"province": "32"}).status_code == 404
    assert client.get(REGION_URL, {"code": "64.71", "year": "2099"}).status_code == 404


def test_a_regions_page_shows_the_arithmetic_and_where_each_figure_came_from(world, signed_in):
    year = local_date().year
    interview_set(region_code="64.71", year=year, score="80", actor=Actor.cli())
    page = signed_in("regional_staff", office=world.kalimantan).get(REGION_URL, {"code": "64.71"})
    html = page.content.decode()
    result = page.context["result"]
    assert result.total == sum(line.contribution for line in result.score.lines)
    assert 'data-testid="contribution-interview">16,00<' in html
    assert f'data-testid="total"><strong>{str(result.total).replace(".", ",")}</strong>' in html
    assert 'data-testid="source-informal_workforce"' in html and 'data-testid="source-area"' in html
    assert "Wawancara panel" in html  # Indonesian by default


def test_an_interview_entered_on_the_page_changes_the_score(world, signed_in):
    client = signed_in("branch_staff", office=world.balikpapan)
    before = client.get(REGION_URL, {"code": "64.71"}).context["result"].total
    response = client.post(f"{REGION_URL}?code=64.71", {"score": "50"})
    assert response.status_code == 302
    after = client.get(REGION_URL, {"code": "64.71"}).context["result"].total
    assert after - before == Decimal("10.00")  # 50 marks x 20 %


def test_an_interview_outside_0_100_is_told_on_its_field_in_indonesian(world, signed_in):
    client = signed_in("branch_staff", office=world.balikpapan)
    response = client.post(f"{REGION_URL}?code=64.71", {"score": "120"})
    assert response.status_code == 400
    assert response.context["form"].errors["score"] == ["Nilai wawancara antara 0 dan 100."]
    assert not PanelInterview.objects.exists()
    assert client.post(f"{REGION_URL}?code=32.15", {"score": "50"}).status_code == 404


def test_an_analyst_reads_but_does_not_enter_interviews_or_weights(world, signed_in):
    client = signed_in("head_office_analyst")
    assert client.get(REGION_URL, {"code": "64.71"}).context["form"] is None
    assert client.post(f"{REGION_URL}?code=64.71", {"score": "50"}).status_code == 404
    assert client.get(WEIGHTS_URL).context["form"] is None
    assert client.post(WEIGHTS_URL, {"valid_from": "2027-01"}).status_code == 404


def test_an_administrator_sets_weights_on_the_page_and_a_bad_set_is_refused(world, signed_in):
    client = signed_in("admin")
    page = client.get(WEIGHTS_URL)
    assert "jaring default, no official weights found" in page.content.decode()
    month = str(local_date())[:7]
    good = {"valid_from": month, "regulation": "10", "budget": "10", "wage_earners": "15", "informal": "20",
            "employers": "10", "growth": "15", "interview": "20"}  # fmt: skip
    rules = OutreachRule.objects.count()
    bad = client.post(WEIGHTS_URL, good | {"interview": "25"})
    assert bad.status_code == 400
    assert bad.context["form"].non_field_errors() == ["Jumlah bobot 105 %, bukan 100 %."]
    assert OutreachRule.objects.count() == rules
    assert client.post(WEIGHTS_URL, good | {"interview": "30", "informal": "10"}).status_code == 302
    assert client.get(WEIGHTS_URL).context["in_force"].weights["interview"] == Decimal(30)


def test_the_ranking_and_a_breakdown_export_the_same_rows(world, signed_in):
    client = signed_in("head_office_analyst")
    exported = client.get(RANKING_URL, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 38
    xlsx = client.get(RANKING_URL, {"format": "xlsx", "province": "64"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    breakdown = client.get(REGION_URL, {"code": "64.71", "format": "csv"})
    lines = list(csv.reader(io.StringIO(breakdown.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 7 + 1
    assert sum(Decimal(line[-1]) for line in lines[1:-1]) == Decimal(lines[-1][-1])


def test_without_weights_in_force_the_pages_say_so(world, signed_in):
    OutreachRule.objects.filter(kind="paritrana").delete()
    client = signed_in("head_office_analyst")
    region = client.get(REGION_URL, {"code": "64.71"})
    assert region.status_code == 200 and 'data-testid="no-weights"' in region.content.decode()
    assert 'data-testid="no-weights"' in client.get(RANKING_URL).content.decode()
    assert client.get(REGION_URL, {"code": "64.71", "format": "csv"}).status_code == 404
