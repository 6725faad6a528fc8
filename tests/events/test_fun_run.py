"""The 2015 Fun Run scenario reproduces the seed's figures: 11 cities, over 16,000 runners, about 200 new
participants per city, each credited to its city's run; loading it again adds nothing."""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from jaring.demo.scenarios import scenario_load
from jaring.events.models import Campaign, Event, EventSignup
from jaring.events.queries import campaign_report

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "fun-run-2015.yaml"


@pytest.fixture
def loaded(db, tmp_path):
    from jaring.regions.services import regions_load

    regions_load()
    return scenario_load(path=SCENARIO, work_dir=tmp_path)


def test_the_fun_run_shows_the_seed_figures_per_city(loaded, tmp_path):
    assert (loaded.campaigns, loaded.events) == (1, 11)
    assert loaded.rejected_reasons == {"nik:duplicate": 360}  # the runners already registered
    report = campaign_report(Campaign.objects.get(code="FUNRUN15"), as_of=date(2026, 12, 1))
    assert len(report.yields) == 11
    assert report.attendance == 16_120 > 16_000
    assert report.target_attendance == 15_000
    assert {y.event.code: y.event.target_attendance for y in report.yields}["FR15-JKT"] == 5_000
    assert all(180 <= y.new <= 250 for y in report.yields) and report.new == 2_228
    assert {y.event.code: y.already for y in report.yields}["FR15-JKT"] == 60
    assert report.already == 360
    jakarta = next(y for y in report.yields if y.event.code == "FR15-JKT")
    assert jakarta.cost_per_new == 1_875_000  # Rp450,000,000 / 240
    # 70 % paid three months on the day, 40 % six more in February, 20 % a year in November 2016.
    assert [(s.months, s.count) for s in jakarta.still_covered] == [(3, 96), (6, 96), (12, 48)]
    # Each sign-up is the run of its own city, the day of the run.
    signups = EventSignup.objects.select_related("event", "participant")
    assert all(s.participant.village_id.startswith(s.event.city_id) for s in signups)
    assert all(s.signed_at.date() == s.event.starts_on for s in signups if s.new)

    again = scenario_load(path=SCENARIO, work_dir=tmp_path)
    assert (again.registrations_added, again.payments_added) == (0, 0)
    assert EventSignup.objects.count() == 2_228 + 360 and Event.objects.count() == 11

    out = StringIO()
    call_command("event", "report", "FUNRUN15", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["events"], data["attendance"], data["new"]) == (11, 16_120, 2_228)
    text = StringIO()
    call_command("event", "report", "FUNRUN15", stdout=text)
    assert "FR15-JKT" in text.getvalue() and "total" in text.getvalue()
