"""Registering participants and looking up a participant's standing."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from jaring.accounts.audit import Actor
from jaring.api.auth import ApiKeyAuth
from jaring.api.models import Scope
from jaring.api.problems import NotFound
from jaring.api.queries import participant_verified
from jaring.api.routers.common import refusals
from jaring.api.schemas import PriceOut, RegistrationIn, RegistrationOut, StatusIn, StatusOut
from jaring.contributions.queries import participant_status_now
from jaring.members.services import participant_register

router = Router(tags=["participants"])


@router.post(
    "/participants",
    auth=ApiKeyAuth(Scope.REGISTER),
    response={201: RegistrationOut, **refusals(409, 413, 422)},
    operation_id="participant_register",
    summary="Register a participant",
)
def register(request: HttpRequest, payload: RegistrationIn):
    """Registers a worker, credited to the key's outlet and agent (never to anything in the body).
    A NIK registered before answers 409 naming the first registration's number, outlet and date."""
    api_key = request.auth
    registration = participant_register(
        **payload.registered(),
        outlet=api_key.outlet,
        agent=api_key.agent,
        actor=Actor.api_key(api_key, request),
        history_allowed=Scope.HISTORY in api_key.scope_set,
    )
    participant = registration.participant
    return Status(
        201,
        RegistrationOut(
            participant_number=participant.number,
            nik=participant.masked_nik,
            status=participant.standing.status,
            registered_at=participant.registered_at,
            outlet=api_key.outlet.code,
            agent=api_key.agent.code if api_key.agent else None,
            warnings=list(registration.warnings),
        ),
    )


@router.post(
    "/participants/status",
    auth=ApiKeyAuth(Scope.STATUS),
    response={200: StatusOut, **refusals(404, 413, 422)},
    operation_id="participant_status",
    summary="A participant's standing and prices",
)
def status(request: HttpRequest, payload: StatusIn):
    """The standing today (active, arrears, lapsed or new), the last covered month and the price of
    the next 1, 3, 6 and 12 months, for any participant (workers pay where they are, not where they
    registered). The NIK goes in the body, not the URL, to keep it out of logs; a wrong birth date
    answers exactly like an unknown NIK."""
    participant = participant_verified(nik=payload.nik, number=payload.number, birth_date=payload.birth_date)
    if participant is None:
        raise NotFound(_("No participant matches this NIK (or number) and birth date."))
    standing = participant_status_now(participant)
    return StatusOut(
        participant_number=participant.number,
        nik=participant.masked_nik,
        as_of=standing.as_of,
        status=standing.standing,
        merged_into=standing.merged_into,
        paid_through=str(standing.paid_through) if standing.paid_through else None,
        registered_month=str(participant.registered_month),
        programmes=participant.programmes,
        deposit_balance=participant.standing.deposit_balance,
        prices=[
            PriceOut(
                months=count,
                first_month=str(price.months[0].month),
                last_month=str(price.months[-1].month),
                amount=price.total,
            )
            for count, price in sorted(standing.next_prices.items())
        ],
    )
