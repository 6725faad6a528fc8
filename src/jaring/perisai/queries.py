"""Reads of statements that the pages, the CLI and the files share."""

from __future__ import annotations

from django.db.models import QuerySet

from jaring.channels.models import Agent
from jaring.common.clock import local_date
from jaring.members.models import Participant
from jaring.perisai.models import Statement, StatementLine
from jaring.perisai.services import statements_compute
from jaring.rules.months import Month
from jaring.rules.participant_number import participant_number


def statement_for(agent: Agent, month: Month, *, refresh: bool = True) -> Statement | None:
    """The agent's statement of ``month``; a draft (or a missing one) is computed afresh first when
    ``refresh``. None when the agent has nothing in that month."""
    stored = Statement.objects.filter(agent=agent, month=month).first()
    if refresh and (stored is None or stored.state == Statement.State.DRAFT):
        statements_compute(month=month, agents=[agent])
        stored = Statement.objects.filter(agent=agent, month=month).first()
    return stored


def statement_lines(statement: Statement) -> QuerySet[StatementLine]:
    return statement.lines.order_by("kind", "paid_at", "id")


def statement_named_lines(statement: Statement) -> list[tuple[StatementLine, str, str]]:
    """The statement's lines with each participant's number and name (both empty for a line of no
    participant), the names read in one statement."""
    lines = list(statement_lines(statement))
    ids = {line.participant_id for line in lines if line.participant_id}
    names = dict(Participant.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return [
        (
            line,
            participant_number(line.participant_id) if line.participant_id else "",
            names.get(line.participant_id, ""),
        )
        for line in lines
    ]


def statement_json(agent: Agent, month: Month, statement: Statement | None) -> dict:
    """The statement as JSON: its figures and the lines behind them (participants by number only)."""
    figures = {
        key: getattr(statement, key) if statement else 0
        for key in ("acquisitions", "collected", "commission", "bonus", "total", "carried", "payable")
    }
    lines = [
        {
            "kind": line.kind,
            "payment": line.payment_id,
            "participant": participant_number(line.participant_id) if line.participant_id else None,
            "paid_on": str(local_date(line.paid_at)) if line.paid_at else None,
            "amount": line.amount,
            "commission": line.commission,
        }
        for line in (statement_lines(statement) if statement else [])
    ]
    return {
        "agent": agent.code,
        "name": agent.name,
        "month": str(month),
        "state": statement.state if statement else None,
        "rule": statement.rule_code if statement else None,
        **figures,
        "lines": lines,
    }
