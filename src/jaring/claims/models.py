"""Claims: JKK (work accident), JKM (death not from work) and JHT (old-age savings withdrawal), decided
from the coverage ledger (``rules.claims``), with their heirs, documents, benefit lines and workflow.

A claim moves submitted -> complete (every required document is in) -> verified -> approved or
rejected (with a reason) -> paid, verify and approve by different people (maker-checker). Claims are a
few hundred thousand a year: plain tables on the coordinator (``common.scale``); the participant they
name is a relation kept by the write path (participants are never deleted).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Outlet
from jaring.common.models import EffectiveRule, StoredDocument
from jaring.members.models import Participant
from jaring.org.models import Office


class ClaimRule(EffectiveRule):
    """An effective-dated claim rule, as data with its source (``rules/data/claims.json``): benefit
    amounts, the scholarship, the JHT yield and triggers, the cover switches, service levels, required
    documents, the heirs' order, bank account formats and the fraud signals' thresholds."""

    class Kind(models.TextChoices):
        COVER = "cover", _("cover at the moment of an incident")
        BENEFIT = "benefit", _("benefit amounts")
        SCHOLARSHIP = "scholarship", _("JKM scholarship")
        JHT_YIELD = "jht_yield", _("JHT yield")
        JHT_TRIGGER = "jht_trigger", _("JHT withdrawal triggers")
        SERVICE_LEVEL = "service_level", _("working days to pay")
        DOCUMENTS = "documents", _("documents required")
        HEIRS = "heirs", _("heirs' legal order")
        BANKS = "banks", _("bank account formats")
        FRAUD = "fraud", _("fraud signal thresholds")

    kind = models.CharField(max_length=15, choices=Kind.choices)


class Claim(models.Model):
    class Kind(models.TextChoices):
        JKK = "JKK", _("work accident (JKK)")
        JKM = "JKM", _("death (JKM)")
        JHT = "JHT", _("old-age savings (JHT)")
        # A later school year of the JKM scholarship: claimed by the heirs each year, after the death claim
        SCHOLARSHIP = "BEA", _("JKM scholarship, a school year")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        COMPLETE = "complete", _("documents complete")
        VERIFIED = "verified", _("verified")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        PAID = "paid", _("paid")

    number = models.CharField(max_length=20, unique=True)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="claims", db_constraint=False
    )
    kind = models.CharField(max_length=3, choices=Kind.choices)
    # JKK and JKM: the moment of the accident or death; JHT: the day the trigger held (at noon).
    incident_at = models.DateTimeField()
    incident_place = models.CharField(max_length=200, blank=True)
    death = models.BooleanField(default=False, help_text="The claim is for the participant's death.")
    jht_trigger = models.CharField(max_length=15, blank=True)
    details = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    eligible = models.BooleanField(default=False)
    decision = models.JSONField(default=dict, help_text="What the eligibility was read from.")
    amount = models.BigIntegerField(default=0)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, blank=True)
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complete_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="The last working day to pay it.")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payout = models.ForeignKey(
        "ClaimPayout", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "idempotency_key"], name="claim_idempotency_key"),
            # One death, one claim: a second claim for the same death is refused (a rejected one aside).
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(death=True) & ~Q(state="rejected"),
                name="claim_one_death",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["office", "state", "due_on"], name="claim_queue"),
            models.Index(fields=["participant", "submitted_at"], name="claim_participant"),
        ]

    def __str__(self) -> str:
        return self.number


class Heir(models.Model):
    """An heir (ahli waris) named on a claim, with the account the benefit is paid into. ``rank`` is the
    place in the legal order (0 first); the entitled heir is the recipient."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="heirs")
    nik = models.CharField(max_length=16)
    name = models.CharField(max_length=120)
    relation = models.CharField(max_length=15)
    birth_date = models.DateField(null=True, blank=True)
    bank = models.CharField(max_length=12)
    account_number = models.CharField(max_length=20)
    account_name = models.CharField(max_length=120)
    rank = models.PositiveSmallIntegerField(default=0)
    recipient = models.BooleanField(default=False)

    class Meta:
        ordering = ["claim", "rank", "id"]
        indexes = [models.Index(fields=["bank", "account_number"], name="heir_account")]

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class ClaimLine(models.Model):
    """One amount a claim pays (``rules.claims.Line``): the component, its payee and its arithmetic."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    component = models.CharField(max_length=20)
    payee = models.CharField(max_length=12)
    amount = models.BigIntegerField()
    arithmetic = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    beneficiary = models.CharField(max_length=16, blank=True, help_text="A scholarship's child (NIK).")

    class Meta:
        ordering = ["claim", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="claim_line_not_negative")]

    def __str__(self) -> str:
        return f"{self.component} {self.amount}"


class ClaimDocument(StoredDocument):
    """A document of a claim, of a kind of the checklist, kept under ``MEDIA_ROOT/claims/``
    (``common.models.StoredDocument``)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30)

    class Meta(StoredDocument.Meta):
        pass

    def __str__(self) -> str:
        return self.kind


class ClaimPayout(models.Model):
    """A payout file for the banks: the approved claims paid in one transfer batch."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    claims_count = models.PositiveIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"claims payout #{self.pk}"
