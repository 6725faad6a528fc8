"""The desk in the field (issue #18): the phones agents register and collect on without a connection, and
what each phone's outbox synced.

A ``Device`` is an agent's phone with a credential of its own (an API key bound to the agent, revoked when
the phone is lost). A ``SyncRecord`` is one record of a phone's outbox as the server received it, under the
key the phone made for it: a record sent again is answered from here and never applied twice. A record
refused (a NIK registered meanwhile elsewhere, an agent deactivated) stays in conflict until the agent
resends it edited or drops it (``resolved_at``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.api.models import ApiKey
from jaring.channels.models import Agent
from jaring.members.models import Participant


class Device(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="devices")
    api_key = models.OneToOneField(ApiKey, on_delete=models.PROTECT, related_name="device")
    name = models.CharField(max_length=80)
    enrolled_at = models.DateTimeField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_sync_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agent_id})"

    @property
    def is_active(self) -> bool:
        return self.api_key.revoked_at is None


class SyncRecord(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("registration")
        PAYMENT = "payment", _("payment")
        DEPOSIT = "deposit", _("deposit")
        DROP = "drop", _("dropped by the agent")

    class State(models.TextChoices):
        RECORDED = "recorded", _("recorded")
        AS_DEPOSIT = "as_deposit", _("recorded as a deposit")
        REFUSED = "refused", _("refused")
        DROPPED = "dropped", _("dropped")

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="records")
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=12, choices=State.choices)
    made_at = models.DateTimeField(null=True, blank=True, help_text="The phone's clock: informational.")
    received_at = models.DateTimeField()
    reasons = models.JSONField(default=list)
    messages = models.JSONField(default=dict)
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    payment_id = models.BigIntegerField(null=True, blank=True)
    deposit_id = models.BigIntegerField(null=True, blank=True)
    amount = models.BigIntegerField(default=0, help_text="Cash the agent took for it (rupiah).")
    # What a member of staff needs to see of a conflict, masked: the name's initials, the NIK masked.
    shown = models.JSONField(default=dict)
    replaces = models.CharField(max_length=64, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "key"], name="sync_record_once_per_device"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sync_record_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["device", "state"], name="sync_record_device_state")]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.key}: {self.kind} {self.state}"
