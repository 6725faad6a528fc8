"""Background tasks of the reminders (run by ``jaring worker``)."""

from datetime import date

from django_tasks import task

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.reminders.services import reminders_plan, reminders_send


@task()
def reminders_daily(day: str | None = None) -> dict:
    """The day's reminder run: the plan for ``day`` (ISO date; default: today in Jakarta), then the send
    of whatever is due now (nothing in the quiet hours: the next run sends it)."""
    planned = reminders_plan(
        day=date.fromisoformat(day) if day else local_date(), actor=Actor("jaring worker")
    )
    sent = reminders_send()
    return {"plan": planned.as_json(), "send": sent.as_json()}
