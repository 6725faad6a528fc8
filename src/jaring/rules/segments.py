"""A participant's segment month by month, from their employments (pure, no Django).

A NIK is one person across segments. A participant is a wage earner (PU) in every month an employment
of theirs covers, whichever employer and however many; in any other month they are in their own
segment: the one they were registered under (BPU, Jakon, PMI), and BPU for a worker registered as a
wage earner, who outside a job can only be covered by paying for themselves.

The registration is counted once, on its day, in the segment it was made in. ``segment_moves`` gives
the moves that then carry the participant from segment to segment: what the tallies add (``moved``) so
that the registered participants of a day, counted by segment, are each in their segment of that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jaring.rules.months import Month

PU, BPU = "PU", "BPU"

# An employment's months: the first, and the last (None while it runs).
Stretch = tuple[Month, Month | None]


def home_segment(registered_segment: str) -> str:
    """The segment of a participant in a month no employment covers."""
    return BPU if registered_segment == PU else registered_segment


def employed_stretches(stretches: Iterable[Stretch]) -> list[Stretch]:
    """The months covered by any of ``stretches``, as separate runs in order: overlapping and
    adjoining stretches (two employers at once, a wage change) make one run."""
    merged: list[list] = []
    for first, last in sorted(stretches, key=lambda stretch: stretch[0]):
        if merged and (merged[-1][1] is None or first <= merged[-1][1] + 1):
            if merged[-1][1] is not None and (last is None or last > merged[-1][1]):
                merged[-1][1] = last
            continue
        merged.append([first, last])
    return [(first, last) for first, last in merged]


def segment_in(month: Month, registered_segment: str, stretches: Iterable[Stretch]) -> str:
    """The participant's segment in ``month``."""
    for first, last in stretches:
        if first <= month and (last is None or month <= last):
            return PU
    return home_segment(registered_segment)


def segment_moves(
    registered_on: date, registered_segment: str, stretches: Iterable[Stretch]
) -> list[tuple[date, str, int]]:
    """The moves between segments of a participant registered on ``registered_on`` in
    ``registered_segment``: (day, segment, +1 or -1), a move being -1 in the segment left and +1 in the
    one entered, on the first day of the month it happens in. A move in the month of registration (or
    before it: an employment stated from an earlier month) happens on the registration day: the
    participant is counted nowhere before it."""
    home = home_segment(registered_segment)
    runs = employed_stretches(stretches)
    start = Month.from_date(registered_on)
    moves: list[tuple[date, str, int]] = []

    def move(day: date, left: str, entered: str) -> None:
        if left != entered:
            moves.extend(((day, left, -1), (day, entered, 1)))

    move(registered_on, registered_segment, segment_in(start, registered_segment, runs))
    for first, last in runs:
        if first > start:
            move(first.first_day(), home, PU)
        if last is not None and last + 1 > start:
            move((last + 1).first_day(), PU, home)
    return moves
