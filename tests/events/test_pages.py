"""The events pages: staff see the events of their scope with their yield and export it; administrators
and branch staff add events and record attendance and cost, with per-field errors; others get 404."""

import csv
import io

from django.urls import reverse

from jaring.events.models import Event, EventSignup


def test_staff_see_the_campaign_with_its_yield_and_export_it(fun_run, people, as_user, register):
    for _ in range(2):
        register(event_code="FR-KRW")
    client = as_user(people.head_office_analyst)
    home = client.get(reverse("events:home"))
    assert home.status_code == 200 and 'data-testid="campaign-FUNRUN"' in home.content.decode()
    assert b"event-form" not in home.content  # analysts read, they do not add events
    page = client.get(reverse("events:campaign", args=["funrun"]))
    assert page.status_code == 200 and "campaign-data" in page.content.decode()
    export = client.get(reverse("events:campaign", args=["FUNRUN"]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[1][0] == "FR-KRW" and rows[1][5] == "2"
    assert rows[-1][5] == "2"  # the total
    assert client.get(reverse("events:event", args=["FR-KRW"])).status_code == 200


def test_another_branch_sees_nothing_of_the_event_and_tellers_have_no_events_page(fun_run, people, as_user):
    other = as_user(people.branch_balikpapan)
    assert other.get(reverse("events:event", args=["FR-KRW"])).status_code == 404
    assert other.get(reverse("events:campaign", args=["FUNRUN"])).status_code == 404
    assert b"FR-KRW" not in other.get(reverse("events:home")).content
    teller = as_user(people.outlet_teller)
    assert teller.get(reverse("events:home")).status_code == 404


def test_branch_staff_add_an_event_of_their_branch_and_bad_input_saves_nothing(world, people, as_user):
    client = as_user(people.branch_staff)
    bad = {"code": "EXPO-KRW", "name": "Expo Karawang", "kind": "expo", "city_code": "99.99",
           "starts_on": "2026-03-10", "ends_on": "2026-03-09", "cost": "-1"}  # fmt: skip
    response = client.post(reverse("events:home"), bad)
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("city_code", "ends_on", "cost"):
        assert f'data-testid="error-{field}"' in body
    assert not Event.objects.exists()
    good = {
        **bad,
        "city_code": "32.15",
        "ends_on": "2026-03-11",
        "cost": "25.000.000",
        "target_attendance": "500",
    }
    response = client.post(reverse("events:home"), good)
    assert response.status_code == 302
    event = Event.objects.get(code="EXPO-KRW")
    assert (event.office.code, event.cost, event.target_attendance) == ("KC-KRW", 25_000_000, 500)
    change = {**good, "attendance": "640"}
    assert client.post(reverse("events:event", args=["EXPO-KRW"]), change).status_code == 302
    event.refresh_from_db()
    assert event.attendance == 640


def test_a_national_reader_cannot_change_an_event(fun_run, people, as_user):
    client = as_user(people.auditor)
    response = client.post(reverse("events:event", args=["FR-KRW"]), {"attendance": "5"})
    assert response.status_code == 404
    fun_run.refresh_from_db()
    assert fun_run.attendance is None and not EventSignup.objects.exists()


def test_the_desk_offers_the_events_running_today(fun_run, people, as_user):
    page = as_user(people.outlet_teller).get(reverse("desk:register"))
    assert 'name="event_code"' in page.content.decode() and "FR-KRW" in page.content.decode()


def test_the_event_page_fills_its_date_pickers_with_the_events_days(fun_run, people, as_user):
    # The picker reads YYYY-MM-DD only; the Indonesian format (10-07-2026) would show an empty field.
    page = as_user(people.branch_staff).get(reverse("events:event", args=["FR-KRW"])).content.decode()
    assert f'type="date" name="starts_on" value="{fun_run.starts_on.isoformat()}"' in page
