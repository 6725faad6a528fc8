"""Every write to the participant registry, for every channel.

``registration``: registering workers (one or many, the same check and apply). ``corrections``: a
participant's details corrected in the back office. ``occupations``: the controlled occupation list.
"""

from jaring.members.services.corrections import CORRECTABLE, participant_correct
from jaring.members.services.occupations import occupation_save, occupations_seed
from jaring.members.services.registration import Registration, duplicate_message, participant_register

__all__ = [
    "CORRECTABLE",
    "Registration",
    "duplicate_message",
    "occupation_save",
    "occupations_seed",
    "participant_correct",
    "participant_register",
]
