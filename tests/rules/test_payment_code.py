"""Payment codes: one per participant, read back to the same participant, not guessable from a neighbour's,
and a mistyped digit caught by the check digit."""

import itertools
import secrets

from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.participant_number import MAX_SEQUENCE
from jaring.rules.payment_code import (
    CODE_DIGITS,
    payment_code,
    payment_code_serial,
    payment_code_shown,
    permute,
    unpermute,
)

KEY = bytes(range(32))
serials = st.integers(min_value=1, max_value=MAX_SEQUENCE)


@given(serials)
def test_a_code_reads_back_to_its_participant(serial):
    code = payment_code(serial, KEY)
    assert len(code) == CODE_DIGITS and code.isdigit()
    assert payment_code_serial(code, KEY) == serial
    assert payment_code_serial(payment_code_shown(code), KEY) == serial  # as read out, in groups


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_the_permutation_is_undone_by_its_inverse(value):
    assert unpermute(permute(value, KEY), KEY) == value
    assert permute(unpermute(value, KEY), KEY) == value


@given(serials, st.integers(min_value=0, max_value=CODE_DIGITS - 1), st.integers(min_value=1, max_value=9))
def test_a_mistyped_digit_names_nobody(serial, position, shift):
    code = payment_code(serial, KEY)
    typo = code[:position] + str((int(code[position]) + shift) % 10) + code[position + 1 :]
    assert payment_code_serial(typo, KEY) is None


def test_neighbours_codes_share_no_more_than_chance():
    """Serials 1..2000 in a row: their codes are as unlike each other as random numbers (about one
    digit in ten equal at each place), and distinct."""
    codes = [payment_code(serial, KEY) for serial in range(1, 2001)]
    assert len(set(codes)) == len(codes)
    pairs = itertools.pairwise(codes)
    same = sum(a == b for left, right in pairs for a, b in zip(left[:12], right[:12], strict=True))
    assert same / (12 * (len(codes) - 1)) < 0.13


def test_another_key_makes_other_codes():
    other = secrets.token_bytes(32)
    assert payment_code(41_843, KEY) != payment_code(41_843, other)
    assert payment_code_serial(payment_code(41_843, KEY), other) != 41_843


def test_what_is_not_a_code_names_nobody():
    for text in ("", "abc", "123", "0" * 14, "12345678901234"):
        assert payment_code_serial(text, KEY) is None
