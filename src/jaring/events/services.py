"""Writing campaigns and events: one path for the page, the command line, the admin and the scenarios.

``campaign_save`` and ``event_save`` create a record or update the one with the same code (so loading a
scenario again changes nothing), after checking every field: a bad field is named with its reason and
nothing is written. Each audits its ``actor`` in the write's transaction. Sign-ups are written by the
registration path (``members.services.registration``), never here.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.common.errors import Problem, problems_error
from jaring.common.text import has_control_character
from jaring.events.models import Campaign, Event
from jaring.org.models import Office
from jaring.org.queries import serving_branch_id
from jaring.regions.models import Region

CODE_MAX = 30
NAME_MAX = 120
NOTE_MAX = 500
CITY = Region.Level.REGENCY


def _code(value: str, problems: list[Problem]) -> str:
    code = (value or "").strip().upper()
    if not code:
        problems.append(Problem("code", "required", _("Give the code.")))
    elif (
        len(code) > CODE_MAX or has_control_character(code) or not all(c.isalnum() or c in "-_" for c in code)
    ):
        problems.append(
            Problem("code", "invalid", _("A code is up to 30 letters, digits, dashes or underscores."))
        )
    return code


def _name(value: str, problems: list[Problem]) -> str:
    name = " ".join((value or "").split())
    if not name:
        problems.append(Problem("name", "required", _("Give the name.")))
    elif len(name) > NAME_MAX or has_control_character(name):
        problems.append(Problem("name", "invalid", _("A name is up to 120 characters.")))
    return name


def _days(starts_on: date | None, ends_on: date | None, problems: list[Problem]) -> None:
    if starts_on is None:
        problems.append(Problem("starts_on", "required", _("Give the first day.")))
    if ends_on is None:
        problems.append(Problem("ends_on", "required", _("Give the last day.")))
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(Problem("ends_on", "before_start", _("The last day is before the first day.")))


def _count(value, name: str, problems: list[Problem], *, optional: bool = False) -> int | None:
    if value is None or value == "":
        if optional:
            return None
        return 0
    try:
        number = int(str(value).strip().replace(".", ""))
    except ValueError:
        number = -1
    if number < 0:
        problems.append(Problem(name, "invalid", _("A whole number of at least 0.")))
        return None
    return number


def campaign_save(
    *, actor, code: str, name: str, starts_on: date | None, ends_on: date | None, note: str = ""
) -> Campaign:
    """Creates the campaign ``code``, or updates it; raises ``ValidationError`` per field."""
    problems: list[Problem] = []
    code, name = _code(code, problems), _name(name, problems)
    _days(starts_on, ends_on, problems)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        problems.append(Problem("note", "invalid", _("A note is up to 500 characters.")))
    if problems:
        raise problems_error(problems)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(code=code).first()
        values = {"name": name, "starts_on": starts_on, "ends_on": ends_on, "note": note}
        if campaign is None:
            campaign = Campaign.objects.create(code=code, **values)
            audit(
                actor, "create", obj=campaign, after=campaign, summary=Said(gettext_noop("campaign created"))
            )
        elif any(getattr(campaign, key) != value for key, value in values.items()):
            before = {key: getattr(campaign, key) for key in values}
            for key, value in values.items():
                setattr(campaign, key, value)
            campaign.save(update_fields=list(values))
            audit(actor, "update", obj=campaign, before=before, after=values)
    return campaign


def event_save(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    city_code: str,
    starts_on: date | None,
    ends_on: date | None,
    campaign_code: str = "",
    office_code: str = "",
    target_attendance=0,
    attendance=None,
    cost=0,
) -> Event:
    """Creates the event ``code``, or updates it (its attendance once counted, its cost); raises
    ``ValidationError`` per field. The office is the branch serving the city unless one is named."""
    problems: list[Problem] = []
    code, name = _code(code, problems), _name(name, problems)
    if kind not in Event.Kind.values:
        problems.append(Problem("kind", "invalid", _("Choose the kind of event.")))
    city_code = (city_code or "").strip()
    city = Region.objects.filter(code=city_code, level=CITY).first() if city_code else None
    if city is None:
        problems.append(
            Problem(
                "city_code", "unknown", _("No regency or city has the code %(code)s.") % {"code": city_code}
            )
        )
    _days(starts_on, ends_on, problems)
    campaign = None
    if (campaign_code or "").strip():
        campaign = Campaign.objects.filter(code=campaign_code.strip().upper()).first()
        if campaign is None:
            problems.append(
                Problem(
                    "campaign_code",
                    "unknown",
                    _("No campaign has the code %(code)s.") % {"code": campaign_code},
                )
            )
        elif starts_on and ends_on and not (campaign.starts_on <= starts_on and ends_on <= campaign.ends_on):
            problems.append(
                Problem(
                    "starts_on", "outside_campaign", _("The event's days are outside its campaign's days.")
                )
            )
    office = None
    if (office_code or "").strip():
        office = Office.objects.filter(code=office_code.strip()).first()
        if office is None:
            problems.append(
                Problem(
                    "office_code", "unknown", _("No office has the code %(code)s.") % {"code": office_code}
                )
            )
    target = _count(target_attendance, "target_attendance", problems)
    counted = _count(attendance, "attendance", problems, optional=True)
    spent = _count(cost, "cost", problems)
    if problems:
        raise problems_error(problems)
    if office is None:
        office_id = serving_branch_id(city.code, outlet=None)
        office = Office.objects.filter(pk=office_id).first() if office_id else None
    values = {
        "name": name,
        "kind": kind,
        "city": city,
        "office": office,
        "campaign": campaign,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "target_attendance": target,
        "attendance": counted,
        "cost": spent,
    }
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(code=code).first()
        if event is None:
            event = Event.objects.create(code=code, **values)
            audit(actor, "create", obj=event, after=event, summary=Said(gettext_noop("event created")))
        elif any(getattr(event, key) != value for key, value in values.items()):
            before = Event.objects.get(pk=event.pk)
            for key, value in values.items():
                setattr(event, key, value)
            event.save(update_fields=list(values))
            audit(actor, "update", obj=event, before=before, after=event)
    return event
