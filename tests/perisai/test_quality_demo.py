"""Acceptance: the ranking and the gaming signals show on the demo world, which holds agents of each kind
(productive, idle, rejoined, terminated, and one per gaming pattern). A small world is loaded once for the
module and rolled back after it."""

from datetime import date

import pytest
from django.db import transaction

from jaring.channels.models import Agent
from jaring.perisai import quality

TODAY = date(2025, 10, 24)
PARTICIPANTS = 150

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from jaring.demo.world import demo_world_load

    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_world_load(participants=PARTICIPANTS, today=TODAY, perisai_patterns=True)
        transaction.set_rollback(True)


def test_each_gaming_pattern_of_the_demo_raises_its_signal_and_nothing_else_does(demo):
    found = {
        (signal.kind, signal.agent.code) for signal in quality.agent_signals(Agent.objects.all(), as_of=TODAY)
    }
    assert found == {
        ("never_paid", "PRS-KALTIM-A8"),
        ("shared_phone", "PRS-KALTIM-A7"),
        ("burst", "PRS-KALTIM-A9"),
        ("quick_lapse", "PRS-KALTIM-A10"),
    }


def test_the_demo_ranking_puts_the_gaming_agents_below_the_productive_ones(demo):
    rows = quality.agent_ranking(Agent.objects.all(), as_of=TODAY).rows
    assert len(rows) == Agent.objects.count()
    by_code = {line.agent.code: line for line in rows}
    # registrations that never pay and NIKs that lapse at once count for nothing
    assert by_code["PRS-KALTIM-A8"].score == 0 and by_code["PRS-KALTIM-A8"].acquired > 0
    assert by_code["PRS-KALTIM-A10"].score == 0 and by_code["PRS-KALTIM-A10"].acquired > 0
    assert rows[0].score > by_code["PRS-KALTIM-A8"].score
