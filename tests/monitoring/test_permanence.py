"""A branch's informal workers by how permanent their work is: potential per regency and class (the
regency's informal workers x the class's share in force), registered and active, and the unreached segments
ranked with their arithmetic; the shares are data staff replace, refused unless they add up to 1."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from tests.conftest import jakarta

from jaring.channels.models import Outlet
from jaring.contributions.services import payment_record
from jaring.monitoring.models import PermanenceShare
from jaring.monitoring.permanence import permanence_report
from jaring.monitoring.services import permanence_shares_set, potential_set
from jaring.regions.models import Region

AS_OF = date(2024, 6, 30)


@pytest.fixture
def karawang(world, register):
    """KC Karawang: 1,000 informal workers in Kabupaten Karawang (staff figure), three market traders
    (one paying) and an ojek driver registered."""
    potential_set(region=Region.objects.get(code="32.15"), workers=1000, effective_from=date(2024, 1, 1))
    traders = [
        register(occupation_code="PEDAGANG_PASAR", registered_at=jakarta(2024, 5, 2)) for _ in range(3)
    ]
    register(occupation_code="OJEK", registered_at=jakarta(2024, 5, 2))
    payment_record(
        history_allowed=True, participant=traders[0], months=3, amount=50_400, source="t",
        idempotency_key="p1", paid_at=jakarta(2024, 5, 2), outlet=world.pos_karawang,
    )  # fmt: skip
    from jaring.contributions.services import statuses_refresh

    statuses_refresh(today=AS_OF)
    return world.karawang_branch


def _lines(report):
    return [
        (s.regency, s.permanence, s.potential, s.registered, s.active, s.unreached) for s in report.segments
    ]


def test_the_unreached_segments_are_ranked_with_their_arithmetic(karawang):
    report = permanence_report(karawang, as_of=AS_OF)
    # The default shares (uncertain, replaceable): permanent 0.45, seasonal 0.30, mobile 0.25.
    assert _lines(report) == [
        ("32.15", "permanent", 450, 3, 1, 447),
        ("32.15", "seasonal", 300, 0, 0, 300),
        ("32.15", "mobile", 250, 1, 0, 249),
    ]
    assert report.segments[0].arithmetic() == (
        "1,000 informal workers (staff) x 0.4500 = 450 potential - 3 registered = 447 unreached"
    )
    assert report.segments[0].share.uncertain
    assert report.by_class()["permanent"] == (450, 3, 1)


def test_a_regencys_own_shares_win_over_the_default_and_reorder_the_list(karawang):
    permanence_shares_set(
        shares={"permanent": "0.2", "seasonal": "0.7", "mobile": "0.1"}, effective_from=date(2024, 1, 1),
        region_code="32.15", source="Disnaker Karawang",
    )  # fmt: skip
    report = permanence_report(karawang, as_of=AS_OF)
    assert [(s.permanence, s.unreached) for s in report.segments] == [
        ("seasonal", 700), ("permanent", 197), ("mobile", 99)
    ]  # fmt: skip
    assert not report.segments[0].share.uncertain and report.segments[0].share.regional


@pytest.mark.parametrize(
    "shares, region, field",
    [
        ({"permanent": "0.5", "seasonal": "0.3", "mobile": "0.3"}, "", "shares"),  # 1.1
        ({"permanent": "0.5", "seasonal": "0.5"}, "", "mobile"),
        ({"permanent": "-0.1", "seasonal": "0.6", "mobile": "0.5"}, "", "permanent"),
        ({"permanent": "0.5", "seasonal": "0.3", "mobile": "0.2"}, "99.99", "region"),
    ],
)
def test_shares_that_do_not_add_up_or_name_no_regency_are_refused_and_nothing_saved(
    world, shares, region, field
):
    before = PermanenceShare.objects.count()
    with pytest.raises(ValidationError) as refused:
        permanence_shares_set(shares=shares, effective_from=date(2024, 1, 1), region_code=region)
    assert field in refused.value.message_dict
    assert PermanenceShare.objects.count() == before


def test_the_cli_prints_the_report_as_json(karawang):
    out = StringIO()
    call_command("permanence", "report", "--office", "KC-KRW", "--as-of", "2024-06-30", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["segments"][0]["unreached"] == 447 and data["by_class"]["mobile"]["registered"] == 1
    assert Decimal(data["segments"][0]["share"]) == Decimal("0.45")


def test_the_page_shows_a_branch_its_segments_and_nobody_else_s(karawang, staff, client, settings):
    from django.urls import reverse

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(staff("branch_staff", office=karawang))
    page = client.get(reverse("dashboards:unreached"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="uncertain"' in body and "447" in body
    export = client.get(reverse("dashboards:unreached"), {"format": "csv"})
    assert "1,000 informal workers (staff) x 0.4500" in export.content.decode("utf-8-sig")
    assert client.get(reverse("dashboards:unreached"), {"office": "KC-BPN"}).status_code == 404
    client.force_login(staff("outlet_teller", outlet=Outlet.objects.get(code="POS-KRW")))
    assert client.get(reverse("dashboards:unreached")).status_code == 404
