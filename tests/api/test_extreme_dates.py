"""A day outside the years jaring counts in (``common.clock``: 1900 to 2200) is a 422 problem on the API,
never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_the_statement_of_a_day_outside_the_years_is_a_422_problem(api, day):
    response = api.get(f"statements/{day}", language="en")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"] == {"day": ["Enter a date from the year 1900 to 2200."]}


def test_the_statement_of_the_first_day_counted_opens(api):
    assert api.get("statements/1900-01-01").status_code == 200


def test_a_birth_date_outside_the_years_is_refused_by_the_schema(api):
    from tests.api.conftest import registration

    response = api.post("participants", {**registration(), "birth_date": "0001-01-01"}, language="en")
    assert response.status_code == 422
