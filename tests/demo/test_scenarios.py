"""Scenarios: worlds built from declared counts through the bulk import; the shipped files' arithmetic,
Kanwil VII at a small scale, NIKs that never collide across scenarios, and refused declarations."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError

from jaring.demo.scenarios import racing_contest_path, scenario_load
from jaring.employers.models import Employer, Employment
from jaring.members.models import DuplicateAttempt, Participant
from jaring.monitoring.models import ScenarioNikBlock
from jaring.monitoring.queries import office_get, target_status
from jaring.rules.nik import parse_nik
from jaring.tallies.verify import tallies_verify

pytestmark = pytest.mark.django_db
SCENARIOS = racing_contest_path().parent
KANWIL = SCENARIOS / "kanwil-vii.yaml"


def declared(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_racing_contest_declares_the_seed_figures_at_scale_one():
    spec = declared(racing_contest_path())
    pos = [o for o in spec["outlets"] if o["partner"] == "POS"]
    totals = {span: sum(o["registrations"][span] for o in pos) for span in ("P1", "P2", "P3")}
    assert totals == {"P1": 2_500, "P2": 16_000, "P3": 19_840}
    assert totals["P2"] / totals["P1"] - 1 == 5.4 and totals["P3"] / totals["P2"] - 1 == 0.24
    top = sorted(pos, key=lambda o: -o["registrations"]["P2"])[:3]
    assert [(o["name"], o["registrations"]["P2"]) for o in top] == [
        ("KCU Karawang", 2_381), ("KC Ketapang", 2_272), ("KCU Semarang", 2_169),
    ]  # fmt: skip
    (contest,) = spec["contests"]
    assert contest["prizes"][:3] == [20_000_000, 15_000_000, 8_000_000] and len(contest["prizes"]) == 10
    assert spec["spans"]["P3"][1] == date(2023, 10, 24)


def test_kanwil_vii_declares_the_seed_figures_at_scale_one():
    spec = declared(KANWIL)
    registered = sum(sum(o["registrations"].values()) for o in spec["outlets"])
    this_year = sum(o["registrations"]["Y2019"] for o in spec["outlets"])
    assert (registered, this_year) == (441_177, 30_000)
    kanwil = [t for t in spec["targets"] if t["office"] == "KW07" and t["metric"] == "new_participants"]
    assert kanwil[0]["value"] == 60_293
    branches = [t for t in spec["targets"] if t["office"] != "KW07"]
    assert sum(t["value"] for t in branches) == 60_293
    assert sum(p["workers"] for p in spec["potential"]) == 441_177 + 120_000
    formal = spec["formal"]
    assert sum(sum(f["companies"].values()) for f in formal) == 8_000
    assert sum(sum(f["workers"].values()) for f in formal) == 999_637
    assert sum(f["companies"]["Y2019"] for f in formal) == 2_000
    assert sum(f["workers"]["Y2019"] for f in formal) == 205_000
    formal_targets = {t["metric"]: t["value"] for t in spec["targets"] if t["metric"] != "new_participants"}
    assert formal_targets == {"new_companies": 3_386, "new_workers": 345_438}


@pytest.fixture
def kanwil(tmp_path):
    return scenario_load(path=KANWIL, scale="0.01", work_dir=tmp_path)


def test_kanwil_vii_at_a_small_scale_is_at_risk_and_its_tallies_are_right(kanwil, tmp_path):
    assert (
        kanwil.registrations
        == kanwil.registrations_added
        == Participant.objects.filter(segment="BPU").count()
    )
    assert kanwil.rejected == 0
    assert tallies_verify() == []
    status = target_status(office_get("KW07"), date(2019, 7, 31))
    participants, companies, wage_earners = status.lines
    assert (participants.target, participants.target_source) == (603, "own")  # 60,293 x 0.01
    assert participants.achievement == 300  # 30,000 x 0.01
    assert participants.projection == 517  # 300 / 212 x 365 = 516.5, rounded half up
    assert participants.status == "at_risk"
    assert sum(child.target for child in participants.children) == 603
    assert {child.status for child in participants.children} == {"at_risk", "on_track"}
    # the formal side: 2,000 companies and 205,000 wage earners added by July, x 0.01 branch by branch
    assert (companies.target, companies.achievement, companies.projection) == (34, 20, 34)  # 20/212x365
    assert companies.status == "on_track"
    assert (wage_earners.segment, wage_earners.target, wage_earners.achievement) == ("PU", 3_454, 2_051)
    assert wage_earners.projection == 3_531 and wage_earners.status == "on_track"
    # 8,000 x 0.01, rounded branch by branch
    assert kanwil.companies == kanwil.companies_added == Employer.objects.count() == 78
    assert kanwil.wage_earners == Employment.objects.count() == 9_997
    # formal and informal side by side: 999,637 wage earners and 441,177 informal workers, x 0.01
    assert status.segments["PU"][0] == 9_997 and status.segments["BPU"][0] == 4_412
    assert Participant.objects.filter(segment="PU").count() == kanwil.wage_earners_added == 9_997
    again = scenario_load(path=KANWIL, scale="0.01", work_dir=tmp_path)
    assert (again.companies_added, again.wage_earners_added, again.registrations_added) == (0, 0, 0)
    assert Employment.objects.count() == 9_997
    assert status.market.potential == 5_612  # (441,177 + 120,000) x 0.01
    assert status.market.estimated_regencies == 0  # every regency/city of the Kanwil has a staff figure
    assert 0 < status.market.active < 4_412


def test_nik_blocks_keep_scenarios_apart(kanwil, tmp_path):
    """The racing contest shares no outlet with Kanwil VII, but a second scenario at the same outlets
    must make other NIKs: it gets its own blocks."""
    other = tmp_path / "other.yaml"
    spec = declared(KANWIL)
    spec["scenario"] = "kanwil-vii-copy"
    spec["outlets"] = spec["outlets"][:2]
    spec["targets"], spec["potential"], spec["formal"] = [], [], []
    other.write_text(yaml.safe_dump(spec), encoding="utf-8")
    before = Participant.objects.count()
    copy = scenario_load(path=other, scale="0.01", work_dir=tmp_path)
    assert copy.rejected == 0 and copy.registrations_added > 0
    assert Participant.objects.count() == before + copy.registrations_added
    assert DuplicateAttempt.objects.count() == 0
    blocks = ScenarioNikBlock.objects.filter(outlet__code="BPJS-BPN").order_by("first")
    # the informal workers, the formal ones (a block of their own), then the copy's
    assert [(b.scenario, b.first) for b in blocks] == [
        ("kanwil-vii", 0), ("kanwil-vii/formal", 2_000_000), ("kanwil-vii-copy", 4_000_000),
    ]  # fmt: skip
    for nik in Participant.objects.values_list("nik", flat=True)[:50]:
        assert parse_nik(nik).valid


def test_a_scenario_cannot_date_workers_before_the_first_rate_schedule(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text("scenario: old\nspans:\n  OLD: [2010-01-01, 2010-12-31]\n", encoding="utf-8")
    with pytest.raises(ValidationError) as error:
        scenario_load(path=path, work_dir=tmp_path)
    assert "spans.OLD" in error.value.message_dict


def test_unknown_keys_and_bad_scales_are_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("scenario: bad\nsurprise: 1\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        scenario_load(path=path, work_dir=tmp_path)
    with pytest.raises(ValidationError):
        scenario_load(path=racing_contest_path(), scale="-1", work_dir=tmp_path)
