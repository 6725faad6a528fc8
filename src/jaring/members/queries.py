"""Reads of participants that pages, API and CLI share."""

from jaring.members.models import Participant
from jaring.rules.participant_number import participant_seq


def participant_find(identifier: str) -> Participant | None:
    """The participant with this NIK (16 digits) or participant number (11 digits, check digit valid)."""
    identifier = (identifier or "").strip()
    queryset = Participant.objects.select_related("outlet", "agent", "office", "village", "occupation")
    if len(identifier) == 16 and identifier.isdigit():
        return queryset.filter(nik=identifier).first()
    try:
        return queryset.filter(pk=participant_seq(identifier)).first()
    except ValueError:
        return None
