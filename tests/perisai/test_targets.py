"""The Perisai target metrics: active agents (a level, read from the lifecycle history) and acquisitions
per agent (a ratio rolled up as a sum over a sum), through the office target status."""

from datetime import date

import pytest
from tests.conftest import jakarta

from jaring.monitoring.models import Target
from jaring.monitoring.progress import target_status
from jaring.monitoring.services import target_set
from jaring.perisai.services import agent_deactivate
from jaring.perisai.targets import active_agents_by_office

YEAR = {"start": date(2024, 1, 1), "end": date(2024, 12, 31)}


def line(status, metric):
    return next(each for each in status.lines if each.metric == metric)


@pytest.fixture
def acquired(perisai, register):
    """PRS-1 (Karawang) signs up four workers in March 2024, PRS-2 (Balikpapan) two."""
    w = perisai
    for day in (4, 5, 6, 7):
        register(outlet=w.prs_karawang, agent=w.prs_agent, registered_at=jakarta(2024, 3, day))
    for day in (4, 5):
        register(
            outlet=w.prs_balikpapan,
            agent=w.prs_other,
            district="64.71.01",
            registered_at=jakarta(2024, 3, day),
        )
    return w


def test_active_agents_are_read_as_they_were_on_the_day(acquired):
    w = acquired
    assert active_agents_by_office(date(2024, 1, 5)) == {}  # both activated on 10 January
    assert active_agents_by_office(date(2024, 2, 1)) == {w.karawang_branch.pk: 1, w.balikpapan.pk: 1}
    agent_deactivate(agent=w.prs_other, reason="idle", on=date(2024, 6, 1))
    assert active_agents_by_office(date(2024, 5, 31)) == {w.karawang_branch.pk: 1, w.balikpapan.pk: 1}
    assert active_agents_by_office(date(2024, 6, 1)) == {w.karawang_branch.pk: 1}


def test_the_agent_targets_of_an_office_roll_up_as_a_ratio_of_sums(acquired):
    w = acquired
    target_set(metric=Target.Metric.ACTIVE_AGENTS, office=w.head, value=4, **YEAR)
    target_set(metric=Target.Metric.ACQUISITIONS_PER_AGENT, office=w.head, value=10, **YEAR)
    target_set(metric=Target.Metric.ACQUISITIONS_PER_AGENT, office=w.karawang_branch, value=6, **YEAR)

    national = target_status(w.head, date(2024, 3, 31))
    agents = line(national, Target.Metric.ACTIVE_AGENTS)
    assert (agents.target, agents.achievement, agents.baseline) == (4, 2, 0)
    per_agent = line(national, Target.Metric.ACQUISITIONS_PER_AGENT)
    assert (per_agent.target, per_agent.achievement) == (10, 3)  # (4 + 2) / 2, not 4 + 2

    karawang = line(target_status(w.karawang_branch, date(2024, 3, 31)), Target.Metric.ACQUISITIONS_PER_AGENT)
    assert (karawang.target, karawang.achievement) == (6, 4)

    agent_deactivate(agent=w.prs_agent, reason="idle", on=date(2024, 6, 1))
    later = target_status(w.karawang_branch, date(2024, 6, 30))
    assert line(later, Target.Metric.ACQUISITIONS_PER_AGENT).achievement is None  # no agent left to divide by
