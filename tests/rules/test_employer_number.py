import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.employer_number import employer_number, employer_seq
from jaring.rules.participant_number import NUMBER_DIGITS as PARTICIPANT_DIGITS

ids = st.integers(min_value=1, max_value=99_999_999)


def test_the_number_is_the_zero_padded_id_and_a_luhn_digit():
    assert employer_number(1) == "000000018"
    assert employer_seq("000000018") == 1


@given(ids)
def test_every_number_reads_back_to_its_id_and_is_no_participant_number(seq):
    number = employer_number(seq)
    assert employer_seq(number) == seq and len(number) != PARTICIPANT_DIGITS


@given(ids, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_a_single_mistyped_digit_is_caught(seq, position, change):
    number = employer_number(seq)
    wrong = number[:position] + str((int(number[position]) + change) % 10) + number[position + 1 :]
    with pytest.raises(ValueError):
        employer_seq(wrong)


@pytest.mark.parametrize("seq", [0, -1, 100_000_000])
def test_the_id_must_fit_eight_digits(seq):
    with pytest.raises(ValueError):
        employer_number(seq)
