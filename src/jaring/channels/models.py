"""Partners, their outlets and their agents: the channels through which workers are reached."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jaring.org.models import Office
from jaring.regions.models import Region


class Partner(models.Model):
    class Kind(models.TextChoices):
        BPJS_BRANCH = "bpjs_branch", _("BPJS branch office")
        POS = "pos", _("Pos Indonesia")
        BANK = "bank", _("bank")
        KIOSK = "kiosk", _("kiosk")
        ONLINE = "online", _("online")
        AGENT_NETWORK = "agent_network", _("agent network (Perisai)")
        AGGREGATOR = "aggregator", _("aggregator")
        MARKET_COLLECTOR = "market_collector", _("market collector")
        LOCAL_GOVERNMENT = "local_government", _("local government")
        EVENT = "event", _("event")

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
    """A person working for a partner (a Perisai agent, a market collector's staff) who signs workers up.

    A Perisai agent goes candidate > active > deactivated (idle, with a reason and a date) > eligible to
    rejoin > active again; termination for fraud is immediate and final. The onboarding requirements are
    recorded here; ``perisai.services`` moves an agent through the lifecycle and says why a step is refused.
    Only an active agent may register workers or take payments.
    """

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("candidate")
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("deactivated")
        ELIGIBLE = "eligible", _("eligible to rejoin")
        TERMINATED = "terminated", _("terminated")

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agents")
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="agents")
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agents",
        help_text="The BPJS branch office the agent belongs to.",
    )
    phone = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    # Onboarding requirements (Perisai): each is recorded before the agent may be activated.
    # Not a database constraint: agents are a reference table on Citus, participants a distributed one,
    # and Citus keeps no key from a reference table into a distributed table. ``agent_onboarding_record``
    # takes a participant found first, and participants are never deleted (docs/scale.md).
    participant = models.OneToOneField(
        "members.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="as_agent",
        help_text="The agent is a BPU participant.",
        db_constraint=False,
    )
    bank = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The partner bank holding the agent's account.",
    )
    bank_account = models.CharField(max_length=30, blank=True)
    bank_account_name = models.CharField(max_length=120, blank=True)
    trained_on = models.DateField(null=True, blank=True)
    exam_passed_on = models.DateField(null=True, blank=True)
    certificate_number = models.CharField(max_length=60, blank=True)
    assignment_letter = models.CharField(
        max_length=60, blank=True, help_text="Number of the Perisai office's letter."
    )
    assignment_letter_on = models.DateField(null=True, blank=True)

    # The lifecycle: dates and reasons of the last step of each kind (the full history is perisai.AgentEvent).
    activated_on = models.DateField(null=True, blank=True)
    deactivated_on = models.DateField(null=True, blank=True)
    deactivation_reason = models.CharField(max_length=200, blank=True)
    rejoin_from = models.DateField(null=True, blank=True, help_text="The first day the agent may rejoin.")
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="terminated") | models.Q(terminated_on__isnull=False),
                name="agent_terminated_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_perisai(self) -> bool:
        return self.partner.kind == Partner.Kind.AGENT_NETWORK
