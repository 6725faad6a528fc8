"""Workers' phone numbers as a gateway takes them (E.164), read with Google's ``phonenumbers``."""

from __future__ import annotations

import phonenumbers


def phone_e164(text: str) -> str | None:
    """``+6281234567890`` for ``0812-3456-7890``, ``6281234567890`` or ``+62 812 3456 7890`` (a number
    without a country code is read as Indonesian); None when it is not a valid number."""
    try:
        number = phonenumbers.parse(text or "", "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
