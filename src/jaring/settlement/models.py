"""Payment channels (banks, e-wallets, retail chains, Pos) that take contributions by payment code, what
they tell jaring host-to-host, and the reconciliation of their daily settlement files."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Outlet
from jaring.common.models import EffectiveRule


class PaymentChannel(models.Model):
    """A payment channel's host-to-host link: its code, the outlet its payments are credited to, and its
    credential.

    The channel signs every request with a secret shown once when the channel is made (or its credential
    renewed). The secret is not stored: it is derived from the deployment's secret key, the channel's code
    and ``generation`` (``settlement.credentials``), so a copy of the database signs nothing. What is kept
    is a SHA-256 of it, which tells a changed deployment key from a bad signature. Renewing the credential
    moves ``generation`` on; revoking sets ``revoked_at``.
    """

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="payment_channels",
        help_text="The outlet credited with the channel's payments (its own outlet, under its partner).",
    )
    generation = models.PositiveIntegerField(default=1)
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 (hex) of the current secret.")
    rate_limit = models.PositiveIntegerField(default=6000, help_text="Requests per minute.")
    inquiry_alert = models.PositiveIntegerField(
        default=20000, help_text="Inquiries in an hour above which staff are alerted."
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(rate_limit__gt=0), name="channel_rate_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def source(self) -> str:
        """The ledger source of the channel's payments: its references are unique under it."""
        return f"channel:{self.code}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ChannelTerms(EffectiveRule):
    """A channel's terms as effective-dated data (``data``): ``cutoff`` ("HH:MM", Asia/Jakarta: a payment
    at or after it belongs to the next business date), ``fee`` (rupiah the channel keeps per payment) and
    ``fee_share`` (a share of the amount, in basis points), as its agreement with the agency says."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("channel terms")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TERMS)
    channel = models.ForeignKey(PaymentChannel, on_delete=models.CASCADE, related_name="terms")

    class Meta(EffectiveRule.Meta):
        verbose_name_plural = "channel terms"


class SignatureSeen(models.Model):
    """The signatures of the channel's requests within the timestamp tolerance: a request whose signature
    was seen is a replay and is refused. Older rows are removed (``signatures_forget``)."""

    pk = models.CompositePrimaryKey("channel_id", "signature")
    channel = models.ForeignKey(PaymentChannel, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["seen_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.signature[:12]}"


class InquiryHour(models.Model):
    """How many inquiries a channel made in an hour (inquiry shows a masked name and an amount, so an
    unusual volume is someone walking through codes): counted on every inquiry, alerted once an hour
    passes the channel's ``inquiry_alert``."""

    pk = models.CompositePrimaryKey("channel_id", "hour")
    channel = models.ForeignKey(PaymentChannel, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.channel_id} {self.hour:%Y-%m-%d %H}: {self.count}"


class SettlementFile(models.Model):
    """A channel's settlement file as reconciled: what each bucket held, the file's total, and the funds
    the channel transferred for it. Known by its SHA-256 per channel, so a file sent again changes
    nothing."""

    channel = models.ForeignKey(PaymentChannel, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    business_date = models.DateField()
    lines = models.PositiveIntegerField()
    total = models.BigIntegerField(help_text="Sum of the amounts of the file's lines.")
    fees = models.BigIntegerField(default=0, help_text="What the channel keeps by its terms.")
    funds = models.BigIntegerField(null=True, blank=True, help_text="What the channel transferred.")
    counts = models.JSONField(help_text="Lines per bucket.")
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=150)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-business_date", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "sha256"], name="settlement_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.channel.code} {self.business_date} ({self.name})"

    @property
    def funds_expected(self) -> int:
        return self.total - self.fees

    @property
    def funds_difference(self) -> int | None:
        return None if self.funds is None else self.funds - self.funds_expected


class Difference(models.Model):
    """Something a settlement file and jaring's ledger disagree on, open until finance staff resolve it
    with a reason: a payment recorded but not in the file, an amount that differs, a line whose payment
    code names nobody (queued), a line refused (rejected), or the funds transferred against the file."""

    class Kind(models.TextChoices):
        MISSING_FROM_FILE = "missing_from_file", _("recorded but not in the file")
        AMOUNT_DIFFERS = "amount_differs", _("amount differs")
        QUEUED = "queued", _("unknown payment code")
        REJECTED = "rejected", _("refused line")
        FUNDS = "funds", _("funds differ from the file")

    channel = models.ForeignKey(PaymentChannel, on_delete=models.PROTECT, related_name="differences")
    file = models.ForeignKey(SettlementFile, on_delete=models.PROTECT, related_name="differences")
    business_date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    line = models.PositiveIntegerField(null=True, blank=True, help_text="Line of the file (1: header).")
    reference = models.CharField(max_length=100, blank=True)
    payment_code = models.CharField(max_length=40, blank=True)
    file_amount = models.BigIntegerField(null=True, blank=True)
    recorded_amount = models.BigIntegerField(null=True, blank=True)
    payment_id = models.BigIntegerField(
        null=True, blank=True, help_text="The ledger entry, when there is one."
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why the line was refused or queued.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-business_date", "channel", "kind", "line"]
        indexes = [
            models.Index(
                fields=["channel", "business_date"],
                condition=Q(resolved_at__isnull=True),
                name="difference_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel.code} {self.business_date} {self.kind} {self.reference}"
