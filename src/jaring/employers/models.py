"""Employers (the formal sector): the companies that register their wage-earning workers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Agent, Outlet
from jaring.common.fields import MonthField
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


class Employment(models.Model):
    """A wage earner working for an employer at a monthly wage (whole rupiah) from ``first_month``
    through ``last_month`` (None while it runs). Rows are history and are never rewritten: a job ends
    by setting its last month once; a new wage closes the running row at the month before and opens a
    row from its month (so a bill for any month finds the wage of that month). A worker may work for
    two employers in the same months (both rows stand); one employer employs a worker in one running
    row at a time. Distributed by the participant (``common/scale.py``); the employer is replicated."""

    participant = models.ForeignKey(
        "members.Participant", on_delete=models.PROTECT, related_name="employments"
    )
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="employments")
    wage = models.PositiveBigIntegerField(help_text="The monthly wage in whole rupiah.")
    first_month = MonthField()
    last_month = MonthField(null=True, blank=True, help_text="Empty while the worker is employed.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant_id", "first_month", "id"]
        indexes = [
            # An employer's workers of a month (its list, its bill).
            models.Index(fields=["employer", "first_month"], name="employment_employer_month"),
            # Who is employed in a month (the segment counts at a date).
            models.Index(fields=["first_month", "last_month"], name="employment_months"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(wage__gt=0), name="employment_wage_positive"),
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=models.F("first_month")),
                name="employment_months_in_order",
            ),
            models.UniqueConstraint(
                fields=["participant", "employer"],
                condition=Q(last_month__isnull=True),
                name="employment_one_running_per_employer",
            ),
        ]

    def __str__(self) -> str:
        until = self.last_month if self.last_month is not None else "..."
        return f"{self.participant_id} at {self.employer_id}: {self.first_month}..{until}"
