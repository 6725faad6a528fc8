"""Every write to the participant registry, for every channel.

``registration``: registering workers (one or many, the same check and apply).
"""

from jaring.members.services.registration import Registration, duplicate_message, participant_register

__all__ = ["Registration", "duplicate_message", "participant_register"]
