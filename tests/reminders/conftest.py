"""Workers at known standings on a known day, and the fake gateway."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import jakarta
from tests.reminders.fake_gateway import FakeGateway

# The demo world's day: 20 November 2026. The 15th was a Sunday, so November's contribution was due on
# Monday the 16th; the arrears reminder's window opened on the 17th.
DAY = date(2026, 11, 20)


@pytest.fixture
def worker(register):
    """``worker(paid_through="2026-09")``: a BPU worker registered on 3 August 2026 with a phone, who paid
    each month from August through ``paid_through`` (None: never paid)."""
    from jaring.contributions.services import payment_record
    from jaring.rules.months import Month

    counter = iter(range(1, 1000))

    def _worker(*, paid_through: str | None = None, phone: str = "0812-3456-7890", **fields):
        n = next(counter)
        participant = register(registered_at=jakarta(2026, 8, 3), phone=phone, **fields)
        if paid_through is not None:
            months = Month.parse(paid_through) - Month.of(2026, 8) + 1
            for i in range(months):
                payment_record(
                    participant=participant, months=1, amount=16_800, source="test",
                    idempotency_key=f"w{n}-{i}", paid_at=jakarta(2026, 8 + i, 5), history_allowed=True,
                )  # fmt: skip
        return participant

    return _worker


@pytest.fixture(autouse=True)
def holdout_share(request):
    """``holdout_share("0.5")`` sets the share of the workers held out from reminders; before that it is
    0 in these tests (the draw's key is made anew with each test database, so a worker a test expects to
    be reminded could otherwise be held out). Tests without the database leave the rules alone."""
    if "django_db" not in request.keywords and "db" not in request.fixturenames:
        yield None
        return
    from jaring.reminders.models import ReminderRule

    def _share(share: str) -> None:
        rule = ReminderRule.objects.get(kind="holdout")
        rule.data = {**rule.data, "share": share}
        rule.save()

    request.getfixturevalue("db")
    _share("0")
    yield _share


@pytest.fixture
def gateway():
    with FakeGateway() as fake:
        yield fake
