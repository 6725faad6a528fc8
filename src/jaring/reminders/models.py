"""Reminders to informal workers: the rules (effective-dated data), the operator's holiday corrections,
each worker's consent per channel, and the outbox ``jaring worker`` sends from."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.common.fields import MonthField
from jaring.common.models import EffectiveRule
from jaring.members.models import Participant


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class ReminderRule(EffectiveRule):
    """One effective-dated reminder rule, as in ``rules/data/reminders.json``: when a kind of reminder is
    sent and its Indonesian wording, how reminders travel (channels, consent, the days between two
    messages, quiet hours, retries), or the share of workers held out to measure whether reminders work.
    The lapse and the arrears window are not here: they are the coverage policy's
    (``contributions.RateRule``)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("before the due date")
        ARREARS = "arrears", _("arrears")
        LAPSE_WARNING = "lapse_warning", _("before the lapse")
        REACTIVATE = "reactivate", _("reactivation")
        DELIVERY = "delivery", _("delivery")
        HOLDOUT = "holdout", _("holdout")

    kind = models.CharField(max_length=15, choices=Kind.choices)


class HolidayCorrection(models.Model):
    """An operator's correction of Indonesia's public holidays as the ``holidays`` package knows them: a
    collective leave day (*cuti bersama*) added, or an Islamic holiday moved by the official announcement
    (the package's estimate removed, the announced day added). One correction per day."""

    class Change(models.TextChoices):
        ADDED = "added", _("added")
        REMOVED = "removed", _("removed")

    day = models.DateField(unique=True)
    name = models.CharField(max_length=120)
    change = models.CharField(max_length=7, choices=Change.choices)
    source = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.change}: {self.name}"


class ContactPreference(models.Model):
    """A worker's consent for a channel: opted in (WhatsApp needs it) or opted out (honoured on every
    channel). No row: SMS may be sent, WhatsApp may not."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    opted_in = models.BooleanField()
    changed_at = models.DateTimeField()
    source = models.CharField(max_length=60, blank=True, help_text="How the worker said so.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "channel"], name="contact_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.channel}: {'in' if self.opted_in else 'out'}"


class Reminder(models.Model):
    """One message in the outbox. A worker gets at most one reminder of a kind for a month: the unique key
    is what makes a repeated run add nothing. A worker drawn into the month's holdout gets a row too,
    ``held_out``, which is never sent: it says who would have been reminded, for the comparison."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        HELD_OUT = "held_out", _("held out")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=15, choices=ReminderRule.Kind.choices[:4])
    month = MonthField(help_text="The contribution month whose due date the reminder is about.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    message = models.TextField()
    amount = models.PositiveBigIntegerField()
    months = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    planned_on = models.DateField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "kind", "month"], name="reminder_once_per_month"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="reminder_to_send", condition=Q(status="scheduled")
            ),
            models.Index(fields=["provider", "provider_message_id"], name="reminder_provider_id"),
            models.Index(fields=["participant", "planned_on"], name="reminder_recent"),
            models.Index(fields=["month", "kind"], name="reminder_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.month} for {self.participant_id}: {self.status}"
