"""Errors the services raise, for every channel to explain in its own way.

Validation problems are Django ``ValidationError`` with a message dict keyed by field, so a form, an API
response and a CLI can each show one clear message per field. The classes here add what a caller needs
to act on the error.
"""

from django.core.exceptions import ValidationError


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request; nothing was recorded."""

    def __init__(self, source: str, key: str):
        super().__init__(f"idempotency key {key!r} of {source!r} was already used for a different request")
        self.source = source
        self.key = key


class DuplicateRegistration(ValidationError):
    """The NIK is already registered; carries the existing participant so the caller can name it."""

    def __init__(self, message: str, *, participant):
        super().__init__({"nik": [ValidationError(message, code="duplicate")]})
        self.participant = participant


def error_dict(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A ``ValidationError`` for one field."""
    return ValidationError({field: [ValidationError(message, code=code)]})
