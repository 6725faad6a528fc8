"""The drive beyond the desk: agreements (MoUs) with local governments and market managers, what they
commit to, the regional budget lines that pay for workers, their documents, and the outreach sites
(traditional markets and other places) where workers are reached. The facts these are measured by
(payer groups and bills, registrations, coverage, deposits) stay where they are; see docs/outreach.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Outlet, Partner
from jaring.common.models import EffectiveRule, StoredDocument
from jaring.contributions.models import Payer, PayerGroup
from jaring.org.models import Office
from jaring.regions.models import Region


class OutreachRule(EffectiveRule):
    """An effective-dated figure of the outreach steering, as data: how many government-run markets each
    branch should have under an MoU (Kanwil VII's "at least two"), how many days ahead an expiring
    MoU is listed, and the Paritrana criteria's weights and full marks (``outreach.paritrana``)."""

    class Kind(models.TextChoices):
        MARKET_TARGET = "market_target", _("government-run markets per branch")
        MOU_LOOKAHEAD = "mou_lookahead", _("days an expiring MoU is listed ahead")
        PARITRANA = "paritrana", _("Paritrana criteria and weights")

    kind = models.CharField(max_length=15, choices=Kind.choices)


class Mou(models.Model):
    """An agreement (nota kesepahaman) between a BPJS office and a province, a regency/city, a village or a
    market manager. ``office`` is the BPJS office that signed it and follows it: the MoU is seen by that
    office's subtree (and by national roles)."""

    class Party(models.TextChoices):
        PROVINCE = "province", _("province")
        REGENCY = "regency", _("regency/city")
        VILLAGE = "village", _("village")
        MARKET_MANAGER = "market_manager", _("market manager")

    number = models.CharField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    party = models.CharField(max_length=15, choices=Party.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The market collector partner, for an MoU with a market manager.",
    )
    manager_name = models.CharField(max_length=160, blank=True)
    party_signatory = models.CharField(max_length=160, blank=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    office_signatory = models.CharField(max_length=160, blank=True)
    signed_on = models.DateField()
    valid_from = models.DateField()
    valid_to = models.DateField()
    payer_groups = models.ManyToManyField(PayerGroup, blank=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "number"]
        indexes = [models.Index(fields=["valid_to"], name="mou_valid_to")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="mou_window_ordered"),
            models.CheckConstraint(
                condition=Q(party="market_manager") | Q(region__isnull=False), name="mou_government_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class MouDocument(StoredDocument):
    """A scanned or signed copy of an MoU (``common.models.StoredDocument``)."""

    mou = models.ForeignKey(Mou, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=160)

    class Meta(StoredDocument.Meta):
        pass

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """What a party committed to under an MoU, with a target count: workers to cover from its budget (with
    the budget lines), markets to bring into daily collection, regulations (perda/perkada) to issue."""

    class Kind(models.TextChoices):
        COVER_WORKERS = "cover_workers", _("workers covered from the regional budget")
        MARKETS = "markets", _("markets brought in")
        REGULATION = "regulation", _("regional regulation issued")

    mou = models.ForeignKey(Mou, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    target = models.PositiveIntegerField()
    note = models.CharField(max_length=300, blank=True)
    # For a regulation: when it was issued and its number (the fact its progress reads).
    done_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["mou", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=0), name="commitment_target_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.mou.number}: {self.get_kind_display()} {self.target}"


class BudgetLine(models.Model):
    """A regional budget line (APBD) paying contributions for a group under a commitment: the budget year,
    its ceiling (pagu, whole rupiah) and the payer whose bills say what was billed and paid."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="budget_lines")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    ceiling = models.PositiveBigIntegerField()
    account = models.CharField(
        max_length=80, blank=True, help_text="The budget's account code (kode rekening)."
    )

    class Meta:
        ordering = ["commitment", "year"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "payer", "year"], name="budget_line_once_a_year"),
            models.CheckConstraint(condition=Q(ceiling__gte=0), name="budget_line_ceiling_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.payer.code} {self.year}"


class Site(models.Model):
    """A place where workers are reached: a traditional market (government-run or private) or another
    site, in a village, with its manager or collector (an outlet of a market collector) and the MoU it
    works under. ``office`` is the branch serving the village: the site counts toward that branch's
    market target and is seen by its subtree. Traders counted is the potential, entered by staff."""

    class Kind(models.TextChoices):
        GOVERNMENT_MARKET = "market_gov", _("traditional market (government-run)")
        PRIVATE_MARKET = "market_private", _("traditional market (private)")
        TERMINAL = "terminal", _("terminal or port")
        INDUSTRIAL = "industrial", _("industrial or fishing area")
        VILLAGE = "village", _("village")
        OTHER = "other", _("other site")

    MARKETS = (Kind.GOVERNMENT_MARKET, Kind.PRIVATE_MARKET)

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=15, choices=Kind.choices)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    mou = models.ForeignKey(Mou, null=True, blank=True, on_delete=models.PROTECT, related_name="sites")
    outlet = models.ForeignKey(
        Outlet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The collector's outlet taking the daily deposits here.",
    )
    manager_name = models.CharField(max_length=160, blank=True)
    traders = models.PositiveIntegerField(null=True, blank=True)
    traders_counted_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["office", "kind"], name="site_office_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(traders__isnull=True) | Q(traders_counted_on__isnull=False),
                name="site_traders_dated",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PanelInterview(models.Model):
    """The Paritrana panel's interview score (0..100) of a province or regency/city for a year, entered
    by staff (``outreach.paritrana_services.interview_set``): one per region and year, a new entry
    replaces the old one (audited)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    entered_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="panel_interview_once_a_year"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="panel_interview_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.score}"
