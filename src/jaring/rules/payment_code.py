"""Payment codes: the number a worker gives a bank, an e-wallet, a shop or the Pos to pay (a virtual
account's customer number), printed on the card and the receipt.

A code is 13 digits: the participant's serial (the participant number without its check digit) through a
keyed permutation of the twelve-digit numbers, then a Luhn check digit. So

- every participant has exactly one code and a code names at most one participant (a permutation), and
  the serial is read back from the code with the same key: nothing to store, nothing to index;
- a neighbour's code tells nothing about one's own (the permutation is keyed: without the key, serial
  n + 1 is no nearer to n's code than any other number);
- twelve digits for at most ten billion serials: a made-up code with a good check digit names a
  participant about once in a hundred tries at 50 M participants (channels' inquiries are rate-limited);
- a mistyped digit, and most swapped neighbours, fail the check digit before anything is looked up.

The permutation is a Feistel network over two six-digit halves with eight rounds, each round a keyed
BLAKE2b of the other half (``hashlib``, the standard library's C code): about 7 microseconds a code,
where the FF3-1 package takes 70 (a settlement file of a million lines reads every code). The key is
made once per installation and kept in the database (``members.PaymentCodeKey``): printed codes stay
valid for as long as the database lives.
"""

from __future__ import annotations

from functools import cache
from hashlib import blake2b

from jaring.rules.participant_number import MAX_SEQUENCE, _luhn_check_digit

HALF = 10**6  # each half of the twelve digits
BODY_DIGITS = 12
CODE_DIGITS = BODY_DIGITS + 1
ROUNDS = 8


@cache
def _rounds(key: bytes) -> tuple:
    """One keyed hash per round, copied for each use (cheaper than keying a new one)."""
    return tuple(blake2b(key=key, digest_size=8, person=b"jaring-pay" + bytes([n])) for n in range(ROUNDS))


def _round(hasher, half: int) -> int:
    copy = hasher.copy()
    copy.update(half.to_bytes(4, "big"))
    return int.from_bytes(copy.digest(), "big") % HALF


def permute(serial: int, key: bytes) -> int:
    """The keyed permutation of 0..10^12-1."""
    left, right = divmod(serial, HALF)
    for hasher in _rounds(key):
        left, right = right, (left + _round(hasher, right)) % HALF
    return left * HALF + right


def unpermute(value: int, key: bytes) -> int:
    """The inverse of ``permute``."""
    left, right = divmod(value, HALF)
    for hasher in reversed(_rounds(key)):
        left, right = (right - _round(hasher, left)) % HALF, left
    return left * HALF + right


def payment_code(serial: int, key: bytes) -> str:
    """The 13-digit payment code of participant serial ``serial`` (1..9,999,999,999)."""
    if not 1 <= serial <= MAX_SEQUENCE:
        raise ValueError(f"participant sequence {serial} is out of range 1..{MAX_SEQUENCE}")
    body = f"{permute(serial, key):0{BODY_DIGITS}d}"
    return f"{body}{_luhn_check_digit(body)}"


def payment_code_shown(code: str) -> str:
    """A payment code in groups of four from the left, as people read it out: 0869 9866 7968 4."""
    return " ".join(code[start : start + 4] for start in range(0, len(code), 4))


def payment_code_serial(code: str, key: bytes) -> int | None:
    """The participant serial a payment code names; None when it is no code (length, digits, check digit)
    or names a serial no participant can have."""
    code = "".join(code.split())
    if len(code) != CODE_DIGITS or not (code.isascii() and code.isdigit()):
        return None
    body = code[:BODY_DIGITS]
    if _luhn_check_digit(body) != int(code[BODY_DIGITS]):
        return None
    serial = unpermute(int(body), key)
    return serial if 1 <= serial <= MAX_SEQUENCE else None
