"""Every date and month a page or the API is asked for lies in the years jaring counts in
(``common.clock``: 1900 to 2200): year 1 or 9999 is answered 400 on a page, with the reason in the page's
language, and 422 on the API, never 500."""

import pytest
from django.urls import reverse

from jaring.monitoring.services import contest_define

pytestmark = pytest.mark.django_db

DAYS = ("0001-01-01", "9999-12-31")
MONTHS = ("0001-01", "9999-12")


@pytest.fixture
def users(network, staff):
    contest_define(
        spec={"code": "c", "name": "C", "outlets": {"partner": "pos"},
              "periods": [{"code": "P1", "start": "2024-01-01", "end": "2024-03-31", "prizes": [100]}]}
    )  # fmt: skip
    return {
        "analyst": staff("head_office_analyst"),
        "branch_staff": staff("branch_staff", office=network.karawang_branch),
        "agent": staff("agent", agent=network.agent),
    }


def answers(client, user, url) -> int:
    client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("analyst", "/agents/"),
        ("analyst", "/agents/ranking/"),
        ("analyst", "/agents/signals/"),
        ("branch_staff", "/agents/AG-1/"),
        ("agent", "/agents/AG-1/"),
        ("branch_staff", "/agents/AG-1/participants/"),
        ("analyst", "/dashboards/contests/c/"),
        ("analyst", "/dashboards/contests/c/board/"),
    ],
)
def test_a_day_outside_the_years_jaring_counts_in_is_answered_400(client, users, role, page, day):
    assert answers(client, users[role], f"{page}?as_of={day}") == 400


@pytest.mark.parametrize("month", MONTHS)
@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("analyst", "/dashboards/"),
        ("analyst", "/dashboards/office/KC-KRW/"),
        ("branch_staff", "/dashboards/outlet/POS-KRW/"),
        ("branch_staff", "/dashboards/agent/AG-1/"),
        ("analyst", "/agents/statements/"),
        ("branch_staff", "/agents/statements/"),
    ],
)
def test_a_month_outside_the_years_jaring_counts_in_is_answered_400(client, users, role, page, month):
    assert answers(client, users[role], f"{page}?month={month}") == 400


@pytest.mark.parametrize("month", MONTHS)
def test_a_statement_or_bill_of_a_month_outside_the_years_is_answered_4xx(client, users, network, month):
    assert answers(client, users["branch_staff"], f"/agents/statements/AG-1/{month}/") in {400, 404}
    assert answers(client, users["analyst"], f"/payers/DKI/bills/{month}/") in {400, 404}


def test_the_400_page_says_why_in_the_page_language(client, users):
    client.force_login(users["analyst"])
    indonesian = client.get("/dashboards/?month=0001-01")
    assert indonesian.status_code == 400
    assert "1900" in indonesian.content.decode()
    assert 'data-testid="bad-request-reason"' in indonesian.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get("/agents/?as_of=9999-12-31").content.decode()
    assert "outside the years jaring counts in" in english


def test_the_edges_of_the_years_still_open(client, users):
    client.force_login(users["analyst"])
    assert client.get("/dashboards/?month=1900-01").status_code == 200
    assert client.get("/agents/?as_of=2200-12-31").status_code == 200
