"""Background tasks of the Perisai app (run by ``jaring worker``)."""

from django_tasks import task

from jaring.perisai.services import lifecycle_run, statements_compute
from jaring.rules.months import Month


@task()
def month_statements(month: str) -> dict:
    """Computes the draft statements of every agent for ``month`` (YYYY-MM); safe to run again."""
    return statements_compute(month=Month.parse(month), summary="jaring worker").as_json()


@task()
def month_lifecycle(month: str) -> dict:
    """The monthly lifecycle run after ``month`` (YYYY-MM) ended; safe to run again."""
    return lifecycle_run(month=Month.parse(month), by="jaring worker").as_json()
