"""Reads of participants that pages, API, CLI and the write paths share."""

from __future__ import annotations

from django.db.models import Q

from jaring.members.models import Participant
from jaring.rules.nik import NIK_SEPARATORS
from jaring.rules.participant_number import participant_seq

# What people type inside a NIK or a participant number copied from a card: spaces, dots, dashes.


def identifier_parse(text: str | None) -> tuple[str, str | int] | None:
    """How a participant is named: ``("nik", nik)`` for 16 digits, ``("pk", id)`` for a participant number
    (11 digits whose check digit holds), None for anything else. The one reading of "NIK or number" for
    the desk, the API, files, the CLI and the back office."""
    text = text or ""
    if len(text) == 16 and text.isascii() and text.isdigit():
        return "nik", text  # the usual case, read for every row of every file: no separators to take out
    text = NIK_SEPARATORS.sub("", text)
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text) == 16:
        return "nik", text
    if len(text) == 11:
        try:
            return "pk", participant_seq(text)
        except ValueError:
            return None
    return None


NAME_SEARCH_MIN = 3  # letters of a name before a search by name runs


def participant_matching(text: str | None, *, via: str = "") -> Q | None:
    """What a search box means by the text typed: the exact NIK or participant number, or a part of a
    name (``NAME_SEARCH_MIN`` letters or more), as a filter on participants (``via``: the path to them,
    "participant__" from a membership); None when it can name nobody (other digits, too short). The one
    rule of the desk's search and the payers' member lists."""
    text = " ".join((text or "").split())
    if (exact := identifier_parse(text)) is not None:
        return Q(**{f"{via}{exact[0]}": exact[1]})
    if text.replace(" ", "").isdigit() or len(text) < NAME_SEARCH_MIN:
        return None
    return Q(**{f"{via}name__icontains": text})


def participant_find(identifier: str | None, *, queryset=None) -> Participant | None:
    """The participant with this NIK or participant number among ``queryset`` (every participant, with
    the relations pages show, when not given); None when the text names nobody there."""
    parsed = identifier_parse(identifier)
    if parsed is None:
        return None
    if queryset is None:
        queryset = Participant.objects.select_related(
            "standing", "outlet", "agent", "office", "village", "occupation"
        )
    return queryset.filter(**{parsed[0]: parsed[1]}).first()
