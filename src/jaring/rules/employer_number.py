"""Employer registration numbers: the 8-digit zero-padded database id followed by one Luhn check digit
(nine digits, so that an employer's number is never taken for an 11-digit participant number)."""

from __future__ import annotations

# The same check digit as the participant number's (one rule, one implementation).
from jaring.rules.participant_number import _luhn_check_digit

SEQUENCE_DIGITS = 8
NUMBER_DIGITS = SEQUENCE_DIGITS + 1
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1


def employer_number(seq: int) -> str:
    """The 9-digit registration number of the employer with database id ``seq`` (1..99,999,999)."""
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise TypeError(f"an employer id is an int, not {type(seq).__name__}")
    if not 1 <= seq <= MAX_SEQUENCE:
        raise ValueError(f"employer id {seq} is out of range 1..{MAX_SEQUENCE}")
    body = f"{seq:0{SEQUENCE_DIGITS}d}"
    return f"{body}{_luhn_check_digit(body)}"


def employer_seq(number: str) -> int:
    """The database id inside a 9-digit employer number. Raises ValueError when the number has the wrong
    length, holds anything but digits, or its check digit is wrong."""
    if not (number.isascii() and number.isdigit()):
        raise ValueError(f"employer number {number!r} must contain only the digits 0-9")
    if len(number) != NUMBER_DIGITS:
        raise ValueError(f"employer number {number!r} must have {NUMBER_DIGITS} digits, not {len(number)}")
    body, check = number[:SEQUENCE_DIGITS], int(number[SEQUENCE_DIGITS])
    if _luhn_check_digit(body) != check:
        raise ValueError(f"employer number {number!r} has a wrong check digit (mistyped?)")
    seq = int(body)
    if seq == 0:
        raise ValueError(f"employer number {number!r} does not belong to any employer")
    return seq
