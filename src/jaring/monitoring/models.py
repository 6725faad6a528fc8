"""Steering data: targets and the potential market, contests, and the record of loaded scenarios. The
figures they are measured against are the tallies (``jaring.tallies``), read through ``monitoring.readings``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Targets and potential market ------------------------------------------------------------------------


class InformalShare(models.Model):
    """How a region's population becomes its informal workers, in force from a date: population x
    ``employed`` (the employed per resident) x ``share`` (the informal share of the employed).

    It turns population into a rough potential market when staff have loaded no figure. The seed is BPS
    Sakernas, August 2024: 144.64 M employed, 57.95 % of them informal (83.8 M); the employed per
    resident is 144.64 M over the 284.97 M people of the region table jaring ships (0.5076). It is data,
    visible and replaceable, and a staff figure always wins over it.
    """

    effective_from = models.DateField(unique=True)
    share = models.DecimalField(max_digits=5, decimal_places=4)
    employed = models.DecimalField(
        max_digits=5, decimal_places=4, default=1, help_text="The employed per resident (0..1)."
    )
    source = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__gte=0) & models.Q(share__lte=1), name="informal_share_is_a_share"
            ),
            models.CheckConstraint(
                condition=models.Q(employed__gt=0) & models.Q(employed__lte=1), name="employed_is_a_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.share} from {self.effective_from}"


class PotentialMarket(models.Model):
    """Informal workers who could be covered in a regency/city (registered or not), as loaded by staff
    from a date; it overrides the population estimate for that regency from then on."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    workers = models.PositiveBigIntegerField()
    source = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["region_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "effective_from"], name="potential_market_key")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.workers:,} from {self.effective_from}"


class Target(models.Model):
    """What an office, outlet or agent should reach in a period, for one metric and segment.

    A period is a start and an end day (a year is 1 January to 31 December). Flows (new participants,
    contributions, new companies, new wage earners) are counted over the period; active participants is
    a level, read in the month of the day asked about.
    """

    class Metric(models.TextChoices):
        NEW_PARTICIPANTS = "new_participants", _("new participants")
        ACTIVE_PARTICIPANTS = "active_participants", _("active participants")
        CONTRIBUTIONS = "contributions", _("contributions collected")
        NEW_COMPANIES = "new_companies", _("new companies")
        # Registered participants gained in the target's segment (with PU: wage earners, a BPU worker
        # taking a job included), net of those who left it.
        NEW_WORKERS = "new_workers", _("new wage earners")
        # Perisai agents (read by jaring.perisai.targets): active agents is a level; acquisitions per agent is
        # the registrations the office's agents made over the period per active agent on the day asked about.
        ACTIVE_AGENTS = "active_agents", _("active agents")
        ACQUISITIONS_PER_AGENT = "acquisitions_per_agent", _("acquisitions per agent")

    office = models.ForeignKey(
        "org.Office", null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    outlet = models.ForeignKey(
        "channels.Outlet", null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    agent = models.ForeignKey(
        "channels.Agent", null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    metric = models.CharField(max_length=30, choices=Metric.choices)
    segment = models.CharField(max_length=5, blank=True, default="BPU", help_text="empty: every segment")
    start = models.DateField()
    end = models.DateField()
    value = models.PositiveBigIntegerField(help_text="a count, or whole rupiah for contributions")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["start", "metric", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(office__isnull=False, outlet__isnull=True, agent__isnull=True)
                    | models.Q(office__isnull=True, outlet__isnull=False, agent__isnull=True)
                    | models.Q(office__isnull=True, outlet__isnull=True, agent__isnull=False)
                ),
                name="target_has_one_owner",
            ),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="target_period"),
            models.UniqueConstraint(
                fields=["office", "metric", "segment", "start", "end"],
                condition=models.Q(office__isnull=False),
                name="target_office_key",
            ),
            models.UniqueConstraint(
                fields=["outlet", "metric", "segment", "start", "end"],
                condition=models.Q(outlet__isnull=False),
                name="target_outlet_key",
            ),
            models.UniqueConstraint(
                fields=["agent", "metric", "segment", "start", "end"],
                condition=models.Q(agent__isnull=False),
                name="target_agent_key",
            ),
        ]

    def __str__(self) -> str:
        owner = self.office or self.outlet or self.agent
        return f"{owner}: {self.metric} {self.start}..{self.end} = {self.value:,}"


# --- Contests ----------------------------------------------------------------------------------------------


class Contest(models.Model):
    """A ranked competition between outlets over periods, with prizes (the Pos "Racing Contest").

    Eligible outlets are those matching every selector given: a partner (code or kind), a region code
    prefix, an explicit list. They are resolved when read, so an outlet opened later joins.
    """

    class Metric(models.TextChoices):
        NEW_REGISTRATIONS = "new_registrations", _("new registrations")
        FIRST_PAID_REGISTRATIONS = "first_paid_registrations", _("registrations that have paid")
        AMOUNT_COLLECTED = "amount_collected", _("contributions collected")
        NEW_COMPANIES = "new_companies", _("new companies")

    class TieBreak(models.TextChoices):
        FIRST_TO_REACH = "first_to_reach", _("whoever reaches the value first")

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    metric = models.CharField(max_length=30, choices=Metric.choices)
    segment = models.CharField(max_length=5, blank=True, default="BPU", help_text="empty: every segment")
    partner = models.CharField(max_length=20, blank=True, help_text="a partner code or kind, e.g. pos")
    region_prefix = models.CharField(max_length=13, blank=True, help_text="e.g. 64 or 64.71")
    outlets = models.ManyToManyField("channels.Outlet", blank=True, related_name="contests")
    tie_break = models.CharField(max_length=20, choices=TieBreak.choices, default=TieBreak.FIRST_TO_REACH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ContestPeriod(models.Model):
    """One period of a contest. Once over, it is closed (``monitoring.services.contest_period_close``):
    its standings are kept as they were (``ContestStanding``) and its winners are final. A record recorded
    late with a date in a closed period changes the tallies (the truth of when it happened) but not the
    closed standings: it is credited to the contest's first period still open."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="periods")
    code = models.CharField(max_length=20)
    start = models.DateField()
    end = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["contest_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="contest_period_key"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="contest_period_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.start}..{self.end}"


class ContestPrize(models.Model):
    """The prize (whole rupiah) of one rank in one period."""

    period = models.ForeignKey(ContestPeriod, on_delete=models.CASCADE, related_name="prizes")
    rank = models.PositiveSmallIntegerField()
    amount = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["period_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["period", "rank"], name="contest_prize_key"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="contest_prize_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.period}: #{self.rank} Rp{self.amount:,}"


class ContestStanding(models.Model):
    """An outlet's place in a closed period, as it was when the period was closed. ``counted`` is what
    the period's own days held then; ``carried``, what late records of earlier closed periods added
    (or took away: a reversal); ``value`` = counted + carried is what was ranked."""

    period = models.ForeignKey(ContestPeriod, on_delete=models.CASCADE, related_name="standings")
    outlet = models.ForeignKey("channels.Outlet", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()
    value = models.BigIntegerField()
    counted = models.BigIntegerField()
    carried = models.BigIntegerField(default=0)
    prize = models.PositiveBigIntegerField(default=0)
    shared = models.BooleanField(default=False)
    reached = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["period_id", "rank", "outlet_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "outlet"], name="contest_standing_key"),
            models.CheckConstraint(
                condition=models.Q(value=models.F("counted") + models.F("carried")),
                name="contest_standing_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period}: #{self.rank} {self.outlet_id} {self.value}"


# --- Scenarios ---------------------------------------------------------------------------------------------


class ScenarioLoad(models.Model):
    """One load of a scenario file (``jaring scenario load``): what it was and what it added."""

    code = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    scale = models.DecimalField(max_digits=12, decimal_places=6)
    loaded_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.code} x{self.scale} at {self.loaded_at:%Y-%m-%d %H:%M}"


class ScenarioNikBlock(models.Model):
    """The block of synthetic NIK numbers a scenario uses at an outlet, so that no two scenarios (and no
    two outlets in one district) ever make the same NIK, and a re-run makes the same NIKs again."""

    scenario = models.CharField(max_length=40)
    outlet = models.ForeignKey("channels.Outlet", on_delete=models.PROTECT, related_name="+")
    district = models.CharField(max_length=8)
    first = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scenario", "outlet"], name="scenario_nik_block_key")]

    def __str__(self) -> str:
        return f"{self.scenario} {self.outlet_id} {self.district} from {self.first:,}"


class PermanenceShare(models.Model):
    """The share of a regency's informal workers in one permanence class (a market trader keeps a stall
    for years; an ojek driver moves; a farm labourer works by the season), in force from a date: with no
    region, the default for every regency; with a region, staff's figure for that regency/city, which
    wins. The shares of one region and date add up to 1 (``monitoring.services.permanence_shares_set``).
    ``uncertain`` marks a figure no source gives."""

    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    permanence = models.CharField(max_length=10)
    effective_from = models.DateField()
    share = models.DecimalField(max_digits=5, decimal_places=4)
    source = models.CharField(max_length=255, blank=True)
    uncertain = models.BooleanField(default=False)

    class Meta:
        ordering = ["region_id", "effective_from", "permanence"]
        constraints = [
            models.UniqueConstraint(
                fields=["permanence", "effective_from"],
                condition=models.Q(region__isnull=True),
                name="permanence_share_default_key",
            ),
            models.UniqueConstraint(
                fields=["region", "permanence", "effective_from"],
                condition=models.Q(region__isnull=False),
                name="permanence_share_region_key",
            ),
            models.CheckConstraint(
                condition=models.Q(share__gte=0) & models.Q(share__lte=1), name="permanence_share_is_a_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or '*'} {self.permanence}: {self.share} from {self.effective_from}"
