"""The event a registration names: the one check every channel's registration takes
(``members.services.registration.registration_check`` calls it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jaring.common.clock import local_date
from jaring.common.errors import Problem
from jaring.common.text import CONTROL_CODE, has_control_character
from jaring.events.models import Event

FIELD = "event_code"


def event_check(
    code: str, registered_at: datetime, lookup: Callable[[str], Event | None]
) -> tuple[Event | None, list[Problem]]:
    """The event named by ``code`` (None for an empty code) and the problems refusing it: no event has the
    code, or the registration's day is not one of the event's days."""
    code = (code or "").strip()
    if not code:
        return None, []
    if has_control_character(code):
        return None, [Problem(FIELD, CONTROL_CODE, _("The event code holds a control character."))]
    event = lookup(code.upper())
    if event is None:
        return None, [Problem(FIELD, "unknown", _("No event has the code %(code)s.") % {"code": code})]
    day = local_date(registered_at)
    if not event.starts_on <= day <= event.ends_on:
        message = _("Event %(code)s runs from %(start)s to %(end)s; this registration is dated %(day)s.") % {
            "code": event.code,
            "start": date_format(event.starts_on, "j F Y"),
            "end": date_format(event.ends_on, "j F Y"),
            "day": date_format(day, "j F Y"),
        }
        return None, [Problem(FIELD, "not_running", message)]
    return event, []
