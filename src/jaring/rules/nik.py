"""The NIK (Nomor Induk Kependudukan): 16 digits saying where it was issued, birth date, sex and serial.

Layout: 2 province + 2 regency/city + 2 district (Kemendagri codes) + DDMMYY + 4-digit serial from 0001.
Women have 40 added to the day of birth, so a day of 41..71 means female.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

ERROR = "error"
WARNING = "warning"

# What people put between a NIK's digits: "3215 0112 0485 0001", "3215.0112.0485.0001".
NIK_SEPARATORS = re.compile(r"[\s.\-]+")
_DISTRICT_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}")
FEMALE_DAY_OFFSET = 40


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True)
class Problem:
    """One finding about a NIK. ``code`` is stable (for programs); ``message`` is English (for people)."""

    code: str
    severity: str  # ERROR or WARNING
    message: str


class RegionIndex(Protocol):
    """Answers whether dotted Kemendagri codes exist: province ``"64"``, district ``"64.71.01"``."""

    def has_province(self, code: str) -> bool: ...

    def has_district(self, code: str) -> bool: ...


@dataclass(frozen=True)
class NikResult:
    """What a NIK says, and what is wrong with it. Codes are "" and birth date and sex None when the
    text is not 16 digits; birth date is None when the date part is not a real date."""

    nik: str
    province_code: str
    regency_code: str  # "64.71"
    district_code: str  # "64.71.01"
    birth_date: date | None
    sex: Sex | None
    serial: str
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        """True when no problem is an error (warnings do not make a NIK invalid)."""
        return not any(problem.severity == ERROR for problem in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.severity == WARNING)


def _century_year(yy: int, month: int, day: int, declared: date | None, today: date | None) -> int:
    # Two digits cannot say the century. A declared birth date with the same two digits settles it;
    # otherwise the most recent year that does not put the birth in the future.
    if declared is not None and declared.year % 100 == yy:
        return declared.year
    today = today or date.today()
    if (2000 + yy, month, day) <= (today.year, today.month, today.day):
        return 2000 + yy
    return 1900 + yy


def parse_nik(
    text: str,
    *,
    regions: RegionIndex | None = None,
    declared_birth_date: date | None = None,
    declared_sex: Sex | None = None,
    today: date | None = None,
) -> NikResult:
    """Read a NIK and report every problem found; never raises on bad input text.

    Errors: ``length``, ``not_digits``, ``birth_date_invalid``, ``serial_zero``, ``province_unknown``,
    ``birth_date_mismatch``, ``sex_mismatch``. Warning: ``district_unknown`` (the province exists, but
    regions split over time, so a district code unknown to the region table may still be genuine).
    Regions are checked only when ``regions`` is given; declared values only when given. Spaces, dots and
    hyphens between the digits (a NIK read off a card, pasted from a letter) are taken out.
    """
    nik = text if len(text) == 16 and text.isdigit() else NIK_SEPARATORS.sub("", text)
    problems: list[Problem] = []
    if nik and not (nik.isascii() and nik.isdigit()):
        problems.append(Problem("not_digits", ERROR, "A NIK contains only the digits 0-9."))
    if len(nik) != 16:
        problems.append(Problem("length", ERROR, f"A NIK has exactly 16 digits; this one has {len(nik)}."))
    if problems:
        return NikResult(nik, "", "", "", None, None, "", tuple(problems))

    province, regency, district = nik[0:2], f"{nik[0:2]}.{nik[2:4]}", f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"
    coded_day, month, yy, serial = int(nik[6:8]), int(nik[8:10]), int(nik[10:12]), nik[12:16]

    sex: Sex | None = None
    day = coded_day
    if 1 <= coded_day <= 31:
        sex = Sex.MALE
    elif 1 + FEMALE_DAY_OFFSET <= coded_day <= 31 + FEMALE_DAY_OFFSET:
        sex, day = Sex.FEMALE, coded_day - FEMALE_DAY_OFFSET

    birth_date: date | None = None
    if sex is not None and 1 <= month <= 12:
        year = _century_year(yy, month, day, declared_birth_date, today)
        try:
            birth_date = date(year, month, day)
        except ValueError:
            birth_date = None
    if birth_date is None:
        problems.append(
            Problem(
                "birth_date_invalid",
                ERROR,
                f"Digits 7-12 ({nik[6:12]}) are not a birth date DDMMYY (day 01-31, or 41-71 for women).",
            )
        )

    if serial == "0000":
        problems.append(Problem("serial_zero", ERROR, "The serial number (last 4 digits) starts at 0001."))

    if regions is not None:
        if not regions.has_province(province):
            problems.append(Problem("province_unknown", ERROR, f"There is no province with code {province}."))
        elif not regions.has_district(district):
            problems.append(
                Problem(
                    "district_unknown",
                    WARNING,
                    f"District {district} is not in the region table; it may predate a regional split.",
                )
            )

    if declared_birth_date is not None and birth_date is not None and birth_date != declared_birth_date:
        problems.append(
            Problem(
                "birth_date_mismatch",
                ERROR,
                f"The NIK gives birth date {birth_date.isoformat()}, "
                f"but {declared_birth_date.isoformat()} was declared.",
            )
        )
    if declared_sex is not None and sex is not None and sex != declared_sex:
        problems.append(
            Problem(
                "sex_mismatch",
                ERROR,
                f"The NIK is that of a {'woman' if sex is Sex.FEMALE else 'man'}, "
                f"but sex {declared_sex} was declared.",
            )
        )

    return NikResult(nik, province, regency, district, birth_date, sex, serial, tuple(problems))


def make_nik(district_code: str, birth_date: date, sex: Sex, serial: int) -> str:
    """The NIK issued in ``district_code`` (dotted, "11.01.01") for that birth date, sex and serial (1..9999).

    Meant for demo and test data: it builds a well-formed NIK, it does not issue real ones.
    """
    if not _DISTRICT_CODE.fullmatch(district_code):
        raise ValueError(f"district code {district_code!r} is not of the form 11.01.01")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial {serial} is out of range 1..9999")
    day = birth_date.day + (FEMALE_DAY_OFFSET if Sex(sex) is Sex.FEMALE else 0)
    birth = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
    return f"{district_code.replace('.', '')}{birth}{serial:04d}"
