"""Employers (the formal sector): the companies that register their wage-earning workers."""

from django.conf import settings
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


class EmployerBill(models.Model):
    """An employer's monthly bill: one line per worker whose job runs in the month, at the month's
    wage, priced by the wage earners' rates for the employer's size and risk class. Due on the day of
    the bill terms in force (the 15th of the following month, as reported); paid by references
    (``EmployerBillPayment``), each line covered once. Replicated as the payers' bills are; its lines
    are distributed by the worker."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        PARTIAL = "partial", _("partly paid")
        PAID = "paid", _("paid")

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="bills")
    month = MonthField()
    workers = models.PositiveIntegerField()
    amount = models.PositiveBigIntegerField(help_text="The employer's and the workers' shares billed.")
    employer_share = models.PositiveBigIntegerField()
    worker_share = models.PositiveBigIntegerField()
    due_on = models.DateField()
    terms = models.CharField(max_length=40, help_text="The rate rule of the due day and late fine.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    paid_amount = models.PositiveBigIntegerField(default=0)
    covered_amount = models.PositiveBigIntegerField(default=0, help_text="The lines covered so far.")
    fine = models.PositiveBigIntegerField(default=0, help_text="Late fines of the payments so far.")
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "employer"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "month"], name="employer_bill_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.month}"

    @property
    def outstanding(self) -> int:
        return self.amount - self.covered_amount


class EmployerBillLine(models.Model):
    """A worker on an employer's bill: the wage of the month, the priced lines per programme and payer
    (JSON, as ``WagePrice.as_dict`` gives them) and the amount billed (employer's and worker's shares).
    ``position`` is the bill's order, in which a partial payment covers lines."""

    bill = models.ForeignKey(EmployerBill, on_delete=models.CASCADE, related_name="lines")
    participant = models.ForeignKey("members.Participant", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    wage = models.PositiveBigIntegerField()
    priced = models.JSONField()
    amount = models.PositiveBigIntegerField()
    employer_share = models.PositiveBigIntegerField()
    worker_share = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["bill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "participant"], name="employer_bill_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.bill}: {self.participant_id} Rp{self.amount}"


class EmployerBillPayment(models.Model):
    """Money an employer paid on a bill under its reference: a reference is recorded once per bill (a
    repeat covers nothing more). ``fine``: the late fine of the lines this payment covered."""

    bill = models.ForeignKey(EmployerBill, on_delete=models.PROTECT, related_name="payments")
    reference = models.CharField(max_length=100)
    amount = models.PositiveBigIntegerField()
    paid_at = models.DateTimeField()
    months_late = models.PositiveSmallIntegerField(default=0)
    fine = models.PositiveBigIntegerField(default=0)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["bill", "paid_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "reference"], name="employer_bill_reference_once")
        ]

    def __str__(self) -> str:
        return f"{self.bill} {self.reference} Rp{self.amount}"


class Lead(models.Model):
    """A company a BPJS branch acquired or found and handed over to a Pos outlet to register (an SME: BPJS
    hands its SMEs to Pos). Its number is ``L`` and the id with a check digit (``number``). The outlet
    contacts it, then it registers (the employer registered by that outlet is linked: what the employer
    and its workers bring is the outlet's) or declines; a declined lead may be contacted again, a
    registered one is final (``leads.services``). The database keeps a registered lead linked to its
    employer and an employer linked to one lead, and a NIB in at most one open lead."""

    class Status(models.TextChoices):
        HANDED_OVER = "handed_over", _("handed over")
        CONTACTED = "contacted", _("contacted")
        REGISTERED = "registered", _("registered")
        DECLINED = "declined", _("declined")

    OPEN = ("handed_over", "contacted")

    name = models.CharField(max_length=160, help_text="The company's name.")
    nib = models.CharField(max_length=13, blank=True, default="", help_text="13 digits, or empty.")
    contact_name = models.CharField(max_length=120, blank=True, default="")
    phone = models.CharField(max_length=20, blank=True, default="")
    village = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="leads",
        help_text="The BPJS branch that handed it over.",
    )
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="leads", help_text="The Pos outlet it is handed to."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.HANDED_OVER)
    status_changed_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True, default="", help_text="Why it declined, or a remark.")
    employer = models.ForeignKey(
        Employer, null=True, blank=True, on_delete=models.PROTECT, related_name="leads", db_index=False
    )
    handed_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-handed_at", "-id"]
        indexes = [
            # An outlet's leads (the teller's list) and a branch's (the branch's list), newest first.
            models.Index(fields=["outlet", "handed_at"], name="lead_outlet_handed"),
            models.Index(fields=["office", "handed_at"], name="lead_office_handed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["handed_over", "contacted", "registered", "declined"]),
                name="lead_status_known",
            ),
            models.CheckConstraint(
                condition=(Q(status="registered") & Q(employer__isnull=False))
                | (~Q(status="registered") & Q(employer__isnull=True)),
                name="lead_registered_iff_employer",
            ),
            models.UniqueConstraint(
                fields=["employer"], condition=Q(employer__isnull=False), name="lead_employer_once"
            ),
            models.UniqueConstraint(
                fields=["nib"],
                condition=~Q(nib="") & Q(status__in=["handed_over", "contacted"]),
                name="lead_one_open_per_nib",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        """``L`` and the id with a check digit (the employer number's rule): ``L000000018``."""
        return f"L{employer_number(self.pk)}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
