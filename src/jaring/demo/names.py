"""Synthetic Indonesian names and mobile numbers for demo people (never real ones)."""

from __future__ import annotations

import random

from faker import Faker

# Mobile prefixes of the large Indonesian operators (Telkomsel, Indosat, XL, Tri, Smartfren).
_MOBILE_PREFIXES = (
    "0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0814", "0815", "0816", "0855", "0856",
    "0857", "0858", "0817", "0818", "0819", "0859", "0877", "0878", "0895", "0896", "0897", "0898", "0881",
)  # fmt: skip


def person_name(fake: Faker, rng: random.Random, sex: str) -> str:
    """A plausible name for a person of ``sex`` ("M"/"F"): a given name, usually with a family name.

    Faker's full ``name_male()`` mixes in academic titles ("drg.", "S.Ked"), which read oddly for informal
    workers, so the name is built from its given-name and family-name lists instead.
    """
    if sex == "F":
        first, last = fake.first_name_female, fake.last_name_female
    else:
        first, last = fake.first_name_male, fake.last_name_male
    return first() if rng.random() < 0.2 else f"{first()} {last()}"


def mobile_number(rng: random.Random) -> str:
    """A well-formed Indonesian mobile number, 11 or 12 digits ("0812" + 7 or 8 digits)."""
    digits = rng.choice((7, 8))
    return rng.choice(_MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(digits))
