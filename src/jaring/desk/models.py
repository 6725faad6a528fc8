"""What the desk keeps of its own: the tellers' closings of the till."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jaring.channels.models import Agent, Outlet


class TillClosing(models.Model):
    """A teller's count of the till at the end of a day against what jaring recorded there that day
    (payments taken, deposits collected, voids). Append-only: counting again adds a closing."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    counted = models.BigIntegerField(help_text="Rupiah the teller counted in the till.")
    recorded = models.BigIntegerField(help_text="Rupiah jaring recorded as taken there that day.")
    note = models.CharField(max_length=200, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["outlet", "day"])]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.day}: counted {self.counted}, recorded {self.recorded}"

    @property
    def difference(self) -> int:
        return self.counted - self.recorded
