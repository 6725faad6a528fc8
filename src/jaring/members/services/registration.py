"""Registering participants: the one path every channel takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date
from jaring.common.errors import DuplicateRegistration, error_dict
from jaring.members.models import DuplicateAttempt, Participant
from jaring.members.validation import CleanRegistration, RegistrationContext, registration_clean
from jaring.monitoring.tallies import REGISTERED, TallyBatch, Who
from jaring.org.queries import branch_for_region


@dataclass(frozen=True)
class Registration:
    participant: Participant
    warnings: tuple[str, ...]


def participant_register(
    *,
    nik: str,
    name: str,
    birth_date: date | None,
    sex: str | None,
    village_code: str,
    occupation_code: str,
    declared_income: int | str | None,
    programmes: str,
    outlet: Outlet,
    agent: Agent | None = None,
    phone: str = "",
    permanence: str | None = None,
    segment: str = Participant.Segment.BPU,
    registered_at: datetime | None = None,
    context: RegistrationContext | None = None,
) -> Registration:
    """Registers a worker, crediting the acquisition to ``outlet`` (its partner's channel) and ``agent``.

    Raises ``ValidationError`` (per field) for bad input and ``DuplicateRegistration`` when the NIK is
    already registered, naming the existing registration's outlet and date; the refused attempt is
    recorded for reporting. Never creates a second participant for a NIK: the database's unique NIK
    settles a race between two channels.
    """
    now = timezone.now()
    registered_at = registered_at or now
    if registered_at > now + timezone.timedelta(minutes=5):
        raise error_dict("registered_at", _("The registration date is in the future."))
    if context is None:
        from jaring.contributions.queries import ratebook

        context = RegistrationContext(ratebook=ratebook())
    clean = registration_clean(
        nik=nik,
        name=name,
        birth_date=birth_date,
        sex=sex,
        phone=phone,
        village_code=village_code,
        occupation_code=occupation_code,
        declared_income=declared_income,
        programmes=programmes,
        outlet=outlet,
        agent=agent,
        registered_at=registered_at,
        context=context,
        permanence=permanence,
    )
    existing = Participant.objects.filter(nik=clean.nik).select_related("outlet").first()
    if existing is None:
        try:
            with transaction.atomic():
                participant = _participant_create(clean, outlet=outlet, agent=agent, segment=segment)
                tallies = TallyBatch()
                tallies.add(REGISTERED, local_date(participant.registered_at), Who.of(participant))
                tallies.write()
            return Registration(participant=participant, warnings=clean.warnings)
        except IntegrityError:
            existing = Participant.objects.filter(nik=clean.nik).select_related("outlet").first()
            if existing is None:
                raise
    if existing.outlet_id != outlet.pk:
        # Another channel claims a registered worker: reported. The same outlet sending its own
        # registration again (a retried request, a resent batch) is not a claim.
        DuplicateAttempt.objects.create(
            nik=clean.nik,
            participant=existing,
            channel=outlet.partner.kind,
            outlet=outlet,
            agent=agent,
            attempted_at=registered_at,
        )
    raise DuplicateRegistration(duplicate_message(existing), participant=existing)


def duplicate_message(existing: Participant) -> str:
    """'NIK already registered ... at <outlet> on <date>' in the user's language."""
    return _(
        "This NIK is already registered: participant %(number)s, registered at %(outlet)s (%(code)s) "
        "on %(date)s."
    ) % {
        "number": existing.number,
        "outlet": existing.outlet.name,
        "code": existing.outlet.code,
        "date": date_format(local_date(existing.registered_at), "j F Y"),
    }


def _participant_create(clean: CleanRegistration, *, outlet: Outlet, agent: Agent | None, segment: str):
    office = branch_for_region(clean.village_code) or outlet.office
    return Participant.objects.create(
        nik=clean.nik,
        name=clean.name,
        birth_date=clean.birth_date,
        sex=clean.sex,
        phone=clean.phone,
        village_id=clean.village_code,
        occupation=clean.occupation,
        permanence=clean.permanence,
        segment=segment,
        declared_income=clean.declared_income,
        programmes=clean.programmes,
        channel=outlet.partner.kind,
        outlet=outlet,
        agent=agent,
        office=office,
        registered_at=clean.registered_at,
        registered_month=clean.registered_month,
        status=Participant.Status.NEW,
    )
