"""The command line, the partner API and a file refuse the same bad employer with the same ``field:code``
reasons, and register a good one the same way."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from tests.employers.conftest import BALIKPAPAN_VILLAGE

from jaring.accounts.models import AuditEntry
from jaring.employers.models import Employer
from jaring.employers.services import employer_register
from jaring.imports.readers import COLUMNS, template_csv
from jaring.imports.services import import_job_for_file, import_run

GOOD = {"name": "CV Maju Jaya", "village_code": BALIKPAPAN_VILLAGE, "sector": "G", "workforce": 12}
TAKEN_NIB = "9120009999999"
# Each a bad request (over the good one) and the reasons every channel gives.
BAD = [
    ({"name": ""}, ["name:required"]),
    ({"village_code": "99.99.99.9999"}, ["village_code:unknown"]),
    ({"sector": "Z"}, ["sector:unknown"]),
    ({"workforce": 0}, ["workforce:range"]),
    ({"risk_class": 7}, ["risk_class:unknown"]),
    ({"size": "giant"}, ["size:unknown"]),
    ({"nib": "12345"}, ["nib:length"]),
    ({"npwp": "01.234.567.8-901"}, ["npwp:length"]),
    ({"nib": TAKEN_NIB}, ["nib:duplicate"]),
    ({"workforce": 150}, ["size:not_sme"]),  # at a Pos outlet (the API's key, the file's row)
    (
        {"sector": "Z", "risk_class": 0, "nib": "x"},
        ["nib:not_digits", "risk_class:unknown", "sector:unknown"],
    ),
]


def by_cli(fields: dict) -> list[str]:
    args = ["employer", "register", "--outlet", "POS-KRW"]
    for name, value in fields.items():
        option = {"village_code": "village", "risk_class": "risk-class"}.get(name, name)
        args += [f"--{option}", str(value)]
    out = StringIO()
    try:
        call_command(*args, "--json", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        assert exit_.code == 2
    answer = json.loads(out.getvalue())
    return answer.get("reasons", [])


def by_api(api, fields: dict) -> list[str]:
    response = api.post("employers", fields)
    assert response.status_code in (201, 422), response.content
    return response.json().get("reasons", [])


def by_file(tmp_path, rows: list[dict]) -> list[dict]:
    path = tmp_path / f"employers-{len(list(tmp_path.iterdir()))}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS["employers"])
        for fields in rows:
            cells = {"outlet_code": "POS-KRW", **{name: str(value) for name, value in fields.items()}}
            writer.writerow([cells.get(column, "") for column in COLUMNS["employers"]])
    job = import_run(import_job_for_file(path=path, kind="employers"))
    assert job.status == "done", job.error
    with open(job.result_path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def taken(world):
    return employer_register(**GOOD, nib=TAKEN_NIB)


def test_the_same_bad_employer_gets_the_same_reasons_on_the_cli_the_api_and_a_file(
    employers_api, taken, tmp_path
):
    file_rows = by_file(tmp_path, [{**GOOD, **bad} for bad, _reasons in BAD])
    for (bad, expected), row in zip(BAD, file_rows, strict=True):
        request = {**GOOD, **bad}
        assert by_cli(request) == expected, bad
        assert by_api(employers_api, request) == expected, bad
        assert (row["status"], sorted(row["codes"].split())) == ("rejected", expected), bad
    assert list(Employer.objects.all()) == [taken]


def test_a_good_employer_is_registered_alike_on_every_channel(employers_api, world, tmp_path):
    response = employers_api.post("employers", {**GOOD, "nib": "9120000000001"})
    assert response.status_code == 201
    body = response.json()
    assert (body["size"], body["risk_class"], body["office"], body["outlet"]) == (
        "small",
        1,
        "KC-BPN",
        "POS-KRW",
    )
    assert by_cli({**GOOD, "nib": "9120000000002"}) == []
    (row,) = by_file(tmp_path, [{**GOOD, "nib": "9120000000003"}])
    assert row["status"] == "accepted"
    employers = list(Employer.objects.order_by("nib"))
    assert [e.number for e in employers] == [
        body["employer_number"],
        employers[1].number,
        row["participant_number"],
    ]
    assert {(e.size, e.risk_class, e.office_id, e.outlet_id) for e in employers} == {
        ("small", 1, world.balikpapan.pk, world.pos_karawang.pk)
    }
    assert AuditEntry.objects.filter(object_type="employers.employer", action="create").count() == 2


def test_a_file_refuses_the_second_row_with_a_nib_of_the_first_and_keeps_the_first(world, tmp_path):
    rows = by_file(
        tmp_path, [{**GOOD, "nib": "9120000000004"}, {**GOOD, "name": "PT Kembar", "nib": "9120000000004"}]
    )
    assert [row["status"] for row in rows] == ["accepted", "rejected"]
    assert rows[1]["codes"] == "nib:duplicate" and rows[0]["participant_number"] in rows[1]["reason"]
    assert Employer.objects.get().name == "CV Maju Jaya"


def test_the_file_template_registers_in_the_demo_worlds_balikpapan(world, tmp_path):
    path = tmp_path / "template.csv"
    path.write_text(template_csv("employers"), encoding="utf-8")
    job = import_run(import_job_for_file(path=path, kind="employers"))
    assert (job.status, job.accepted) == ("done", 1)
    assert Employer.objects.get().size == "small"


def test_the_api_needs_the_employers_scope(api):
    response = api.post("employers", GOOD)
    assert response.status_code == 403 and not Employer.objects.exists()


def test_the_cli_shows_an_employer_by_number_nib_or_npwp(world):
    employer = employer_register(**GOOD, nib="9120000000005", npwp="01.234.567.8-901.000")
    for identifier in (employer.number, "9120000000005", "01.234.567.8-901.000"):
        out = StringIO()
        call_command("employer", "show", identifier, "--json", stdout=out)
        assert json.loads(out.getvalue())["number"] == employer.number
