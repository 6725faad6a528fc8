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
    """The NIK is already registered; carries the existing participant, and whether the sender may be
    told which one it is (``disclosed``: the sender's partner registered it)."""

    def __init__(self, message: str, *, participant, disclosed: bool = True):
        super().__init__({"nik": [ValidationError(message, code="duplicate")]})
        self.participant = participant
        self.disclosed = disclosed


def error_dict(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A ``ValidationError`` for one field."""
    return ValidationError({field: [ValidationError(message, code=code)]})


class Problem(tuple):
    """One reason a request is refused: the field, a stable code (``price_mismatch``) for counting and
    for every channel's disclosure rules, and the message in the user's language."""

    __slots__ = ()

    def __new__(cls, field: str, code: str, message):
        # ``message`` may be lazy (translated, or naming a record written later in the same list): it is
        # made text when read.
        return super().__new__(cls, (field, code, message))

    field = property(lambda self: self[0])
    code = property(lambda self: self[1])
    message = property(lambda self: str(self[2]))

    @property
    def reason(self) -> str:
        """``field:code``, as import results and counts name a refusal."""
        return f"{self[0]}:{self[1]}"


def problems_error(problems) -> ValidationError:
    """The problems as one ``ValidationError`` keyed by field (messages with their codes)."""
    fields: dict[str, list[ValidationError]] = {}
    for problem in problems:
        fields.setdefault(problem.field, []).append(ValidationError(problem.message, code=problem.code))
    return ValidationError(fields)


def problems_of(error: ValidationError) -> list[Problem]:
    """A ``ValidationError`` (per field or not) as problems."""
    if not hasattr(error, "error_dict"):
        return [Problem("row", "invalid", message) for message in error.messages]
    return [
        Problem(name, item.code or "invalid", message)
        for name, items in error.error_dict.items()
        for item in items
        for message in item.messages
    ]
