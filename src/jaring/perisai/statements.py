"""Reads of commission statements that need no write: the per-agent reference computation (what the
bulk job ``perisai.services.statements_compute`` must agree with) and the transfer reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from jaring.channels.models import Agent
from jaring.common.clock import month_of, start_of_day
from jaring.contributions.models import Payment
from jaring.members.models import Participant
from jaring.perisai.models import Statement, StatementLine
from jaring.perisai.rulebook import agent_rulebook
from jaring.rules.commission import AgentRuleBook, Figures
from jaring.rules.months import Month


def month_start(month: Month) -> datetime:
    return start_of_day(month.first_day())


@dataclass(frozen=True)
class ReferenceLine:
    payment_id: int
    kind: str
    amount: int
    commission: int


def statement_reference(agent: Agent, month: Month, *, rules: AgentRuleBook | None = None):
    """One agent's month computed with the ORM and the calculator in Python, entry by entry, without
    writing anything: ``(Figures, lines)``. Follows the rules of ``statements_compute`` for entries paid in
    the month and not yet in another statement (late entries and carried debts are the bulk job's)."""
    rules = rules or agent_rulebook()
    rule = rules.commission_for(month)
    own = Statement.objects.filter(agent=agent, month=month).first()
    entries = (
        Payment.objects.filter(Q(participant__agent=agent) | Q(participant__agent__isnull=True, agent=agent))
        .filter(paid_at__gte=month_start(month), paid_at__lt=month_start(month + 1))
        .select_related("reverses")
        .order_by("paid_at", "id")
    )
    lines = []
    for entry in entries:
        taken = (
            StatementLine.objects.filter(payment=entry).exclude(statement=own).exists()
            if own
            else (StatementLine.objects.filter(payment=entry).exists())
        )
        if taken:
            continue
        judged = entry.reverses or entry
        entry_rule = rules.commission_for(month_of(judged.paid_at))
        if not entry_rule.calculator.counts(judged.kind):
            continue
        lines.append(
            ReferenceLine(
                entry.pk, entry.kind, entry.amount, entry_rule.calculator.line_commission(entry.amount)
            )
        )
    acquired = Participant.objects.filter(
        agent=agent, registered_at__gte=month_start(month), registered_at__lt=month_start(month + 1)
    ).count()
    prior = Statement.objects.filter(agent=agent, month__lt=month).order_by("-month").first()
    figures = Figures(
        collected=sum(line.amount for line in lines),
        commission=sum(line.commission for line in lines),
        bonus=rule.calculator.bonus(acquired),
        carried=min(prior.payable, 0) if prior else 0,
    )
    return figures, lines


def statement_reference_code(statement: Statement) -> str:
    """The transfer reference the bank shows the agent: ``PRS-<month>-<agent code>``."""
    return f"PRS-{statement.month}-{statement.agent.code}"
