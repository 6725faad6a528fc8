"""The probable-duplicate matcher's pure rules: names as compared, NIK relations, the score and its reasons,
on the planted cases of issue #19 (duplicates and hard negatives)."""

import json
from datetime import date
from importlib import resources

from hypothesis import example, given, settings
from hypothesis import strategies as st

from jaring.rules.duplicates import (
    NIK_ONE_DIGIT,
    NIK_SERIAL,
    NIK_SWAPPED,
    Record,
    name_key,
    name_similarity,
    nik_relation,
    score_pair,
)

RULE = json.loads(resources.files("jaring.rules.data").joinpath("duplicates.json").read_text())["rules"][0][
    "data"
]
THRESHOLD = RULE["review_threshold"]


def person(pk, nik, name, *, birth=date(1985, 4, 12), village="3215012001", phone="", outlet=1):
    return Record(pk, nik, name, birth, "M", village, phone, outlet)


def test_names_are_compared_without_titles_old_spellings_or_the_ways_of_writing_muhammad():
    assert name_key("H. Muhammad Joesoef, S.Pd") == name_key("M. Yusuf") == "muhamad iusuf"
    assert name_key("Djoko Susilo") == name_key("Joko Susilo")
    assert name_key("Mohamad Djoko Tjahjono") == name_key("Muhamad Joko Cahiono")
    assert name_key("Siti Nurhayati") == name_key("Siti Nurhaiati")
    assert name_similarity("Nur Aini", "Nuraini") == 1.0


def test_nik_relations():
    nik = "3215011204850003"
    # in the serial: a typo, a made-up serial or a twin alike
    assert nik_relation(nik, "3215011204850004") == nik_relation(nik, "3215011204851207") == NIK_SERIAL
    assert nik_relation(nik, "3215011204850030") == NIK_SERIAL
    # in the district or the date: a typo
    assert nik_relation(nik, "3215011205850003") == NIK_ONE_DIGIT
    assert nik_relation(nik, "3251011204850003") == NIK_SWAPPED
    assert nik_relation(nik, "3216021204850003") == "other"


def _relation_by_places(a: str, b: str) -> str:
    """How two NIKs of equal length relate, worked out place by place (the definition)."""
    if a == b:
        return "same"
    if a[:12] == b[:12]:
        return NIK_SERIAL
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differ) == 1:
        return NIK_ONE_DIGIT
    if (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and (a[differ[0]], a[differ[1]]) == (b[differ[1]], b[differ[0]])
    ):
        return NIK_SWAPPED
    return "other"


niks = st.text("0123456789", min_size=16, max_size=16)


@given(
    niks,
    st.lists(
        st.tuples(st.sampled_from(["set", "swap"]), st.integers(0, 15), st.sampled_from("0123456789")),
        max_size=3,
    ),
)
@example("3215011204850003", [("swap", 2, "0")])
@example("3215011204850003", [("swap", 10, "0")])  # "85" swapped: the year's digits
@example("3215011204850003", [("swap", 4, "0")])  # "01" swapped
@settings(max_examples=1000)
def test_nik_relation_agrees_with_the_digits_place_by_place(nik, edits):
    other = list(nik)
    for kind, place, digit in edits:
        if kind == "set":
            other[place] = digit
        elif place < 15:
            other[place], other[place + 1] = other[place + 1], other[place]
    other = "".join(other)
    assert nik_relation(nik, other) == _relation_by_places(nik, other) == nik_relation(other, nik)


def test_a_transposed_nik_with_a_respelled_name_is_found_with_its_reasons():
    a = person(1, "3215011204850003", "Muhammad Yusuf Hidayat")
    b = person(2, "3215101204850003", "M. Jusuf Hidayat")  # district 01 typed 10, and the old spelling
    scored = score_pair(a, b, RULE)
    assert scored.probability >= THRESHOLD
    assert {reason.field: reason.level for reason in scored.reasons}["nik"] == "swapped"


def test_a_made_up_serial_with_the_same_name_is_found():
    scored = score_pair(
        person(1, "3215011204850003", "Budi Santoso"), person(2, "3215011204859999", "Budi Santoso"), RULE
    )
    assert scored.probability >= THRESHOLD


def test_twins_are_not_duplicates():
    phone = "081234567890"
    a = person(1, "3215011204850003", "Budi Santoso", phone=phone)
    b = person(2, "3215011204850004", "Bayu Santoso", phone=phone)
    assert score_pair(a, b, RULE).probability < THRESHOLD


def test_balinese_siblings_by_birth_order_are_not_duplicates():
    a = person(1, "5103011204850003", "I Wayan Sudarma", village="5103012001")
    b = person(2, "5103011204850004", "I Made Sudarma", village="5103012001")
    c = person(3, "5103011204850005", "I Nyoman Sudarma", village="5103012001")
    assert score_pair(a, b, RULE).probability < THRESHOLD
    assert score_pair(a, c, RULE).probability < THRESHOLD


def test_two_people_born_the_same_day_in_one_district_are_not_duplicates():
    a = person(1, "3215011204850003", "Siti Aminah", village="3215012001")
    b = person(2, "3215011204850011", "Dewi Lestari", village="3215012003")
    assert score_pair(a, b, RULE).probability < THRESHOLD


def test_a_common_name_weighs_less_than_a_rare_one():
    a = person(1, "3215011204850003", "Siti", village="3215012001")
    b = person(2, "3215011204850011", "Siti", village="3215012003")
    rare, common = score_pair(a, b, RULE, name_frequency=0.00001), score_pair(a, b, RULE, name_frequency=0.02)
    assert common.weight < rare.weight and common.probability < THRESHOLD


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz .", min_size=1, max_size=30)


@given(names, names)
@example("jb", "a")  # "jb" is read "ib", a title: the name as compared must not change when compared again
@settings(max_examples=500)
def test_similarity_is_symmetric_and_bounded(a, b):
    assert name_similarity(a, b) == name_similarity(b, a)
    assert 0.0 <= name_similarity(a, b) <= 1.0
    assert name_key(name_key(a)) == name_key(a)


def test_muhammad_siti_and_nur_before_a_given_name_tell_no_one_apart():
    # twins named after the Prophet differ in the given name that follows
    a = person(1, "3215011204850003", "Muhammad Hadi Sembiring", phone="081234567890")
    b = person(2, "3215011204850004", "Muhamad Budi Sembiring", phone="081234567890")
    assert score_pair(a, b, RULE).probability < THRESHOLD
    # a Muhammad added on the second record costs nothing
    assert name_similarity("Andi Santoso", "M. Andi Santoso") == 1.0


def test_a_nik_one_digit_off_that_says_another_birth_date_is_another_person():
    boy = Record(1, "3215011204850003", "Rizki Pratama", date(1985, 4, 12), "M", "3215012001")
    girl = Record(2, "3215015204850003", "Rizki Pratama", date(1985, 4, 12), "F", "3215012001")  # day + 40
    reasons = {r.field: r.level for r in score_pair(boy, girl, RULE).reasons}
    assert reasons["nik"] == "other"
