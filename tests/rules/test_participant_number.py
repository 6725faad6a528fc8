import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.participant_number import participant_number, participant_seq

sequences = st.integers(min_value=1, max_value=9_999_999_999)


def test_number_is_the_zero_padded_sequence_and_a_luhn_digit():
    assert participant_number(1) == "00000000018"
    assert participant_number(7_992_739_871) == "79927398713"  # the textbook Luhn example


def test_sequence_is_read_back_from_the_number():
    assert participant_seq("00000000018") == 1


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("0000000018", "must have 11 digits"),
        ("000000000180", "must have 11 digits"),
        ("0000000001A", "only the digits"),
        ("0000000001 ", "only the digits"),
        ("00000000017", "wrong check digit"),
        ("00000000000", "does not belong to any participant"),
    ],
)
def test_a_wrong_number_is_refused_with_the_reason(number, reason):
    with pytest.raises(ValueError, match=reason):
        participant_seq(number)


@pytest.mark.parametrize("seq", [0, -1, 10_000_000_000])
def test_sequence_must_fit_ten_digits(seq):
    with pytest.raises(ValueError):
        participant_number(seq)


def test_sequence_must_be_an_int():
    with pytest.raises(TypeError):
        participant_number(True)  # type: ignore[arg-type]


@given(sequences)
def test_number_round_trips_to_its_sequence(seq):
    number = participant_number(seq)
    assert len(number) == 11 and number.isdigit()
    assert participant_seq(number) == seq


@given(sequences, st.integers(0, 10), st.integers(1, 9))
def test_any_single_mistyped_digit_is_detected(seq, position, shift):
    number = participant_number(seq)
    wrong_digit = str((int(number[position]) + shift) % 10)
    mistyped = number[:position] + wrong_digit + number[position + 1 :]
    with pytest.raises(ValueError):
        participant_seq(mistyped)
