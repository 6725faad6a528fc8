"""API keys: how a partner's system (an outlet's till, an agent's app) proves who it is."""

from django.db import models
from django.db.models import Q

from jaring.channels.models import Agent, Outlet


class Scope(models.TextChoices):
    """What a key may do. A key holds only the scopes its holder needs."""

    REGISTER = "register", "mendaftarkan peserta"
    PAY = "pay", "mencatat pembayaran iuran"
    DEPOSIT = "deposit", "mencatat setoran iuran harian"
    STATUS = "status", "melihat status kepesertaan"
    STATEMENT = "statement", "melihat rekap harian outlet"
    # Registering employers (companies) is a scope of its own: a key made for a till that registers
    # workers does not register companies unless its holder asks for it.
    EMPLOYERS = "employers", "mendaftarkan pemberi kerja"
    # Dating a registration, payment or deposit before the grace window for late records (the coverage
    # policy's ``late_record_days``): for an operator's migration key, never a till's.
    HISTORY = "history", "mencatat data lampau (tanggal sebelum batas pencatatan susulan)"
    # Submitting claims for the partner's customers (heirs at a bank's counter, a worker after an
    # accident) and following the claims its outlets submitted: a scope of its own, never implied by
    # another, so keys issued before claims existed do not gain it.
    CLAIMS = "claims", "mengajukan dan memantau klaim"


DEFAULT_RATE_LIMIT = 600  # requests per minute per key


class ApiKey(models.Model):
    """A partner system's credential, bound to one outlet and optionally one of its partner's agents.

    The full key (``jrg_live_<8 chars>_<secret>``) is shown once when it is created; only its prefix
    (to find the row and to name the key in lists and logs) and a SHA-256 of the secret part are kept.
    Every registration and payment made with the key is credited to its outlet and agent.
    """

    prefix = models.CharField(max_length=20, unique=True)
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 (hex) of the secret part of the key.")
    name = models.CharField(max_length=120, blank=True, help_text="What the key is for (the partner's app).")
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="api_keys")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys")
    scopes = models.CharField(
        max_length=100, help_text="Comma-separated: register,pay,deposit,status,statement."
    )
    rate_limit = models.PositiveIntegerField(default=DEFAULT_RATE_LIMIT, help_text="Requests per minute.")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(condition=Q(rate_limit__gt=0), name="apikey_rate_limit_positive"),
            models.CheckConstraint(condition=~Q(scopes=""), name="apikey_has_a_scope"),
        ]

    def __str__(self) -> str:
        return self.prefix

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(scope for scope in self.scopes.split(",") if scope)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
