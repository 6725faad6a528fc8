"""`jaring paritrana`: a region's score with its arithmetic and a ranking with --json, the weights shown
and set, an interview recorded; bad input told per field with exit status 2 and nothing saved."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from jaring.common.clock import local_date
from jaring.outreach.models import OutreachRule, PanelInterview


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_score_of_a_region_shows_its_arithmetic(world):
    year = local_date().year
    run("paritrana", "interview", "--region", "64.71", "--year", str(year), "--score", "75")
    got = run("paritrana", "score", "--year", str(year), "--region", "64.71")
    assert got["region"] == "64.71" and got["level"] == "regency"
    interview = next(c for c in got["criteria"] if c["criterion"] == "interview")
    assert (interview["marks"], interview["weight"], interview["contribution"]) == ("75.00", "20", "15.00")
    assert sum(Decimal(c["contribution"]) for c in got["criteria"]) == Decimal(got["score"])
    assert got["arithmetic"].endswith(f"= {got['score']}")
    assert any(s["key"] == "interview" for s in got["sources"])


def test_score_ranks_provinces_and_the_regencies_of_one(world):
    year = str(local_date().year)
    run("paritrana", "interview", "--region", "32", "--year", year, "--score", "60")
    provinces = run("paritrana", "score", "--year", year)["ranking"]
    assert provinces[0]["region"] == "32" and provinces[0]["rank"] == 1
    assert len(provinces) == 38
    regencies = run("paritrana", "score", "--year", year, "--province", "64")["ranking"]
    assert {r["region"][:2] for r in regencies} == {"64"}


def test_weights_show_and_set(world):
    shown = run("paritrana", "weights")
    assert shown["source"] == "jaring default, no official weights found"
    assert shown["weights"]["informal"] == "20"
    month = str(local_date())[:7]
    saved = run("paritrana", "weights", "set", "--month", month, "--regulation", "10", "--budget", "10",
                "--wage-earners", "10", "--informal", "30", "--employers", "5", "--growth", "15",
                "--interview", "20")  # fmt: skip
    assert saved["weights"]["informal"] == "30" and saved["code"] == f"paritrana-{month}"


def test_bad_weights_and_interviews_exit_2_and_save_nothing(world, capsys):
    rules = OutreachRule.objects.count()
    with pytest.raises(SystemExit) as exit_:
        call_command("paritrana", "weights", "set", "--month", "2026-12", "--regulation", "10",
                     "--budget", "10", "--wage-earners", "10", "--informal", "10", "--employers", "5",
                     "--growth", "15", "--interview", "20", "--json")  # fmt: skip
    assert exit_.value.code == 2
    assert json.loads(capsys.readouterr().out)["reasons"] == ["weights:sum"]
    assert OutreachRule.objects.count() == rules
    with pytest.raises(SystemExit) as exit_:
        call_command("paritrana", "interview", "--region", "99", "--year", "2024", "--score", "140")
    assert exit_.value.code == 2
    assert not PanelInterview.objects.exists()
