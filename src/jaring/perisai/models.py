"""Perisai agents: their rules as data, their lifecycle history, monthly statements and payouts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Agent
from jaring.common.fields import MonthField
from jaring.common.models import EffectiveRule


class AgentRule(EffectiveRule):
    """One effective-dated Perisai rule: a commission rule (``data`` holds its calculator's ``kind`` and
    parameters, as in ``rules/data/perisai.json``), the lifecycle thresholds, or the thresholds of the
    agent quality reads and gaming signals (``perisai/quality_thresholds.json``; a later row replaces an
    earlier one from its first month). The window is in columns so an operator can close a rule and start
    another."""

    class Kind(models.TextChoices):
        COMMISSION = "commission", _("commission")
        LIFECYCLE = "lifecycle", _("lifecycle")
        QUALITY = "quality", _("quality thresholds")

    kind = models.CharField(max_length=10, choices=Kind.choices)


class AgentEvent(models.Model):
    """One step of an agent's lifecycle, kept for good (the agent row holds only the latest state)."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled as a candidate")
        ONBOARDING = "onboarding", _("onboarding recorded")
        ACTIVATED = "activated", _("activated")
        DEACTIVATED = "deactivated", _("deactivated")
        ELIGIBLE = "eligible", _("eligible to rejoin")
        REJOINED = "rejoined", _("rejoined")
        TERMINATED = "terminated", _("terminated")

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    by = models.CharField(max_length=150, blank=True, help_text="username, or the monthly task")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agent", "on", "id"]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.kind} {self.on}"


class Payout(models.Model):
    """A payout file for the bank: the approved statements of a month paid in one transfer batch."""

    month = MonthField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    statements = models.PositiveIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-month", "-id"]

    def __str__(self) -> str:
        return f"payout {self.month} #{self.pk}"


class Statement(models.Model):
    """An agent's commission statement for a month.

    ``draft`` is recomputed from the ledger and the tallies as often as wanted; ``approved`` (by branch
    staff of the agent's branch) is never changed again, and a ledger entry that arrives later lands in the
    next month's statement; ``paid`` once it is in a payout file. The figures are sums of the lines.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        PAID = "paid", _("paid")

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="statements")
    month = MonthField()
    ends_at = models.DateTimeField(help_text="The end of the month (exclusive), Jakarta time.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    rule_code = models.CharField(max_length=40)
    acquisitions = models.PositiveIntegerField(default=0)
    collected = models.BigIntegerField(default=0)
    commission = models.BigIntegerField(default=0)
    bonus = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    carried = models.BigIntegerField(default=0, help_text="A negative balance from the previous statement.")
    payable = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payout = models.ForeignKey(Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="paid")

    class Meta:
        ordering = ["-month", "agent"]
        indexes = [models.Index(fields=["month", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["agent", "month"], name="statement_once_per_agent_month"),
            models.CheckConstraint(
                condition=Q(total=models.F("commission") + models.F("bonus")), name="statement_total"
            ),
            models.CheckConstraint(condition=Q(carried__lte=0), name="statement_carries_only_debt"),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(payout__isnull=False), name="statement_paid_in_a_payout"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.month}"


class StatementLine(models.Model):
    """A ledger entry credited to the agent (a payment, a month bought from deposits, a reversal) with
    what it earns, or the month's bonus. A ledger entry is in at most one statement, ever."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("payment")
        REVERSAL = "reversal", _("reversal")
        BONUS = "bonus", _("bonus")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Not a database constraint: the ledger is distributed on Citus and statements stay on the
    # coordinator, and Citus keeps no key from there into a distributed table. Lines are selected from the
    # ledger itself (``perisai.services.statements``) and ledger entries are never deleted (docs/scale.md).
    payment = models.OneToOneField(
        "contributions.Payment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commission_line",
        db_constraint=False,
    )
    participant_id = models.BigIntegerField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    amount = models.BigIntegerField(default=0, help_text="The contribution collected (negative: reversed).")
    commission = models.BigIntegerField(default=0, help_text="What the line earns the agent.")

    class Meta:
        ordering = ["statement", "paid_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="bonus", payment__isnull=True)
                | (~Q(kind="bonus") & Q(payment__isnull=False)),
                name="statement_line_has_entry_unless_bonus",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} -> {self.commission}"
