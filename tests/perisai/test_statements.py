"""Monthly commission statements: the acceptance figures, reversals, late entries, approval, idempotency."""

import pytest
from tests.conftest import jakarta

from jaring.common.clock import local_date
from jaring.contributions.services import payment_record, payment_reverse
from jaring.perisai.models import Statement, StatementLine
from jaring.perisai.services import statement_approve, statements_compute
from jaring.perisai.statements import statement_reference
from jaring.rules.months import Month

MARCH, APRIL, MAY = Month.of(2025, 3), Month.of(2025, 4), Month.of(2025, 5)


def sign_up_and_pay(w, register, count, *, day=10, agent=None, month=MARCH):
    """``count`` workers signed up by the agent in ``month``, each paying one month at the minimum level."""
    agent = agent or w.prs_agent
    outlet = agent.outlet
    payments = []
    for number in range(count):
        person = register(
            outlet=outlet,
            agent=agent,
            registered_at=jakarta(month.year, month.month, day),
            name=f"Pekerja {number}",
        )
        payments.append(
            payment_record(
                history_allowed=True,
                participant=person, months=1, amount=16_800, source="test",
                idempotency_key=f"{agent.code}-{month}-{number}",
                paid_at=jakarta(month.year, month.month, day, 11), outlet=outlet, agent=agent,
            ).payment
        )  # fmt: skip
    return payments


def figures_of(statement):
    return (statement.collected, statement.commission, statement.bonus, statement.total)


@pytest.fixture
def busy_march(perisai, register):
    """PRS-1 acquires 55 participants in March 2025, each paying one month at the minimum level."""
    perisai.march_payments = sign_up_and_pay(perisai, register, 55)
    return perisai


def test_fifty_five_acquisitions_paying_the_minimum_earn_commission_and_bonus(busy_march):
    statements_compute(month=MARCH)
    statement = Statement.objects.get(agent=busy_march.prs_agent, month=MARCH)
    assert figures_of(statement) == (924_000, 69_300, 500_000, 569_300)
    assert statement.acquisitions == 55
    assert statement.payable == 569_300
    assert statement.lines.filter(kind="payment").count() == 55
    assert statement.lines.get(kind="bonus").commission == 500_000


def test_reversing_one_payment_lowers_next_months_statement_by_its_commission(busy_march, register):
    statements_compute(month=MARCH)
    statement_approve(statement=Statement.objects.get(month=MARCH), actor=None)
    # April: ten more workers pay, and one March payment is reversed.
    sign_up_and_pay(busy_march, register, 10, month=APRIL)
    payment_reverse(
        payment=busy_march.march_payments[0], reason="double entry", source="test", idempotency_key="r1",
        reversed_at=jakarta(2025, 4, 20), history_allowed=True,
    )  # fmt: skip
    statements_compute(month=APRIL)
    april = Statement.objects.get(agent=busy_march.prs_agent, month=APRIL)
    assert april.collected == 10 * 16_800 - 16_800
    assert april.commission == 10 * 1_260 - 1_260
    assert april.lines.get(kind="reversal").commission == -1_260
    # March, approved, is not changed by the reversal.
    march = Statement.objects.get(month=MARCH)
    assert figures_of(march) == (924_000, 69_300, 500_000, 569_300)


def test_a_reversal_alone_leaves_a_debt_carried_into_the_next_statement(busy_march, register):
    statements_compute(month=MARCH)
    statement_approve(statement=Statement.objects.get(month=MARCH), actor=None)
    payment_reverse(
        payment=busy_march.march_payments[0], reason="wrong person", source="test", idempotency_key="r1",
        reversed_at=jakarta(2025, 4, 20), history_allowed=True,
    )  # fmt: skip
    statements_compute(month=APRIL)
    april = Statement.objects.get(month=APRIL)
    assert (april.total, april.payable) == (-1_260, -1_260)
    statement_approve(statement=april, actor=None)
    sign_up_and_pay(busy_march, register, 2, month=MAY)
    statements_compute(month=MAY)
    may = Statement.objects.get(month=MAY)
    assert (may.total, may.carried, may.payable) == (2_520, -1_260, 1_260)


def test_recomputing_a_draft_gives_the_same_statement(busy_march):
    first = statements_compute(month=MARCH)
    lines = sorted(StatementLine.objects.values_list("payment_id", "commission"), key=str)
    again = statements_compute(month=MARCH)
    assert (first.statements, first.lines) == (again.statements, again.lines) == (1, 55)
    assert sorted(StatementLine.objects.values_list("payment_id", "commission"), key=str) == lines
    assert figures_of(Statement.objects.get(month=MARCH)) == (924_000, 69_300, 500_000, 569_300)


def _pay_late(busy_march, register) -> None:
    """A March payment recorded after March's statement was approved (a worker registered at PRS-KRW by
    the agent earlier)."""
    late = register(
        outlet=busy_march.prs_karawang, agent=busy_march.prs_agent, registered_at=jakarta(2025, 3, 2)
    )
    payment_record(
        history_allowed=True,
        participant=late, months=1, amount=16_800, source="test", idempotency_key="late",
        paid_at=jakarta(2025, 3, 30), outlet=busy_march.prs_karawang, agent=busy_march.prs_agent,
    )  # fmt: skip


def test_a_payment_arriving_after_approval_lands_in_the_next_statement(busy_march, register):
    statements_compute(month=MARCH)
    statement_approve(statement=Statement.objects.get(month=MARCH), actor=None)
    _pay_late(busy_march, register)
    statements_compute(month=MARCH)
    assert Statement.objects.get(month=MARCH).collected == 924_000  # approved: unchanged
    statements_compute(month=APRIL)
    assert Statement.objects.get(month=APRIL).collected == 16_800


def test_collections_of_an_agents_participants_paid_elsewhere_stay_the_agents(busy_march, register):
    person = busy_march.march_payments[0].participant
    payment_record(
        history_allowed=True,
        participant=person, months=1, amount=16_800, source="test", idempotency_key="pos",
        paid_at=jakarta(2025, 4, 5), outlet=busy_march.pos_karawang,
    )  # fmt: skip
    statements_compute(month=APRIL)
    assert Statement.objects.get(agent=busy_march.prs_agent, month=APRIL).collected == 16_800


def test_an_agent_of_another_channel_gets_no_statement(busy_march, register):
    person = register(
        outlet=busy_march.pos_karawang, agent=busy_march.agent, registered_at=jakarta(2025, 3, 3)
    )
    payment_record(
        history_allowed=True,
        participant=person, months=1, amount=16_800, source="test", idempotency_key="pos-agent",
        paid_at=jakarta(2025, 3, 3), outlet=busy_march.pos_karawang, agent=busy_march.agent,
    )  # fmt: skip
    statements_compute(month=MARCH)
    assert not Statement.objects.filter(agent=busy_march.agent).exists()
    result = statements_compute(month=MARCH, agents=[busy_march.agent])  # a page asking for it alone
    assert (result.statements, result.lines) == (0, 0)


def test_the_bulk_job_agrees_with_the_per_agent_reference(busy_march, register):
    sign_up_and_pay(busy_march, register, 3, agent=busy_march.prs_other, day=12)
    statements_compute(month=MARCH)
    for statement in Statement.objects.filter(month=MARCH):
        figures, lines = statement_reference(statement.agent, MARCH)
        assert (figures.collected, figures.commission, figures.bonus, figures.total) == figures_of(statement)
        assert len(lines) == statement.lines.exclude(kind="bonus").count()


def test_an_approved_statement_cannot_be_approved_again(busy_march):
    from django.core.exceptions import ValidationError

    statements_compute(month=MARCH)
    statement = statement_approve(statement=Statement.objects.get(month=MARCH), actor=None)
    with pytest.raises(ValidationError) as refused:
        statement_approve(statement=statement, actor=None)
    assert "state" in refused.value.message_dict


def test_a_future_month_is_refused(perisai):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        statements_compute(month=Month.from_date(local_date()) + 2)


def test_a_new_commission_rule_counts_from_its_month_and_a_reversal_takes_back_the_old_rate(
    busy_march, register
):
    from jaring.perisai.models import AgentRule

    AgentRule.objects.filter(kind="commission").update(valid_to=MARCH)
    AgentRule.objects.create(
        kind="commission", code="PERISAI-2025-04", valid_from=APRIL,
        data={"kind": "share_of_collections", "share": "0.1", "entry_kinds": ["contribution", "deposit"],
              "bonus_amount": 750_000, "bonus_min_acquisitions": 40, "partner_kinds": ["agent_network"]},
    )  # fmt: skip
    statements_compute(month=MARCH)
    statement_approve(statement=Statement.objects.get(month=MARCH), actor=None)
    sign_up_and_pay(busy_march, register, 2, month=APRIL)
    payment_reverse(
        payment=busy_march.march_payments[0], reason="double entry", source="test", idempotency_key="r1",
        reversed_at=jakarta(2025, 4, 20), history_allowed=True,
    )  # fmt: skip
    statements_compute(month=APRIL)
    april = Statement.objects.get(month=APRIL)
    assert april.rule_code == "PERISAI-2025-04"
    assert april.commission == 2 * 1_680 - 1_260


def test_recomputing_one_agents_draft_leaves_every_other_draft_as_it_was(busy_march, register):
    sign_up_and_pay(busy_march, register, 2, agent=busy_march.prs_other)
    statements_compute(month=MARCH)
    other = Statement.objects.get(agent=busy_march.prs_other, month=MARCH)
    before = (figures_of(other), sorted(other.lines.values_list("payment_id", flat=True)))
    # A third worker of the other agent pays after the drafts were made; then a page refreshes PRS-1's.
    late = register(
        outlet=busy_march.prs_balikpapan, agent=busy_march.prs_other, registered_at=jakarta(2025, 3, 2)
    )
    payment_record(
        history_allowed=True,
        participant=late, months=1, amount=16_800, source="test", idempotency_key="other-late",
        paid_at=jakarta(2025, 3, 30), outlet=busy_march.prs_balikpapan, agent=busy_march.prs_other,
    )  # fmt: skip

    statements_compute(month=MARCH, agents=[busy_march.prs_agent])

    other.refresh_from_db()
    assert (figures_of(other), sorted(other.lines.values_list("payment_id", flat=True))) == before
    statements_compute(month=MARCH, agents=[busy_march.prs_other])
    other.refresh_from_db()
    assert other.collected == before[0][0] + 16_800 and other.lines.filter(kind="payment").count() == 3


def test_one_agents_draft_recomputed_alone_has_the_lines_of_the_months_job(busy_march, register):
    w = busy_march
    statements_compute(month=MARCH)
    statement_approve(statement=Statement.objects.get(agent=w.prs_agent, month=MARCH), actor=None)
    # a March payment recorded after March was approved: a late entry of April's statement
    late = register(outlet=w.prs_karawang, agent=w.prs_agent, registered_at=jakarta(2025, 3, 2))
    payment_record(
        history_allowed=True,
        participant=late, months=1, amount=16_800, source="test", idempotency_key="late",
        paid_at=jakarta(2025, 3, 30), outlet=w.prs_karawang, agent=w.prs_agent,
    )  # fmt: skip
    # the agent's participant paying at a Pos counter, and a Pos participant paying the agent
    payment_record(
        history_allowed=True,
        participant=w.march_payments[1].participant, months=1, amount=16_800, source="test",
        idempotency_key="at-pos", paid_at=jakarta(2025, 4, 5), outlet=w.pos_karawang,
    )  # fmt: skip
    walk_in = register(outlet=w.pos_karawang, registered_at=jakarta(2025, 4, 1))
    payment_record(
        history_allowed=True,
        participant=walk_in, months=1, amount=16_800, source="test", idempotency_key="to-agent",
        paid_at=jakarta(2025, 4, 6), outlet=w.prs_karawang, agent=w.prs_agent,
    )  # fmt: skip
    payment_reverse(
        payment=w.march_payments[2], source="test", idempotency_key="undo", reason="wrong person",
        reversed_at=jakarta(2025, 4, 7), history_allowed=True,
    )  # fmt: skip

    statements_compute(month=APRIL)
    statement = Statement.objects.get(agent=w.prs_agent, month=APRIL)
    by_job = (figures_of(statement), sorted(statement.lines.values_list("payment_id", "kind", "commission")))
    assert len(by_job[1]) == 4  # the late entry, both April payments and the reversal

    statements_compute(month=APRIL, agents=[w.prs_agent])
    statement.refresh_from_db()
    alone = (figures_of(statement), sorted(statement.lines.values_list("payment_id", "kind", "commission")))
    assert alone == by_job


def test_one_agents_draft_finds_the_late_entries_of_that_agent_only(busy_march, register):
    statements_compute(month=MARCH)
    statement_approve(statement=Statement.objects.get(month=MARCH), actor=None)
    _pay_late(busy_march, register)
    statements_compute(month=APRIL, agents=[busy_march.agent])  # another agent: nothing of the late entry
    assert not Statement.objects.filter(month=APRIL).exists()
    statements_compute(month=APRIL, agents=[busy_march.prs_agent])  # the agent's page refreshing its draft
    assert Statement.objects.get(month=APRIL).collected == 16_800
