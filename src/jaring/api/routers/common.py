"""What every router shares: the documented refusals."""

from jaring.api.schemas import Problem


def refusals(*statuses: int) -> dict[int, type[Problem]]:
    """The problem responses an operation documents: 400, 401, 403 and 429 always, plus ``statuses``."""
    return {status: Problem for status in sorted({400, 401, 403, 429, *statuses})}
