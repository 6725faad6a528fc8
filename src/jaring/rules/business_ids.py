"""An employer's business identifiers, read from what people type: the NIB (Nomor Induk Berusaha, the
business number the OSS system issues) and the NPWP (the tax number).

- NIB: 13 digits.
- NPWP: 15 digits in the format used until 2024 (written ``01.234.567.8-901.000``), or 16 digits since
  the NIK became the NPWP of residents and a 16-digit number was given to every other taxpayer
  (PMK 112/2022). The old format's ninth digit is reported to be a check digit, but its rule was not
  found in a source we could verify, so it is not checked.

Dots, dashes, slashes and spaces people write between the digits are dropped; anything else is refused.
A refusal is an ``IdentifierError`` with a stable ``code`` (``not_digits``, ``length``) for every channel
to explain in the user's language.
"""

from __future__ import annotations

import re

NIB_DIGITS = 13
NPWP_DIGITS = (15, 16)
_SEPARATORS = re.compile(r"[\s.\-/]+")


class IdentifierError(ValueError):
    """A business identifier that cannot be one: ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _digits(text: str, what: str) -> str:
    digits = _SEPARATORS.sub("", text or "")
    if not (digits.isascii() and digits.isdigit()):
        raise IdentifierError("not_digits", f"{what} {text!r} holds something other than digits")
    return digits


def parse_nib(text: str) -> str:
    """The NIB's 13 digits; raises ``IdentifierError`` (``not_digits``, ``length``)."""
    digits = _digits(text, "NIB")
    if len(digits) != NIB_DIGITS:
        raise IdentifierError("length", f"a NIB has {NIB_DIGITS} digits, not {len(digits)}")
    return digits


def parse_npwp(text: str) -> str:
    """The NPWP's 15 or 16 digits; raises ``IdentifierError`` (``not_digits``, ``length``)."""
    digits = _digits(text, "NPWP")
    if len(digits) not in NPWP_DIGITS:
        raise IdentifierError("length", f"an NPWP has 15 or 16 digits, not {len(digits)}")
    return digits


def format_npwp(digits: str) -> str:
    """An NPWP as people write it: ``01.234.567.8-901.000`` for the 15-digit format; 16 digits as they
    are."""
    if len(digits) != 15:
        return digits
    return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}.{digits[8]}-{digits[9:12]}.{digits[12:]}"
