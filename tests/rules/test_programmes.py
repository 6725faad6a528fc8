import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.rates import Programme, format_programmes, parse_programmes

BASIC = frozenset({Programme.JKK, Programme.JKM})
WITH_JHT = BASIC | {Programme.JHT}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JKK+JKM", BASIC),
        ("JKK+JKM+JHT", WITH_JHT),
        ("JKK,JKM", BASIC),
        (" jkk + jkm ", BASIC),
        ("jht, jkm, jkk", WITH_JHT),
        ("JKK JKM", BASIC),
        ("JKK+JKM+JKM", BASIC),
    ],
)
def test_programmes_are_read_in_any_case_and_separator(text, expected):
    assert parse_programmes(text) == expected


def test_pension_is_not_for_informal_workers():
    with pytest.raises(ValueError, match=r"JP \(pension\) is not available to BPU participants"):
        parse_programmes("JKK+JKM+JP")


@pytest.mark.parametrize("text", ["JKK", "JKM+JHT", "JHT", ""])
def test_work_accident_and_death_cover_are_mandatory(text):
    with pytest.raises(ValueError, match=r"mandatory|no programme"):
        parse_programmes(text)


def test_unknown_programme_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown programme 'JKP'"):
        parse_programmes("JKK+JKM+JKP")


def test_programmes_are_written_in_canonical_order():
    assert format_programmes({Programme.JHT, Programme.JKM, Programme.JKK}) == "JKK+JKM+JHT"
    assert format_programmes([Programme.JKM, Programme.JKK]) == "JKK+JKM"


@given(st.sets(st.just(Programme.JHT)), st.permutations(["JKK", "JKM", "JHT"]), st.sampled_from("+, "))
def test_canonical_text_round_trips(extra, order, separator):
    chosen = BASIC | extra
    assert parse_programmes(format_programmes(chosen)) == chosen
    text = separator.join(code for code in order if Programme(code) in chosen)
    assert format_programmes(parse_programmes(text)) == format_programmes(chosen)
