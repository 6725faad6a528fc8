"""The Perisai lifecycle: onboarding, idle deactivation, rejoining after the waiting period, termination."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import jakarta

from jaring.accounts.models import AuditEntry
from jaring.channels.models import Agent
from jaring.contributions.services import payment_record
from jaring.perisai.models import AgentEvent, AgentRule
from jaring.perisai.services import (
    agent_activate,
    agent_enrol,
    agent_onboarding_record,
    agent_rejoin,
    agent_terminate,
    lifecycle_run,
)
from jaring.rules.months import Month


def fresh(agent):
    return Agent.objects.get(pk=agent.pk)


def test_a_candidate_is_activated_only_once_every_requirement_is_recorded(perisai):
    candidate = agent_enrol(code="PRS-9", name="Ani", outlet=perisai.prs_karawang)
    agent_onboarding_record(agent=candidate, trained_on=date(2024, 2, 1), bank=perisai.bank)
    with pytest.raises(ValidationError) as refused:
        agent_activate(agent=candidate)
    missing = set(refused.value.message_dict)
    assert missing == {"participant", "bank_account", "bank_account_name", "exam_passed_on",
                       "certificate_number", "assignment_letter", "assignment_letter_on"}  # fmt: skip
    assert fresh(candidate).status == Agent.Status.CANDIDATE


def test_onboarding_refuses_bad_fields_and_changes_nothing(perisai):
    candidate = agent_enrol(code="PRS-9", name="Ani", outlet=perisai.prs_karawang)
    with pytest.raises(ValidationError) as refused:
        agent_onboarding_record(
            agent=candidate, bank=perisai.pos, bank_account="12ab", trained_on=date(2024, 3, 1),
            exam_passed_on=date(2024, 2, 1),
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"bank", "bank_account", "exam_passed_on"}
    assert fresh(candidate).trained_on is None


def test_an_agent_is_enrolled_only_at_a_perisai_office(perisai):
    with pytest.raises(ValidationError) as refused:
        agent_enrol(code="PRS-9", name="Ani", outlet=perisai.pos_karawang)
    assert "outlet" in refused.value.message_dict
    assert not Agent.objects.filter(code="PRS-9").exists()


def test_a_candidate_cannot_register_anyone(perisai, register):
    candidate = agent_enrol(code="PRS-9", name="Ani", outlet=perisai.prs_karawang)
    with pytest.raises(ValidationError) as refused:
        register(outlet=perisai.prs_karawang, agent=candidate)
    assert "agent" in refused.value.message_dict


def test_an_agent_idle_for_three_months_is_deactivated_and_cannot_register_or_collect(perisai, register):
    # PRS-1 signs someone up in March 2024; PRS-2 does nothing from February to April.
    worker = register(outlet=perisai.prs_karawang, agent=perisai.prs_agent, registered_at=jakarta(2024, 3, 5))
    result = lifecycle_run(month=Month.of(2024, 4))
    assert result.deactivated == ("PRS-2",)
    idle = fresh(perisai.prs_other)
    assert idle.status == Agent.Status.INACTIVE
    assert (idle.deactivated_on, idle.rejoin_from) == (date(2024, 5, 1), date(2024, 11, 1))
    assert fresh(perisai.prs_agent).status == Agent.Status.ACTIVE
    assert AgentEvent.objects.filter(agent=idle, kind="deactivated").count() == 1
    assert AuditEntry.objects.filter(object_type="channels.agent", action="update").exists()

    with pytest.raises(ValidationError) as refused:
        register(outlet=perisai.prs_balikpapan, agent=idle, district="64.71.01")
    assert "agent" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        payment_record(
            participant=worker, months=1, amount=16_800, source="test", idempotency_key="x",
            outlet=perisai.prs_balikpapan, agent=idle,
        )  # fmt: skip
    assert "agent" in refused.value.message_dict
    assert not worker.payments.exists()


def test_the_monthly_run_is_idempotent(perisai):
    lifecycle_run(month=Month.of(2024, 4))
    again = lifecycle_run(month=Month.of(2024, 4))
    assert again.deactivated == () and again.eligible == ()
    assert AgentEvent.objects.filter(kind="deactivated").count() == 2


def test_an_agent_active_for_less_than_the_idle_window_is_not_deactivated(perisai):
    assert lifecycle_run(month=Month.of(2024, 2)).deactivated == ()


def test_rejoining_is_allowed_only_after_six_months(perisai):
    lifecycle_run(month=Month.of(2024, 4))
    idle = fresh(perisai.prs_other)
    with pytest.raises(ValidationError) as refused:
        agent_rejoin(agent=idle, on=date(2024, 10, 31))
    assert "on" in refused.value.message_dict
    assert "PRS-2" in lifecycle_run(month=Month.of(2024, 10)).eligible
    assert fresh(idle).status == Agent.Status.ELIGIBLE
    rejoined = agent_rejoin(agent=idle, on=date(2024, 11, 1))
    assert (rejoined.status, rejoined.activated_on) == (Agent.Status.ACTIVE, date(2024, 11, 1))


def test_termination_for_fraud_is_immediate_and_final(perisai, register):
    terminated = agent_terminate(agent=perisai.prs_agent, reason="fake registrations", on=date(2024, 6, 1))
    assert terminated.status == Agent.Status.TERMINATED
    with pytest.raises(ValidationError):
        register(outlet=perisai.prs_karawang, agent=terminated)
    for step in (agent_rejoin, agent_activate):
        with pytest.raises(ValidationError) as refused:
            step(agent=terminated, on=date(2025, 6, 1))
        assert "status" in refused.value.message_dict
    assert fresh(terminated).status == Agent.Status.TERMINATED


def test_lifecycle_thresholds_are_data_with_effective_dates(perisai):
    AgentRule.objects.filter(kind="lifecycle").update(valid_to=Month.of(2024, 2))
    AgentRule.objects.create(
        kind="lifecycle", code="STRICT-2024", valid_from=Month.of(2024, 3),
        data={"idle_months": 1, "rejoin_after_months": 2, "partner_kinds": ["agent_network"]},
    )  # fmt: skip
    # under the 2024-03 rule one idle month is enough, and the wait is two months
    result = lifecycle_run(month=Month.of(2024, 3))
    assert set(result.deactivated) == {"PRS-1", "PRS-2"}
    assert fresh(perisai.prs_agent).rejoin_from == date(2024, 6, 1)


def test_each_step_is_signed_and_audited_as_done_by_its_actor(perisai, admin_user):
    from jaring.accounts.audit import Actor

    agent_terminate(
        agent=perisai.prs_agent, reason="fake registrations", on=date(2024, 6, 1), actor=admin_user
    )
    candidate = agent_enrol(
        code="PRS-9", name="Ani", outlet=perisai.prs_karawang, actor=Actor("jaring command line (ops)")
    )
    assert AgentEvent.objects.get(agent=perisai.prs_agent, kind="terminated").by == "admin"
    assert AgentEvent.objects.get(agent=candidate, kind="enrolled").by == "jaring command line (ops)"
    terminated = AuditEntry.objects.get(
        object_type="channels.agent", object_id=str(perisai.prs_agent.pk), summary="fake registrations"
    )
    enrolled = AuditEntry.objects.get(
        object_type="channels.agent", object_id=str(candidate.pk), action="create"
    )
    assert (terminated.username, enrolled.username) == ("admin", "jaring command line (ops)")
