"""Background tasks of the contributions app (run by ``jaring worker``)."""

from datetime import date

from django_tasks import task

from jaring.contributions.services import statuses_refresh


@task()
def month_end_statuses(today: str | None = None) -> dict[str, int]:
    """The month-end lapse run for the month of ``today`` (ISO date; default: today)."""
    return statuses_refresh(today=date.fromisoformat(today) if today else None)
