"""A control character (NUL, BEL, a line break) in a cell refuses that row alone, with the reason
``field:control_character``, on SQLite as on PostgreSQL (which cannot store NUL: the check stops the row
before anything is read or written with it); the other rows of the file are accepted. The desk and the API
refuse the same text."""

import csv
from pathlib import Path

import pytest

from jaring.contributions.models import Payment
from jaring.imports.models import ImportJob
from jaring.imports.services import import_job_for_file, import_run
from jaring.members.models import Participant
from jaring.tallies.verify import tallies_verify

pytestmark = pytest.mark.django_db

REG_HEADER = (
    "nik,name,birth_date,sex,phone,village_code,occupation,declared_income,programmes,outlet_code,agent_code,"
    "registered_at"
)
PAY_HEADER = "nik,months,amount,paid_at,outlet_code,reference"
DEP_HEADER = "nik,amount,collected_at,outlet_code,reference,agent_code"


def write_csv(path: Path, header: str, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def run(path: Path, kind: str) -> tuple[ImportJob, list[dict]]:
    job = import_run(import_job_for_file(path=path, kind=kind))
    assert job.status == "done", job.error
    with open(job.result_path, encoding="utf-8") as handle:
        return job, list(csv.DictReader(handle))


def worker(nik: str, **cells) -> list[str]:
    row = {
        "nik": nik, "name": "Dewi Lestari", "birth_date": "1985-12-04", "sex": "F", "phone": "081234567890",
        "village_code": "64.71.01.1001", "occupation": "PETANI", "declared_income": "1000000",
        "programmes": "JKK+JKM", "outlet_code": "POS-BPN", "agent_code": "", "registered_at": "2024-01-10",
    }  # fmt: skip
    row.update(cells)
    return list(row.values())


def test_a_nul_or_bel_in_a_registration_cell_refuses_that_row_alone(tmp_path, world):
    rows = [
        worker("6471014412850001"),
        worker("6471014412850002", name="Dewi\x00Lestari"),
        worker("6471014412850003", name="Dewi\x07"),
        worker("6471014412850004", phone="0812\x0034567890"),
        worker("6471014412850005", village_code="64.71.01.1001\x00"),
        worker("6471014412850006", occupation="PETANI\x00"),
        worker("6471014412850007", programmes="JKK+JKM\x00"),
        worker("6471014412850008", name="Dewi\nLestari"),
        worker("647101441285\x000009"),
        worker("6471014412850010", outlet_code="POS-BPN\x00"),
        worker("6471014412850011", agent_code="AG\x00"),
        worker("6471014412850012", birth_date="1985-12-04\x00"),
        worker("6471014412850013"),
    ]
    _job, results = run(write_csv(tmp_path / "workers.csv", REG_HEADER, rows), "registrations")
    assert [row["status"] for row in results] == ["accepted"] + ["rejected"] * 11 + ["accepted"]
    assert [row["codes"] for row in results[1:8]] == [
        "name:control_character",
        "name:control_character",
        "phone:control_character",
        "village_code:control_character",
        "occupation:control_character",
        "programmes:control_character",
        "name:control_character",
    ]
    assert [row["codes"] for row in results[8:12]] == [
        "nik:not_digits nik:length",
        "outlet_code:control_character",
        "agent_code:control_character",
        "birth_date:invalid",
    ]
    assert not any("\x00" in row["reason"] for row in results)
    assert set(Participant.objects.values_list("nik", flat=True)) == {"6471014412850001", "6471014412850013"}
    assert tallies_verify() == []


def test_a_nul_or_bel_in_a_payment_or_deposit_reference_refuses_that_row_alone(tmp_path, register, world):
    paying = register(district="64.71.01", registered_at=None)
    rows = [
        [paying.nik, "1", "16800", "", "POS-BPN", "R-1"],
        [paying.nik, "1", "16800", "", "POS-BPN", "R-\x002"],
        [paying.nik, "1", "16800", "", "POS-BPN", "R-\x073"],
        [paying.nik + "\x00", "1", "16800", "", "POS-BPN", "R-4"],
        [paying.nik, "1", "16800", "", "POS-BPN", "R-5"],
    ]
    _job, results = run(write_csv(tmp_path / "pay.csv", PAY_HEADER, rows), "payments")
    assert [row["status"] for row in results] == ["accepted", "rejected", "rejected", "rejected", "accepted"]
    assert results[1]["codes"] == results[2]["codes"] == "reference:control_character"
    assert set(Payment.objects.values_list("idempotency_key", flat=True)) == {"R-1", "R-5"}

    deposits = [
        [paying.nik, "5000", "", "POS-BPN", "S-\x001", ""],
        [paying.nik, "5000", "", "POS-BPN", "S-2", ""],
    ]
    _job, results = run(write_csv(tmp_path / "dep.csv", DEP_HEADER, deposits), "deposits")
    assert [(row["status"], row["codes"]) for row in results] == [
        ("rejected", "reference:control_character"),
        ("accepted", ""),
    ]
    assert tallies_verify() == []


def test_a_nul_in_the_header_fails_the_file_with_a_readable_message(tmp_path, world):
    path = write_csv(tmp_path / "bad.csv", "nik\x00,name", [["1", "2"]])
    job = import_run(import_job_for_file(path=path, kind="registrations"))
    assert job.status == "failed" and "\\x00" in job.error and "\x00" not in job.error
