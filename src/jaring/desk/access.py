"""Who may use the desk, at which outlet they act, and which participants they can find there.

The desk is for the roles that register workers and take payments (``accounts.scope.ACTING_ROLES``):
tellers, agents, branch staff and admins. Everyone else gets a 404 on every desk page, like anything else
outside their scope.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from jaring.accounts.models import Role
from jaring.accounts.scope import ACTING_ROLES, Scope, scope_for
from jaring.channels.models import Outlet
from jaring.members.models import Participant
from jaring.members.queries import participant_find, participant_matching

# The outlet last chosen by a user who may act at several (branch staff, a teller of a KCU with KCs).
OUTLET_SESSION_KEY = "desk_outlet"


def desk_scope(request: HttpRequest) -> Scope:
    """The user's scope, or Http404 when the user does not act at outlets (or is an agent without one)."""
    scope = scope_for(request.user)
    if scope.role not in ACTING_ROLES:
        raise Http404
    if scope.role == Role.AGENT and scope.agent.outlet_id is None:
        raise Http404
    return scope


def acting_outlets(scope: Scope) -> QuerySet:
    """The open outlets where the user may register and take payments: a teller's outlet and its child
    outlets, an agent's outlet, the outlets of a branch, any outlet for an admin."""
    outlets = scope.outlets(Outlet.objects.select_related("partner", "office")).filter(is_active=True)
    return outlets.order_by("code")


def default_outlet(request: HttpRequest, scope: Scope, outlets: QuerySet) -> Outlet | None:
    """Where the user acts unless they choose otherwise: an agent at the agent's outlet; anyone else at
    the outlet they chose last, else a teller at their own outlet, else the first outlet they may use."""
    if scope.role == Role.AGENT:
        return outlets.filter(pk=scope.agent.outlet_id).first()
    chosen = request.session.get(OUTLET_SESSION_KEY)
    if chosen and (outlet := outlets.filter(code=chosen).first()) is not None:
        return outlet
    if scope.outlet is not None and (outlet := outlets.filter(pk=scope.outlet.pk).first()) is not None:
        return outlet
    return outlets.first()


def remember_outlet(request: HttpRequest, outlet: Outlet) -> None:
    request.session[OUTLET_SESSION_KEY] = outlet.code


def acting_agent(scope: Scope):
    """The agent credited with what the user does: the user's own agent record, or None."""
    return scope.agent if scope.role == Role.AGENT else None


def participant_lookup(scope: Scope, identifier: str) -> Participant | None:
    """The participant in the user's scope with this NIK (16 digits) or participant number (11 digits
    with a valid check digit); None when there is none, or none the user may see."""
    participants = scope.participants(
        Participant.objects.select_related("standing", "outlet", "agent", "occupation")
    )
    return participant_find(identifier, queryset=participants)


def participants_search(scope: Scope, text: str, *, limit: int = 20) -> list[Participant]:
    """The desk's search box: an exact NIK or participant number, or a part of a name (3 letters or
    more), within the user's scope."""
    matching = participant_matching(text)
    if matching is None:
        return []
    participants = scope.participants(
        Participant.objects.select_related("standing", "outlet", "agent", "occupation")
    )
    return list(participants.filter(matching).order_by("name", "pk")[:limit])
