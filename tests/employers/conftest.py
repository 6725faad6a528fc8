"""Fixtures for the employer registry: the API client of tests/api and a village of the world."""

import pytest
from tests.api.conftest import Api, api, issue  # noqa: F401 (fixtures)

BALIKPAPAN_VILLAGE = "64.71.05.1002"  # Balikpapan, served by KC Balikpapan in the world
KARAWANG_VILLAGE = "32.15.01.1001"


@pytest.fixture
def employers_api(issue):  # noqa: F811
    """The API with a key of Pos Karawang allowed to register employers."""
    return Api(issue(scopes="employers"))
