"""The rules written twice, in Python for the server and in JavaScript for the phone, against one set of
vectors (tests/vectors/field_rules.json): the Python side here, the JavaScript side by Node's test runner
(tests/js/), run from here so that scripts/test runs both."""

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from jaring.rules.months import Month
from jaring.rules.nik import Sex, parse_nik
from jaring.rules.programmes import parse_programmes
from jaring.rules.rates import default_ratebook

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests/vectors/field_rules.json").read_text(encoding="utf-8"))


class Regions:
    provinces = set(VECTORS["regions"]["provinces"])
    districts = set(VECTORS["regions"]["districts"])

    def has_province(self, code):
        return code in self.provinces

    def has_district(self, code):
        return code in self.districts


@pytest.mark.parametrize("vector", VECTORS["niks"], ids=lambda vector: vector["note"])
def test_the_server_reads_every_nik_vector_as_written(vector):
    born = vector.get("declared_birth_date")
    read = parse_nik(
        vector["nik"],
        regions=Regions(),
        declared_birth_date=date.fromisoformat(born) if born else None,
        declared_sex=Sex(vector["declared_sex"]) if vector.get("declared_sex") else None,
        today=date.fromisoformat(VECTORS["today"]),
    )
    assert {
        "valid": read.valid,
        "codes": [problem.code for problem in read.problems],
        "birth_date": read.birth_date.isoformat() if read.birth_date else None,
        "sex": str(read.sex) if read.sex else None,
        "district": read.district_code,
    } == vector["expect"]


@pytest.mark.parametrize("vector", VECTORS["prices"], ids=lambda vector: vector["note"])
def test_the_server_prices_every_vector_as_written(vector):
    priced = default_ratebook().price_month(
        Month.parse(vector["month"]),
        income=vector["income"],
        programmes=parse_programmes(vector["programmes"]),
        payer_kind=vector["payer_kind"],
    )
    lines = {str(programme): amount for programme, amount in priced.lines.items()}
    assert {"lines": lines, "total": priced.total} == vector["expect"]


def test_the_phone_reads_and_prices_the_same_vectors():
    node = shutil.which("node")
    assert node, "Node is needed to build jaring's web assets and to test the field desk's rules"
    run = subprocess.run(
        [node, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout and "# pass 3" in run.stdout
