"""Serving a worker registered elsewhere, at any counter.

A BPU worker registers once and then pays at any Pos, bank, kiosk or agent. The desk finds the workers a
user serves by NIK or participant number alone (``access.participant_lookup``); a worker registered
elsewhere is found by the **exact** NIK or participant number together with the birth date on their ID
card, and shown masked: the name's initials, the month paid through and what is due, which is enough to
take a payment or a deposit and no more. The participant page stays scoped.

Every such lookup is audited, matched or not, and each user may make ``COUNTER_LOOKUPS_PER_HOUR`` of
them (setting ``JARING_COUNTER_LOOKUPS_PER_HOUR``): the birth date is what the worker shows at the
counter, and the limit keeps anyone from trying birth dates or walking through NIKs. The page asks for
the birth date for any well-formed NIK or number, so it never tells whether a NIK is registered. A
lookup that matched lets the user act for that worker for ``GRANT_SECONDS`` (kept in the session), so
the payment form, the deposit preview and the receipt need not ask again.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit_personal_data
from jaring.accounts.models import Action
from jaring.accounts.scope import Scope
from jaring.common.privacy import mask_nik
from jaring.common.ratelimit import window_hit
from jaring.desk.access import participant_lookup
from jaring.members.models import Participant
from jaring.members.queries import identifier_parse, participant_find

GRANT_SECONDS = 30 * 60
GRANTS_SESSION_KEY = "desk_counter_grants"
LOOKUP_WINDOW = 3600  # seconds: the limit is per hour


@dataclass(frozen=True)
class DeskFind:
    """What the desk's search box found: the participant (None when nobody), whether they are registered
    outside the user's scope (shown masked), whether the page should ask for the birth date, and what to
    tell the user."""

    participant: Participant | None = None
    elsewhere: bool = False
    ask_birth_date: bool = False
    error: str = ""


def desk_find(request: HttpRequest, scope: Scope, identifier: str, born: str | None = None) -> DeskFind:
    """The participant a desk page names by ``identifier`` (NIK or participant number): one the user
    serves; else one registered elsewhere whose birth date is ``born`` (ISO date, as a date input
    sends it), or whom a lookup in this session already matched."""
    identifier = (identifier or "").strip()
    if not identifier:
        return DeskFind()
    if (participant := participant_lookup(scope, identifier)) is not None:
        return DeskFind(participant=participant)
    if (parsed := identifier_parse(identifier)) is None:
        return DeskFind(error=_("Type the NIK (16 digits) or the participant number (11 digits)."))
    participant = participant_find(identifier, queryset=Participant.objects.select_related("standing"))
    if participant is not None and counter_granted(request, participant):
        return DeskFind(participant=participant, elsewhere=True)
    if not born:
        return DeskFind(ask_birth_date=True)
    try:
        born_on = date.fromisoformat(born)
    except ValueError:
        return DeskFind(ask_birth_date=True, error=_("Type the birth date as it is on the ID card."))
    limit = getattr(settings, "JARING_COUNTER_LOOKUPS_PER_HOUR", 30)
    if (wait := window_hit(f"counter:{request.user.pk}", limit=limit, window=LOOKUP_WINDOW)) is not None:
        return DeskFind(
            ask_birth_date=True,
            error=_("Too many lookups of workers registered elsewhere: try again in %(minutes)s minutes.")
            % {"minutes": math.ceil(wait / 60)},
        )
    matched = participant is not None and participant.birth_date == born_on
    # the NIK as read (without the spaces or dots typed), masked; a participant number as typed
    named = mask_nik(parsed[1]) if parsed[0] == "nik" else identifier
    audit_personal_data(
        request,
        Action.VIEW_PERSONAL_DATA,
        obj=participant if matched else Participant,
        summary=Said(
            gettext_noop("counter lookup of a worker registered elsewhere: %(who)s, birth date matched")
            if matched
            else gettext_noop("counter lookup of a worker registered elsewhere: %(who)s, no match"),
            {"who": named},
        ),
    )
    if not matched:
        return DeskFind(
            ask_birth_date=True,
            error=_(
                "No participant has this NIK or participant number with this birth date. "
                "Check both on the worker's ID card."
            ),
        )
    _grant(request, participant)
    return DeskFind(participant=participant, elsewhere=True)


def counter_granted(request: HttpRequest, participant: Participant) -> bool:
    """Whether a lookup in this session matched ``participant`` and may still be acted on."""
    until = request.session.get(GRANTS_SESSION_KEY, {}).get(str(participant.pk))
    return until is not None and until > time.time()


def _grant(request: HttpRequest, participant: Participant) -> None:
    now = time.time()
    grants = {pk: until for pk, until in request.session.get(GRANTS_SESSION_KEY, {}).items() if until > now}
    grants[str(participant.pk)] = now + GRANT_SECONDS
    request.session[GRANTS_SESSION_KEY] = grants
