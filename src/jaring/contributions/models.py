"""Rates, the payment ledger, coverage, deposits and collectors' remittances, payers and bills."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Agent, Outlet, Partner
from jaring.common.fields import MonthField
from jaring.common.models import EffectiveRule
from jaring.members.models import Participant
from jaring.regions.models import Region


class RateRule(EffectiveRule):
    """One effective-dated entry of the rate book: a schedule, an adjustment (a cut for a window) or a
    coverage policy; or of the wage earners' book (a PU schedule, a JP ceiling, JKP, the size classes).
    ``data`` holds the entry as in ``rules/data/bpu_rates.json`` or ``pu_rates.json``; the validity
    window is kept in columns so operators can move it (PP 50/2025's period is not verified)."""

    class Kind(models.TextChoices):
        SCHEDULE = "schedule", _("rate schedule")
        ADJUSTMENT = "adjustment", _("adjustment")
        POLICY = "policy", _("coverage policy")
        # Wage earners (PU): rules/data/pu_rates.json
        WAGE = "wage", _("wage-earner rate schedule")
        CEILING = "ceiling", _("JP wage ceiling")
        JKP = "jkp", _("job-loss insurance (JKP)")
        SIZES = "sizes", _("employer size classes")
        EMPLOYER_BILL = "pubill", _("employer bill terms")

    kind = models.CharField(max_length=10, choices=Kind.choices)


class Payer(models.Model):
    """Someone other than the worker who pays for a group: a local budget (APBD), the central budget
    (APBN), a donor or an employer."""

    class Kind(models.TextChoices):
        APBD = "APBD", _("APBD (local government)")
        APBN = "APBN", _("APBN (central government)")
        DONOR = "DONOR", _("donor")
        EMPLOYER = "EMPLOYER", _("employer")

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    programmes = models.CharField(max_length=20, default="JKK+JKM")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(
        Outlet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payers",
        help_text="The outlet credited with the payer's payments (the local government's own outlet).",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PayerGroup(models.Model):
    """A named group a payer pays for (DKI Jakarta's PPSU street workers)."""

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="groups")
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(PayerGroup, on_delete=models.CASCADE, related_name="memberships")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="group_memberships")
    first_month = MonthField()
    last_month = MonthField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "participant"], name="membership_once_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.group.code}: {self.participant_id} from {self.first_month}"


class Bill(models.Model):
    """A payer's monthly bill: one line per member of its groups not yet covered for the month."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        PAID = "paid", _("paid")

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="bills")
    month = MonthField()
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "payer"]
        constraints = [models.UniqueConstraint(fields=["payer", "month"], name="bill_once_per_payer_month")]

    def __str__(self) -> str:
        return f"{self.payer.code} {self.month}"


class BillLine(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bill", "participant"], name="bill_line_once")]

    def __str__(self) -> str:
        return f"{self.bill}: {self.participant_id} Rp{self.amount}"


class Payment(models.Model):
    """An entry of the append-only contribution ledger.

    An entry is never changed or deleted: a correction is a reversal entry (negative amount) pointing at
    the entry it cancels. Every entry carries an idempotency key unique within its source, so a retried
    request finds the first result instead of paying twice.
    """

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("contribution")
        DEPOSIT = "deposit", _("from daily savings")
        BILL = "bill", _("payer's bill")
        REVERSAL = "reversal", _("reversal")

    participant = models.ForeignKey(  # indexed by (participant, paid_at)
        Participant, on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    first_month = MonthField()
    months = models.PositiveSmallIntegerField()
    amount = models.BigIntegerField()
    breakdown = models.JSONField(help_text="Per month, per programme amounts as priced.")
    channel = models.CharField(max_length=20, choices=Partner.Kind.choices, blank=True)
    outlet = models.ForeignKey(  # indexed by (outlet, paid_at)
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    # Not a database constraint: on Citus a key between two rows of the distributed ledger must hold the
    # distribution column (participant, id), which Django cannot declare; on PostgreSQL the ledger is
    # partitioned by month and no key can point at it. ``reversal_check`` refuses a payment that is not in
    # the participant's own ledger, entries are never deleted (docs/scale.md), and an entry is reversed
    # once: ``LedgerKey`` holds that across the months.
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        db_constraint=False,
    )
    reason = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    paid_at = models.DateTimeField()
    # An entry recorded again on the surviving record of a merge (``members.services.merge``) is dated at
    # the merge, where the tallies and statements take it; this keeps when the money was first paid, from
    # which cover and the old-age savings' yield count (claims).
    originally_paid_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_at", "id"]
        indexes = [
            models.Index(fields=["participant", "paid_at"]),
            models.Index(fields=["outlet", "paid_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="reversal", amount__lt=0, reverses__isnull=False))
                | (~Q(kind="reversal") & Q(amount__gt=0, reverses__isnull=True)),
                name="payment_sign_follows_kind",
            ),
            models.CheckConstraint(condition=Q(months__gte=1), name="payment_covers_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.first_month}+{self.months} Rp{self.amount}"


class LedgerKey(models.Model):
    """What must stay unique across the whole ledger, which PostgreSQL keeps partitioned by month (a
    unique key of a partitioned table can only hold within a month): each entry's idempotency key within
    its source, and, under the source ``REVERSED``, the id of every entry a reversal cancels, so that an
    entry is reversed once. Written with the entries, in their transaction (``ledger_apply``); a retry's
    lookup of its reference reads this table alone."""

    REVERSED = "reversed"  # no channel's source: theirs are "outlet:<code>", "deposit:<id>", ...

    pk = models.CompositePrimaryKey("source", "key")
    source = models.CharField(max_length=64)
    key = models.CharField(max_length=100)
    payment_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.source} {self.key} -> {self.payment_id}"


class CoverageRun(models.Model):
    """A run of consecutive covered months of a participant, kept in step with the ledger."""

    # Indexed by (participant, first_month). No constraint in the database: a run is written only by the
    # ledger's apply, with an entry of the same participant whose own key is checked in the same
    # transaction, and checking it again for every run cost about 5 % of a payments import.
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="coverage_runs",
        db_index=False,
        db_constraint=False,
    )
    first_month = MonthField()
    last_month = MonthField()

    class Meta:
        ordering = ["participant", "first_month"]
        indexes = [models.Index(fields=["participant", "first_month"])]
        constraints = [
            models.CheckConstraint(condition=Q(last_month__gte=models.F("first_month")), name="run_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.first_month}..{self.last_month}"


class Deposit(models.Model):
    """A small amount collected (daily, in a market) into a participant's balance; whenever the balance
    reaches a month's contribution the month is bought."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="deposits")
    amount = models.PositiveBigIntegerField()
    balance_after = models.PositiveBigIntegerField()
    outlet = models.ForeignKey(  # indexed by (outlet, collected_at)
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    collected_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["collected_at", "id"]
        # What an outlet collected in a period and up to a day (a collector's balance, the day's
        # statement, the till) is a range of this index; on PostgreSQL it carries the amount, so the sums
        # of a collector's deposits are read from the index alone (deposits are never changed).
        indexes = [
            models.Index(
                fields=["outlet", "collected_at"], include=["amount"], name="deposit_outlet_collected"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "idempotency_key"], name="deposit_idempotency_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_positive"),
        ]

    def __str__(self) -> str:
        return f"deposit Rp{self.amount} for {self.participant_id}"


class Remittance(models.Model):
    """Money a market collector hands over to the agency out of the daily deposits it took.

    The collector is the outlet (the market under its manager's MoU): deposits are reconciled against
    remittances per outlet, whichever of its staff took them. ``agent`` says who of the staff handed the
    money over, for the trail. ``reference`` is the collector's own (its slip or transfer number), unique
    per outlet, so a retry finds the first record; ``fingerprint`` tells a retry from a different
    remittance under the same reference. Never changed: no correction of a mistaken one is built yet.
    """

    outlet = models.ForeignKey(  # indexed by (outlet, remitted_at)
        Outlet, on_delete=models.PROTECT, related_name="remittances", db_index=False
    )
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    remitted_at = models.DateTimeField()
    reference = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    note = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["remitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "reference"], name="remittance_reference_per_outlet"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="remittance_positive"),
        ]
        indexes = [models.Index(fields=["outlet", "remitted_at"], name="remittance_outlet_at")]

    def __str__(self) -> str:
        return f"remittance Rp{self.amount} by {self.outlet_id} ({self.reference})"
