"""An outlet's daily statement, for reconciling what its till took with what jaring recorded."""

from django.http import HttpRequest
from ninja import Router

from jaring.api.auth import ApiKeyAuth
from jaring.api.models import Scope
from jaring.api.queries import outlet_statement
from jaring.api.routers.common import refusals
from jaring.api.schemas import IsoDate, StatementOut

router = Router(tags=["statements"])


@router.get(
    "/statements/{day}",
    auth=ApiKeyAuth(Scope.STATEMENT),
    response={200: StatementOut, **refusals(422)},
    operation_id="outlet_statement",
    summary="The key's outlet's statement for a day",
)
def statement(request: HttpRequest, day: IsoDate):
    """What the key's outlet recorded on ``day`` (Jakarta time): registrations, payments and deposits,
    each payment and deposit with its reference and amount. Only the key's outlet, and only the key's
    agent's part of it when the key is bound to an agent."""
    api_key = request.auth
    return StatementOut.of(outlet_statement(outlet=api_key.outlet, agent=api_key.agent, day=day))
