"""An event's yield: new participants and those already registered, cost per new participant, and how many
were still covered 3, 6 and 12 months after registering, known once those months are over."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from tests.conftest import jakarta

from jaring.common.errors import DuplicateRegistration
from jaring.contributions.queries import ratebook
from jaring.contributions.services import payment_record
from jaring.events.models import Campaign, Event
from jaring.events.queries import campaign_report, event_yields
from jaring.events.services import campaign_save, event_save
from jaring.rules.months import Month
from jaring.rules.programmes import parse_programmes


@pytest.fixture
def held(world, register):
    """Fun Run Karawang, 10-12 January 2024, cost Rp10,000,000: three new participants (one paid a year,
    one three months, one nothing) and one worker already registered at the bank."""
    campaign_save(
        actor=None, code="RUN24", name="Fun Run 2024", starts_on=date(2024, 1, 1), ends_on=date(2024, 1, 31)
    )
    event = event_save(
        actor=None, code="RUN24-KRW", name="Fun Run Karawang", kind="fun_run", city_code="32.15",
        starts_on=date(2024, 1, 10), ends_on=date(2024, 1, 12), campaign_code="RUN24",
        target_attendance=1000, attendance=1250, cost=10_000_000,
    )  # fmt: skip
    at = jakarta(2024, 1, 11)
    year, quarter, _nothing = (register(registered_at=at, event_code="RUN24-KRW") for _ in range(3))
    earlier = register(outlet=world.bank_karawang, registered_at=jakarta(2023, 6, 1))
    with pytest.raises(DuplicateRegistration):  # refused as a duplicate, counted by the event all the same
        register(nik=earlier.nik, registered_at=at, event_code="RUN24-KRW")
    book = ratebook()
    for worker, months in ((year, 12), (quarter, 3)):
        price = book.price(
            Month.of(2024, 1), months, income=1_000_000, programmes=parse_programmes("JKK+JKM")
        )
        payment_record(
            history_allowed=True, participant=worker, months=months, amount=price.total, source="test",
            idempotency_key=f"pay-{worker.nik}", paid_at=at, outlet=world.pos_karawang,
        )  # fmt: skip
    return event


def test_the_yield_counts_new_and_already_registered_and_the_cost_of_each_new_one(held):
    (found,) = event_yields([held], as_of=date(2025, 6, 1))
    assert (found.new, found.already, found.signed_up) == (3, 1, 4)
    assert found.cost_per_new == 3_333_333  # 10,000,000 / 3, half up
    assert found.attendance_pct == 125
    # Registered in January 2024: covered in April (3), July (6), January 2025 (12)?
    assert [(s.months, s.count) for s in found.still_covered] == [(3, 1), (6, 1), (12, 0)]


def test_a_horizon_not_yet_over_is_not_counted(held):
    (found,) = event_yields([held], as_of=date(2024, 5, 15))
    assert [(s.months, s.count) for s in found.still_covered] == [(3, 1), (6, None), (12, None)]


def test_the_campaign_report_adds_up_its_events_and_the_cli_prints_it(held):
    report = campaign_report(Campaign.objects.get(code="RUN24"), as_of=date(2025, 6, 1))
    assert (report.new, report.already, report.cost, report.cost_per_new) == (3, 1, 10_000_000, 3_333_333)
    out = StringIO()
    call_command("event", "report", "run24", "--as-of", "2025-06-01", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["new"] == 3 and data["by_event"][0]["code"] == "RUN24-KRW"
    assert data["still_covered"] == {"3_months": 1, "6_months": 1, "12_months": 0}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ends_on": date(2024, 1, 9)}, "ends_on"),
        ({"city_code": "99.99"}, "city_code"),
        ({"cost": "-5"}, "cost"),
        ({"target_attendance": "banyak"}, "target_attendance"),
        ({"kind": "party"}, "kind"),
        ({"campaign_code": "NOPE"}, "campaign_code"),
        ({"starts_on": date(2023, 12, 30)}, "starts_on"),  # outside its campaign
        ({"code": "a b"}, "code"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, change, field):
    campaign_save(
        actor=None, code="RUN24", name="Fun Run 2024", starts_on=date(2024, 1, 1), ends_on=date(2024, 1, 31)
    )
    values = {
        "code": "RUN24-KRW", "name": "Fun Run Karawang", "kind": "fun_run", "city_code": "32.15",
        "starts_on": date(2024, 1, 10), "ends_on": date(2024, 1, 12), "campaign_code": "RUN24",
    }  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        event_save(actor=None, **{**values, **change})
    assert field in refused.value.message_dict
    assert not Event.objects.exists()


def test_a_campaign_ending_before_it_starts_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        campaign_save(actor=None, code="X", name="X", starts_on=date(2024, 2, 1), ends_on=date(2024, 1, 1))
    assert refused.value.message_dict.keys() == {"ends_on"} and not Campaign.objects.exists()
