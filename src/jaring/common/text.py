"""Text jaring keeps: no control characters.

A control character (Unicode category Cc: NUL, BEL, tab, line breaks, DEL, the C1 block) has no place in a
name, a code or a reference. PostgreSQL refuses NUL in text outright (one such cell would fail a whole
chunk of a file), SQLite keeps it and every XLSX export holding it would then fail. The checks of every
channel refuse it with the code ``control_character``.
"""

import re

CONTROL_CODE = "control_character"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def has_control_character(text: str | None) -> bool:
    """``text`` holds a character of Unicode category Cc."""
    return bool(text) and _CONTROL.search(text) is not None


def visible(text: str) -> str:
    """``text`` with each control character written as its escape (``\\x00``), for messages and logs."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)
