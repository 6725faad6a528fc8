"""Partners, their outlets and their agents: the channels through which workers are reached."""

from django.db import models

from jaring.org.models import Office
from jaring.regions.models import Region


class Partner(models.Model):
    class Kind(models.TextChoices):
        BPJS_BRANCH = "bpjs_branch", "Kantor Cabang BPJS"
        POS = "pos", "Pos Indonesia"
        BANK = "bank", "Bank"
        KIOSK = "kiosk", "Kios"
        ONLINE = "online", "Daring"
        AGENT_NETWORK = "agent_network", "Jaringan agen (Perisai)"
        AGGREGATOR = "aggregator", "Agregator"
        MARKET_COLLECTOR = "market_collector", "Pengelola pasar"
        LOCAL_GOVERNMENT = "local_government", "Pemerintah daerah"
        EVENT = "event", "Acara"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Outlet(models.Model):
    """One branch of a partner (Pos KCU Karawang, a bank service point, a market) where workers register."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="outlets")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="outlets")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outlets",
        help_text="The BPJS branch office this outlet reports to.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Agent(models.Model):
    """A person working for a partner (a Perisai agent, a market collector's staff) who signs workers up."""

    class Status(models.TextChoices):
        ACTIVE = "active", "aktif"
        INACTIVE = "inactive", "nonaktif"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agents")
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="agents")
    phone = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
