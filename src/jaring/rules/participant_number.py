"""Participant numbers: the 10-digit zero-padded database sequence followed by one Luhn check digit."""

from __future__ import annotations

SEQUENCE_DIGITS = 10
NUMBER_DIGITS = SEQUENCE_DIGITS + 1
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1


# A digit doubled, with 9 taken off when that makes two digits (Luhn's rule).
_DOUBLED = {str(digit): (2 * digit if digit < 5 else 2 * digit - 9) for digit in range(10)}
_PLAIN = {str(digit): digit for digit in range(10)}


def _luhn_check_digit(digits: str) -> int:
    # Double every second digit counting leftwards from the digit next to the (future) check digit.
    # (``map`` over the dicts' lookups: a number is made for every row of every file.)
    total = sum(map(_DOUBLED.__getitem__, digits[-1::-2])) + sum(map(_PLAIN.__getitem__, digits[-2::-2]))
    return (10 - total % 10) % 10


def participant_number(seq: int) -> str:
    """The 11-digit participant number for database sequence ``seq`` (1..9,999,999,999)."""
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise TypeError(f"a participant sequence is an int, not {type(seq).__name__}")
    if not 1 <= seq <= MAX_SEQUENCE:
        raise ValueError(f"participant sequence {seq} is out of range 1..{MAX_SEQUENCE}")
    body = f"{seq:0{SEQUENCE_DIGITS}d}"
    return f"{body}{_luhn_check_digit(body)}"


def participant_seq(number: str) -> int:
    """The database sequence inside an 11-digit participant number.

    Raises ValueError when the number has the wrong length, holds anything but digits, or its check
    digit is wrong (which catches every single mistyped digit and most swapped neighbours).
    """
    if not (number.isascii() and number.isdigit()):
        raise ValueError(f"participant number {number!r} must contain only the digits 0-9")
    if len(number) != NUMBER_DIGITS:
        raise ValueError(f"participant number {number!r} must have {NUMBER_DIGITS} digits, not {len(number)}")
    body, check = number[:SEQUENCE_DIGITS], int(number[SEQUENCE_DIGITS])
    if _luhn_check_digit(body) != check:
        raise ValueError(f"participant number {number!r} has a wrong check digit (mistyped?)")
    seq = int(body)
    if seq == 0:
        raise ValueError(f"participant number {number!r} does not belong to any participant")
    return seq
