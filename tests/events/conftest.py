"""Events tests: a running fun run at Karawang, and the API and desk fixtures of those tests."""

from datetime import timedelta

import pytest
from tests.api.conftest import Api, issue  # noqa: F401 (fixtures used here)
from tests.desk.conftest import as_user, people, quick_passwords  # noqa: F401 (fixtures used here)

from jaring.common.clock import local_date
from jaring.events.services import campaign_save, event_save


@pytest.fixture
def api(issue):  # noqa: F811
    return Api(issue())


@pytest.fixture
def fun_run(world):
    """Fun Run Karawang, running yesterday to tomorrow, in a campaign of a month."""
    today = local_date()
    campaign_save(
        actor=None,
        code="FUNRUN",
        name="Fun Run",
        starts_on=today - timedelta(days=15),
        ends_on=today + timedelta(days=15),
    )
    return event_save(
        actor=None,
        code="FR-KRW",
        name="Fun Run Karawang",
        kind="fun_run",
        city_code="32.15",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        campaign_code="funrun",
        target_attendance=1000,
        cost=10_000_000,
    )
