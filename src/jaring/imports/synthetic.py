"""Synthetic import files for tests and benchmarks: valid rows of real districts, with chosen bad rows."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from jaring.imports.readers import COLUMNS
from jaring.regions.models import Region
from jaring.rules.nik import Sex, make_nik

SERIALS = 9_999
FIRST_BIRTH = date(1965, 1, 1)
BIRTH_DAYS = 14_600  # 40 years of birth dates
# Names as people have them (a name is compared, for probable duplicates, without its digits: "Peserta
# 1" and "Peserta 2" would be one name): given and family names, 500 of each sex.
GIVEN = {
    Sex.MALE: (
        "Budi", "Agus", "Ahmad", "Eko", "Andi", "Slamet", "Joko", "Hendra", "Rudi", "Dedi", "Bambang",
        "Heru", "Yusuf", "Rizki", "Agung", "Arif", "Hadi", "Iwan", "Wahyu", "Fajar",
    ),
    Sex.FEMALE: (
        "Sri", "Dewi", "Rina", "Wati", "Yuni", "Ani", "Fitri", "Ratna", "Aminah", "Fatimah", "Aisyah",
        "Wulan", "Indah", "Eka", "Yanti", "Susanti", "Suryani", "Kartini", "Endang", "Rini",
    ),
}  # fmt: skip
FAMILY = {
    Sex.MALE: (
        "Santoso", "Saputra", "Hidayat", "Kurniawan", "Setiawan", "Pratama", "Nugroho", "Susanto",
        "Purnomo", "Wibowo", "Ramadhan", "Siregar", "Lubis", "Nasution", "Harahap", "Sembiring", "Ginting",
        "Tarigan", "Manurung", "Panjaitan", "Gunawan", "Hartono", "Iskandar", "Sofyan", "Maulana",
    ),
    Sex.FEMALE: (
        "Rahayu", "Handayani", "Wulandari", "Lestari", "Sari", "Utami", "Safitri", "Anggraini", "Puspita",
        "Hasanah", "Permatasari", "Kurniasih", "Hidayati", "Setyawati", "Maharani", "Oktaviani", "Siregar",
        "Lubis", "Nasution", "Harahap", "Sembiring", "Ginting", "Tarigan", "Pertiwi", "Fitriani",
    ),
}  # fmt: skip


def villages_by_district(regencies: list[str]) -> dict[str, list[str]]:
    """Villages of the given regencies, grouped by district."""
    by_district: dict[str, list[str]] = defaultdict(list)
    for regency in regencies:
        rows = Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=f"{regency}.").values_list(
            "code", flat=True
        )
        for code in rows:
            by_district[code[:8]].append(code)
    return dict(by_district)


def registration_row(
    index: int, rng: random.Random, districts: list[tuple[str, list[str]]], outlets: list[str]
):
    """The ``index``-th synthetic registration: its NIK is unique for every index below 146 million."""
    district, villages = districts[index % len(districts)]
    # Consecutive rows are born on consecutive days (the serial and the day advance together, so that the
    # NIK stays unique): rows born on one day in one village, differing in a digit of their name and NIK,
    # would all be probable duplicates of one another, which no real file is.
    born = FIRST_BIRTH + timedelta(days=(index // SERIALS + index % SERIALS) % BIRTH_DAYS)
    sex = Sex.FEMALE if index % 2 else Sex.MALE
    return [
        make_nik(district, born, sex, index % SERIALS + 1),
        _name(index, sex),
        born.isoformat(),
        sex.value,
        f"08{index % 10**10:010d}",
        villages[index % len(villages)],
        rng.choice(("PEDAGANG_PASAR", "PETANI", "NELAYAN", "OJEK", "BURUH_HARIAN", "WARUNG")),
        rng.choice(("1000000", "1000000", "1500000", "2000000")),
        rng.choice(("JKK+JKM", "JKK+JKM", "JKK+JKM+JHT")),
        outlets[index % len(outlets)],
        "",
        "",
        "",
    ]


def _name(index: int, sex: Sex) -> str:
    """A name for the ``index``-th row, scattered (Knuth's multiplicative hash) so that rows sharing a
    village do not share a name more often than people do."""
    given, family = GIVEN[sex], FAMILY[sex]
    scattered = (index * 2_654_435_761 % 2**32) >> 12  # the hash's high bits
    return f"{given[scattered % len(given)]} {family[scattered // len(given) % len(family)]}"


BAD_ROWS = (
    ("nik", lambda row: row[0][:15]),  # 15 digits
    ("birth_date", lambda row: "1990-02-31"),
    ("declared_income", lambda row: "500000"),
    ("village_code", lambda row: "99.99.99.9999"),
    ("programmes", lambda row: "JKK+JP"),
)


def registrations_file_write(
    path: Path, count: int, *, outlets: list[str], regencies: list[str], bad_every: int = 0, seed: int = 1
) -> dict[str, int]:
    """Writes ``count`` registration rows; every ``bad_every``-th row (if set) is broken in one field, in
    turn. Returns how many rows were broken per field."""
    rng = random.Random(seed)
    districts = sorted(villages_by_district(regencies).items())
    broken: dict[str, int] = defaultdict(int)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS["registrations"])
        for index in range(count):
            row = registration_row(index, rng, districts, outlets)
            if bad_every and index % bad_every == bad_every - 1:
                field, breaker = BAD_ROWS[(index // bad_every) % len(BAD_ROWS)]
                row[COLUMNS["registrations"].index(field)] = breaker(row)
                broken[field] += 1
            writer.writerow(row)
    return dict(broken)
