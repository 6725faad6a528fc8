"""The demo world's Perisai agents: every step of the lifecycle and the gaming patterns."""

from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count

from jaring.channels.models import Agent
from jaring.demo.world import demo_world_load
from jaring.members.models import Participant
from jaring.monitoring.models import ContestPeriod
from jaring.perisai.services import idle_agents
from jaring.rules.months import Month

TODAY = date(2025, 10, 24)
PARTICIPANTS = 70


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_world_load(participants=PARTICIPANTS, today=TODAY, perisai_patterns=True)
        transaction.set_rollback(True)


def agent(number):
    return Agent.objects.get(code=f"PRS-KALTIM-A{number}")


@pytest.mark.django_db
def test_the_world_holds_the_participants_asked_for(demo):
    # the informal workers asked for; the demo's companies add their wage earners beside them
    from jaring.demo.duplicates import CASES, TWINS  # and the demo's probable duplicates and twins
    from jaring.demo.events import WALKS  # the walks' walkers come on top of the participants asked for

    added = sum(w.new for w in WALKS) + len(CASES) + len(TWINS)
    assert Participant.objects.filter(segment="BPU").count() == PARTICIPANTS + added


@pytest.mark.django_db
def test_agents_stand_at_every_step_of_the_lifecycle(demo):
    assert agent(5).status == "active" and agent(5).events.filter(kind="rejoined").exists()
    assert agent(6).status == "terminated"
    assert agent(4).pk in idle_agents(Month.from_date(TODAY) - 1)
    assert agent(7).pk not in idle_agents(Month.from_date(TODAY) - 1)


@pytest.mark.django_db
def test_the_gaming_patterns_are_there(demo):
    shared = agent(7).participants.values("phone").annotate(n=Count("pk")).order_by("-n").first()
    assert shared["n"] >= 5
    assert agent(8).participants.filter(standing__paid_through__isnull=True).count() >= 5
    period = ContestPeriod.objects.get(contest__code__startswith="perisai-racing")
    tail = agent(9).participants.filter(registered_at__date__gte=period.end.replace(day=1))
    assert tail.count() >= 10
    assert agent(10).participants.filter(standing__status="lapsed").count() >= 3


@pytest.mark.django_db
def test_the_demo_holds_statements_at_every_state(demo):
    from jaring.perisai.models import Payout, Statement

    month = Month.from_date(TODAY)
    by_month = {
        each: set(Statement.objects.filter(month=each).values_list("state", flat=True))
        for each in (month - 3, month - 2, month - 1)
    }
    assert by_month[month - 3] <= {"paid", "approved"} and "paid" in by_month[month - 3]
    assert by_month[month - 2] == {"approved"}
    assert by_month[month - 1] == {"draft"}
    assert Payout.objects.filter(month=month - 3).count() == 1
