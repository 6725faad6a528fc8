"""NIB and NPWP as people type them: digits with any separators between them, the right number of
digits, nothing else."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.business_ids import IdentifierError, format_npwp, parse_nib, parse_npwp

separators = st.sampled_from(["", " ", ".", "-", "/", " - "])


def digit_strings(size: int):
    return st.text(alphabet="0123456789", min_size=size, max_size=size)


def written(digits: str, draw) -> str:
    """The digits with a separator drawn between each pair."""
    return "".join(
        digit + (draw(separators) if i < len(digits) - 1 else "") for i, digit in enumerate(digits)
    )


@given(digit_strings(13), st.data())
def test_any_13_digits_are_a_nib_whatever_separates_them(digits, data):
    assert parse_nib(written(digits, data.draw)) == digits


@given(st.integers(min_value=1, max_value=30).filter(lambda n: n != 13), st.data())
def test_a_nib_of_any_other_length_is_refused_for_its_length(size, data):
    with pytest.raises(IdentifierError) as error:
        parse_nib(data.draw(digit_strings(size)))
    assert error.value.code == "length"


@given(st.sampled_from([15, 16]).flatmap(digit_strings), st.data())
def test_15_or_16_digits_are_an_npwp_whatever_separates_them(digits, data):
    assert parse_npwp(written(digits, data.draw)) == digits


@given(digit_strings(15))
def test_an_npwp_written_the_usual_way_reads_back(digits):
    assert parse_npwp(format_npwp(digits)) == digits
    assert format_npwp(digits)[2] == "." and format_npwp(digits)[-4] == "."


@given(st.text(min_size=1).filter(lambda text: any(c.isalpha() or c in "#+_" for c in text)))
def test_letters_and_other_marks_are_refused_as_not_digits(text):
    for parse in (parse_nib, parse_npwp):
        with pytest.raises(IdentifierError) as error:
            parse(text)
        assert error.value.code == "not_digits"


def test_unicode_digits_are_not_digits():
    with pytest.raises(IdentifierError):
        parse_nib("١٢٣٤٥٦٧٨٩٠١٢٣")  # Arabic-Indic digits
