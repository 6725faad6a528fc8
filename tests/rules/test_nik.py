from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jaring.rules.nik import NikResult, Sex, make_nik, parse_nik

TODAY = date(2025, 6, 1)
KNOWN_CODES = {
    "length",
    "not_digits",
    "birth_date_invalid",
    "serial_zero",
    "province_unknown",
    "district_unknown",
    "birth_date_mismatch",
    "sex_mismatch",
}


class Regions:
    """A region table knowing East Kalimantan (64) and one district of Balikpapan."""

    provinces = frozenset({"64"})
    districts = frozenset({"64.71.01"})

    def has_province(self, code: str) -> bool:
        return code in self.provinces

    def has_district(self, code: str) -> bool:
        return code in self.districts


def codes(result: NikResult) -> set[str]:
    return {problem.code for problem in result.problems}


def test_nik_is_district_then_birth_date_then_serial():
    assert make_nik("64.71.01", date(1990, 5, 17), Sex.MALE, 1) == "6471011705900001"


def test_male_nik_reads_district_birth_date_and_sex():
    result = parse_nik("6471011705900001", today=TODAY)
    assert result.valid
    assert result.problems == ()
    assert (result.province_code, result.regency_code, result.district_code) == ("64", "64.71", "64.71.01")
    assert result.birth_date == date(1990, 5, 17)
    assert result.sex is Sex.MALE
    assert result.serial == "0001"


def test_female_nik_adds_forty_to_the_day():
    nik = make_nik("64.71.01", date(1990, 5, 17), Sex.FEMALE, 1)
    assert nik[6:8] == "57"
    result = parse_nik(nik, today=TODAY)
    assert result.sex is Sex.FEMALE
    assert result.birth_date == date(1990, 5, 17)


def test_surrounding_whitespace_is_ignored():
    assert parse_nik("  6471011705900001\n", today=TODAY).nik == "6471011705900001"


def test_letters_are_not_digits():
    result = parse_nik("647101170590000A")
    assert codes(result) == {"not_digits"}
    assert not result.valid


@given(st.lists(st.sampled_from(["", " ", ".", "-", "  ", ". "]), min_size=17, max_size=17))
def test_spaces_dots_and_hyphens_between_the_digits_are_taken_out(separators):
    digits = "6471011705900001"
    typed = "".join(
        separator + digit for separator, digit in zip(separators, digits + " ", strict=True)
    ).strip()
    result = parse_nik(typed, today=TODAY)
    assert result.nik == digits and result.valid


def test_other_marks_between_the_digits_are_not_digits():
    assert "not_digits" in codes(parse_nik("6471/011705900001"))


@pytest.mark.parametrize("text", ["647101170590001", "64710117059000011", ""])
def test_a_nik_has_exactly_sixteen_digits(text):
    result = parse_nik(text)
    assert codes(result) == {"length"}
    assert (result.province_code, result.district_code, result.birth_date, result.sex) == ("", "", None, None)


def test_full_width_digits_are_not_digits():
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in "6471011705900001")
    assert full_width.isdigit()  # Python would call them digits; a NIK may not
    assert codes(parse_nik(full_width)) == {"not_digits"}


@pytest.mark.parametrize(
    "birth",
    [
        "310290",  # 31 February
        "320590",  # day 32: neither a man's day nor a woman's
        "400590",  # day 40
        "720590",  # day 72 = 32 + 40
        "000590",  # day 0
        "171390",  # month 13
        "170090",  # month 0
        "690290",  # 29 February (+40) in 1990, not a leap year
    ],
)
def test_the_date_part_must_be_a_real_date(birth):
    result = parse_nik(f"647101{birth}0001", today=TODAY)
    assert codes(result) == {"birth_date_invalid"}
    assert result.birth_date is None


def test_day_seventy_one_is_the_thirty_first_for_a_woman():
    result = parse_nik("6471017101900001", today=TODAY)
    assert (result.birth_date, result.sex) == (date(1990, 1, 31), Sex.FEMALE)


def test_serial_starts_at_0001():
    assert codes(parse_nik("6471011705900000", today=TODAY)) == {"serial_zero"}


def test_two_digit_year_is_this_century_when_that_is_not_in_the_future():
    assert parse_nik("6471011705240001", today=date(2024, 5, 17)).birth_date == date(2024, 5, 17)
    assert parse_nik("6471011705240001", today=date(2024, 5, 16)).birth_date == date(1924, 5, 17)


def test_a_declared_birth_date_settles_the_century():
    result = parse_nik("6471011705240001", declared_birth_date=date(1924, 5, 17), today=date(2025, 1, 1))
    assert result.birth_date == date(1924, 5, 17)
    assert result.valid


def test_declared_birth_date_must_agree_with_the_nik():
    result = parse_nik("6471011705900001", declared_birth_date=date(1990, 5, 18), today=TODAY)
    assert codes(result) == {"birth_date_mismatch"}
    assert not result.valid


def test_declared_sex_must_agree_with_the_nik():
    result = parse_nik("6471015705900001", declared_sex=Sex.MALE, today=TODAY)
    assert codes(result) == {"sex_mismatch"}
    assert parse_nik("6471015705900001", declared_sex=Sex.FEMALE, today=TODAY).valid


def test_an_impossible_date_is_not_also_reported_as_a_mismatch():
    result = parse_nik("6471013102900001", declared_birth_date=date(1990, 2, 28), today=TODAY)
    assert codes(result) == {"birth_date_invalid"}


def test_regions_are_checked_only_when_a_region_table_is_given():
    assert parse_nik("9999011705900001", today=TODAY).valid


def test_unknown_province_is_an_error():
    result = parse_nik("9971011705900001", regions=Regions(), today=TODAY)
    assert codes(result) == {"province_unknown"}
    assert not result.valid


def test_unknown_district_in_a_known_province_is_only_a_warning():
    # Regions split over time (pemekaran): an old NIK may carry a district code no longer listed.
    result = parse_nik("6471991705900001", regions=Regions(), today=TODAY)
    assert codes(result) == {"district_unknown"}
    assert result.valid
    assert [w.code for w in result.warnings] == ["district_unknown"]
    assert result.errors == ()


def test_every_problem_is_reported_at_once():
    result = parse_nik(
        "9971013102900000", regions=Regions(), declared_sex=Sex.FEMALE, today=TODAY
    )  # bad province, 31 Feb, serial 0, a man's NIK
    assert codes(result) == {"province_unknown", "birth_date_invalid", "serial_zero", "sex_mismatch"}
    assert all(problem.severity == "error" for problem in result.problems)
    assert all(problem.message for problem in result.problems)


@pytest.mark.parametrize(
    ("district", "serial"), [("1101.01", 1), ("11.01.1", 1), ("11.01.01", 0), ("11.01.01", 10_000)]
)
def test_make_nik_refuses_what_cannot_be_in_a_nik(district, serial):
    with pytest.raises(ValueError):
        make_nik(district, date(1990, 1, 1), Sex.MALE, serial)


district_codes = st.tuples(*[st.integers(1, 99)] * 3).map(lambda t: "{:02d}.{:02d}.{:02d}".format(*t))
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
sexes = st.sampled_from(Sex)
serials = st.integers(1, 9999)


@given(district_codes, birth_dates, sexes, serials)
def test_a_made_nik_reads_back_with_its_declared_birth_date(district, born, sex, serial):
    result = parse_nik(make_nik(district, born, sex, serial), declared_birth_date=born, declared_sex=sex)
    assert result.valid, result.problems
    assert (result.district_code, result.birth_date, result.sex) == (district, born, sex)
    assert result.serial == f"{serial:04d}"


@given(district_codes, st.integers(0, 365 * 100 - 26), sexes, serials)
def test_anyone_under_a_hundred_reads_back_without_a_declared_date(district, days_old, sex, serial):
    born = TODAY - timedelta(days=days_old)
    result = parse_nik(make_nik(district, born, sex, serial), today=TODAY)
    assert result.birth_date == born


@given(st.text(max_size=20))
def test_any_text_gives_a_result_with_known_problem_codes(text):
    result = parse_nik(text, regions=Regions(), declared_sex=Sex.MALE, declared_birth_date=date(1990, 1, 1))
    assert codes(result) <= KNOWN_CODES
    if result.valid:
        assert len(result.nik) == 16 and result.nik.isdigit()


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_a_day_above_forty_means_female(nik):
    result = parse_nik(nik, today=TODAY)
    assume(result.sex is not None)
    assert (result.sex is Sex.FEMALE) == (int(nik[6:8]) > 40)
