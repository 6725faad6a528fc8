"""Employers (the formal sector): the companies that register their wage-earning workers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Agent, Outlet
from jaring.org.models import Office
from jaring.regions.models import Region
from jaring.rules.employer_number import employer_number


class Employer(models.Model):
    """A company registered with BPJS Ketenagakerjaan. Its registration number is its id with a check
    digit (``number``). The NIB and NPWP are optional, and unique when given (the database says so; the
    check explains it). The size class and the risk class are stored as decided at registration: the
    size from the declared workforce unless stated, the risk class from the sector unless stated."""

    class Size(models.TextChoices):
        MICRO = "micro", _("micro")
        SMALL = "small", _("small")
        MEDIUM = "medium", _("medium")
        LARGE = "large", _("large")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    name = models.CharField(max_length=160)
    nib = models.CharField(max_length=13, blank=True, default="", help_text="13 digits, or empty.")
    npwp = models.CharField(max_length=16, blank=True, default="", help_text="15 or 16 digits, or empty.")
    sector = models.CharField(max_length=2, help_text="A KBLI 2020 section (rules/data/sectors.json).")
    risk_class = models.PositiveSmallIntegerField(help_text="Work-accident risk class, 1 (very low)..5.")
    size = models.CharField(max_length=6, choices=Size.choices)
    workforce = models.PositiveIntegerField(help_text="The number of workers declared.")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employers",
        help_text="The BPJS branch serving the employer's address.",
    )
    # Who registered it: an outlet (a Pos teller, a partner's system) and its agent, or neither (the
    # branch itself, the command line).
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ACTIVE)
    registered_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["village"], name="employer_village")]
        constraints = [
            models.UniqueConstraint(fields=["nib"], condition=~Q(nib=""), name="employer_nib_unique"),
            models.UniqueConstraint(fields=["npwp"], condition=~Q(npwp=""), name="employer_npwp_unique"),
            models.CheckConstraint(
                condition=Q(risk_class__gte=1, risk_class__lte=5), name="employer_risk_class_1_to_5"
            ),
            models.CheckConstraint(condition=Q(workforce__gte=1), name="employer_workforce_positive"),
            models.CheckConstraint(
                condition=Q(size__in=["micro", "small", "medium", "large"]), name="employer_size_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        """The registration number: the id with a check digit; it never changes."""
        return employer_number(self.pk) if self.pk else ""
