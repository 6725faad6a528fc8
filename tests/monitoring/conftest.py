"""The contest the tests share: BRI outlets, a two-period sprint, and files of registrations and payments
imported as an operator migrating records would (with their own dates)."""

import csv
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import a_village

from jaring.channels.services import outlet_create, partner_create
from jaring.imports.readers import COLUMNS
from jaring.imports.services import import_job_for_file, import_run
from jaring.monitoring.services import contest_define
from jaring.rules.nik import Sex, make_nik

DISTRICTS = {
    "BRI-MDN": "12.71.01",
    "BRI-MKS": "73.71.01",
    "BRI-DPS": "51.71.01",
    "BRI-JYP": "91.71.01",
    "BRI-SBY": "35.78.01",
}
SPRINT = {
    "code": "bri-sprint-2024",
    "name": "BRI Sprint Februari 2024",
    "metric": "new_registrations",
    "outlets": {"codes": ["BRI-MDN", "BRI-MKS", "BRI-DPS", "BRI-JYP"]},
    "periods": [
        {
            "code": "W1",
            "start": "2024-02-01",
            "end": "2024-02-14",
            "prizes": [3_000_000, 2_000_000, 1_000_000],
        },
        {"code": "W2", "start": "2024-02-15", "end": "2024-02-29", "prizes": ["Rp1.000.000"]},
    ],
}


@pytest.fixture
def bri(db):
    bank = partner_create(code="BRI", name="Bank Rakyat Indonesia", kind="bank")
    return {
        code: outlet_create(code=code, name=f"BRI {code[4:]}", partner=bank, region_code=district)
        for code, district in DISTRICTS.items()
    }


class Files:
    """Writes registration and payment files and imports them, as an operator migrating records would."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.serial = 0
        self.niks: dict[str, list[str]] = {}

    def registrations(self, rows: list[tuple[str, str]]) -> None:
        """(outlet code, registered_at) per worker."""
        path = self.folder / f"reg-{self.serial}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS["registrations"])
            for outlet, registered_at in rows:
                self.serial += 1
                district = DISTRICTS[outlet]
                nik = make_nik(district, date(1980, 1, 1), Sex.MALE, self.serial)
                self.niks.setdefault(outlet, []).append(nik)
                writer.writerow(
                    [
                        nik, f"Pekerja {self.serial}", "1980-01-01", "M", "", a_village(district), "PETANI",
                        "1000000", "JKK+JKM", outlet, "", registered_at,
                    ]
                )  # fmt: skip
        job = import_run(import_job_for_file(path=path, kind="registrations"))
        assert (job.status, job.rejected) == ("done", 0), job.reasons

    def payments(self, rows: list[tuple[str, str, str]]) -> None:
        """(NIK, paid_at, collecting outlet code) per one-month payment of Rp16,800."""
        path = self.folder / f"pay-{len(rows)}-{self.serial}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS["payments"])
            for number, (nik, paid_at, outlet) in enumerate(rows):
                writer.writerow([nik, 1, 16_800, paid_at, outlet, f"ref-{number}"])
        job = import_run(import_job_for_file(path=path, kind="payments"))
        assert (job.status, job.rejected) == ("done", 0), job.reasons


@pytest.fixture
def files(tmp_path):
    return Files(tmp_path)


@pytest.fixture
def sprint(bri, files):
    """W1: DPS 8 first; MKS and JYP 6 each, both complete on 2 Feb (a full tie); MDN 6, complete only on
    6 Feb. Registrations outside W1, or at outlets outside the contest, must not count."""
    rows = [("BRI-DPS", f"2024-02-{day:02d}") for day in (1, 3, 5, 7, 9, 11, 13)]
    rows.append(("BRI-DPS", "2024-02-14T23:30:00+07:00"))  # still 14 February in Jakarta
    rows.append(("BRI-DPS", "2024-02-14T17:00:00+00:00"))  # midnight in Jakarta: 15 February, W2
    rows.append(("BRI-DPS", "2024-01-31"))  # before the contest
    rows += [("BRI-MKS", "2024-02-01")] * 3 + [("BRI-MKS", "2024-02-02")] * 3
    rows += [("BRI-JYP", "2024-02-01")] * 3 + [("BRI-JYP", "2024-02-02")] * 3
    rows += [("BRI-MDN", f"2024-02-0{day}") for day in range(1, 7)]
    rows += [("BRI-SBY", "2024-02-05")] * 20  # not in the contest
    rows += [("BRI-MDN", "2024-02-20")] * 2
    files.registrations(rows)
    return contest_define(spec=SPRINT)
