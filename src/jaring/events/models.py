"""Events where the drive signs people up on the spot (a fun run, an expo, a market day), grouped in
campaigns, and the registrations taken there (``EventSignup``): a registration row naming an event code,
through whatever channel, credits the event once (docs/events.md)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.org.models import Office
from jaring.regions.models import Region


class Campaign(models.Model):
    """Events run together under one name and period (the 2015 Fun Run: 11 cities in a month)."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=500, blank=True, default="", help_text="Where its figures come from.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Event(models.Model):
    """One event in one city: its days, the attendance aimed at and counted, and what it cost. Its code is
    what a registration taken there names."""

    class Kind(models.TextChoices):
        FUN_RUN = "fun_run", _("fun run")
        EXPO = "expo", _("expo")
        SOCIALISATION = "socialisation", _("socialisation")
        MARKET_DAY = "market_day", _("market day")
        OTHER = "other", _("other")

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    city = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", help_text="The regency or city it is held in."
    )
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="The BPJS branch that runs it (the one serving its city unless stated).",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    target_attendance = models.PositiveIntegerField(default=0)
    attendance = models.PositiveIntegerField(null=True, blank=True, help_text="Counted once it is held.")
    cost = models.PositiveBigIntegerField(default=0, help_text="Rupiah.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="event_dates")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EventSignup(models.Model):
    """A worker signed up at an event: registered there (``new``), or already registered when the event
    tried to register them (the refused duplicate). One row per event and participant, whatever the
    channel and however often the registration is sent."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="signups", db_index=False)
    participant = models.ForeignKey(
        "members.Participant", on_delete=models.CASCADE, related_name="event_signups"
    )
    new = models.BooleanField()
    signed_at = models.DateTimeField()
    channel = models.CharField(max_length=20)
    outlet_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "event"], name="event_signup_once"),
        ]
        indexes = [models.Index(fields=["event", "new"], name="event_signup_event")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.participant_id}"
