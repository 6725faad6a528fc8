"""The two Perisai target metrics, read per office for ``monitoring.progress`` (registered in apps.py):

- active agents, a level: Perisai agents active on the day asked about, by the branch they belong to
  (``Agent.office``), read from the lifecycle history (``AgentEvent``) so that a past day is answered as it
  was; an agent with no recorded history counts by its status and activation date;
- acquisitions per agent, a ratio: registrations those agents made over the period (the ``registered``
  tallies) per agent active on the day asked about. A subtree's ratio is its acquisitions over its agents.

Both are set-based: one query per figure, whatever the number of agents.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from jaring.channels.models import Agent, Partner
from jaring.monitoring.progress import OfficeReading
from jaring.perisai.models import AgentEvent
from jaring.tallies.models import Tally
from jaring.tallies.writer import REGISTERED

# Events that set an agent's state (onboarding records do not).
_STATE_EVENTS = (
    AgentEvent.Kind.ENROLLED,
    AgentEvent.Kind.ACTIVATED,
    AgentEvent.Kind.DEACTIVATED,
    AgentEvent.Kind.ELIGIBLE,
    AgentEvent.Kind.REJOINED,
    AgentEvent.Kind.TERMINATED,
)
_ACTIVE_EVENTS = (AgentEvent.Kind.ACTIVATED, AgentEvent.Kind.REJOINED)


def active_agents(day: date, office_ids: list[int] | None = None):
    """The Perisai agents active on ``day`` (a queryset), of the given branch offices (None: all)."""
    latest = (
        AgentEvent.objects.filter(agent=OuterRef("pk"), on__lte=day, kind__in=_STATE_EVENTS)
        .order_by("-on", "-id")
        .values("kind")[:1]
    )
    agents = Agent.objects.filter(partner__kind=Partner.Kind.AGENT_NETWORK).annotate(
        state=Subquery(latest), has_history=Exists(AgentEvent.objects.filter(agent=OuterRef("pk")))
    )
    if office_ids is not None:
        agents = agents.filter(office_id__in=office_ids)
    untracked = Q(has_history=False, status=Agent.Status.ACTIVE) & (
        Q(activated_on__isnull=True) | Q(activated_on__lte=day)
    )
    return agents.filter(Q(state__in=_ACTIVE_EVENTS) | untracked)


def active_agents_by_office(day: date, office_ids: list[int] | None = None) -> dict[int, int]:
    rows = active_agents(day, office_ids).values_list("office_id").annotate(n=Count("pk")).order_by()
    return {office_id or 0: n for office_id, n in rows}


def acquisitions_by_office(start: date, end: date, office_ids: list[int] | None = None) -> dict[int, int]:
    """Registrations made by Perisai agents over ``start..end``, by the agent's branch office."""
    agents = Agent.objects.filter(partner__kind=Partner.Kind.AGENT_NETWORK)
    if office_ids is not None:
        agents = agents.filter(office_id__in=office_ids)
    made = (
        Tally.objects.filter(kind=REGISTERED, day__gte=start, day__lte=end, agent_id=OuterRef("pk"))
        .values("agent_id")
        .annotate(n=Sum("count"))
        .values("n")
    )
    rows = (
        agents.annotate(made=Subquery(made))
        .filter(made__gt=0)
        .values_list("office_id")
        .annotate(n=Sum("made"))
        .order_by()
    )
    return {office_id or 0: n for office_id, n in rows}


def active_agents_reading(start: date, end: date, through: date, office_ids) -> OfficeReading:
    return OfficeReading(
        active_agents_by_office(through, office_ids),
        baseline=active_agents_by_office(start - timedelta(days=1), office_ids),
    )


def acquisitions_per_agent_reading(start: date, end: date, through: date, office_ids) -> OfficeReading:
    return OfficeReading(
        acquisitions_by_office(start, through, office_ids), per=active_agents_by_office(through, office_ids)
    )
