"""The social-security programmes a BPU (informal) participant can join, and how they are written."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class Programme(StrEnum):
    JKK = "JKK"  # work accident, mandatory
    JKM = "JKM"  # death, mandatory
    JHT = "JHT"  # old-age savings, optional


MANDATORY = frozenset({Programme.JKK, Programme.JKM})
_ORDER = (Programme.JKK, Programme.JKM, Programme.JHT)
_SEPARATORS = re.compile(r"[+,\s]+")


def parse_programmes(text: str) -> frozenset[Programme]:
    """The programmes named in ``text`` ("JKK+JKM+JHT", "jkk, jkm"); ValueError with the reason otherwise.

    Codes are separated by "+", "," or spaces, in any case. JKK and JKM are mandatory; JP (pension)
    exists but is not open to BPU participants.
    """
    codes = [code for code in _SEPARATORS.split(text.strip().upper()) if code]
    if not codes:
        raise ValueError("no programme given: a BPU participant joins at least JKK+JKM")
    chosen: set[Programme] = set()
    for code in codes:
        if code == "JP":
            raise ValueError("JP (pension) is not available to BPU participants")
        try:
            chosen.add(Programme(code))
        except ValueError:
            raise ValueError(
                f"unknown programme {code!r}: expected some of {', '.join(_ORDER)} (JKK and JKM mandatory)"
            ) from None
    missing = MANDATORY - chosen
    if missing:
        raise ValueError(
            f"JKK and JKM are mandatory for BPU participants; missing {format_programmes(missing)}"
        )
    return frozenset(chosen)


def format_programmes(programmes: Iterable[Programme]) -> str:
    """The canonical spelling, in the order JKK, JKM, JHT: "JKK+JKM" or "JKK+JKM+JHT"."""
    chosen = {Programme(programme) for programme in programmes}
    return "+".join(programme.value for programme in _ORDER if programme in chosen)
