"""Participants (peserta): insured workers, identified by NIK, with their acquisition."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Agent, Outlet, Partner
from jaring.common.fields import MonthField
from jaring.common.privacy import mask_nik
from jaring.org.models import Office
from jaring.regions.models import Region
from jaring.rules.participant_number import participant_number


class Permanence(models.TextChoices):
    PERMANENT = "permanent", _("permanent")
    SEASONAL = "seasonal", _("seasonal")
    MOBILE = "mobile", _("itinerant")


class Occupation(models.Model):
    """An occupation from the controlled list (``members/data/occupations.json``)."""

    code = models.CharField(primary_key=True, max_length=30)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    permanence = models.CharField(max_length=10, choices=Permanence.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Segment(models.TextChoices):
        BPU = "BPU", _("Non-wage earners")
        PU = "PU", _("Wage earners")
        JAKON = "JAKON", _("Construction services")
        PMI = "PMI", _("Indonesian migrant workers")

    class Status(models.TextChoices):
        NEW = "new", _("registered, not yet paid")
        ACTIVE = "active", _("active")
        ARREARS = "arrears", _("in arrears")
        LAPSED = "lapsed", _("lapsed")

    nik = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=120)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    phone = models.CharField(max_length=20, blank=True)
    # Indexed in Meta (plain btrees): a foreign key to a text key would also get a LIKE index nobody uses.
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="+", db_index=False)
    permanence = models.CharField(max_length=10, choices=Permanence.choices)
    segment = models.CharField(max_length=5, choices=Segment.choices, default=Segment.BPU)
    declared_income = models.PositiveBigIntegerField()
    programmes = models.CharField(max_length=20, help_text="JKK+JKM or JKK+JKM+JHT")

    # Acquisition: the first valid registration of the NIK, credited to its channel, outlet and agent.
    channel = models.CharField(max_length=20, choices=Partner.Kind.choices)
    outlet = models.ForeignKey(  # indexed by (outlet, registered_at)
        Outlet, on_delete=models.PROTECT, related_name="participants", db_index=False
    )
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="participants"
    )
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participants",
        help_text="The BPJS branch serving the participant's address.",
    )
    registered_at = models.DateTimeField()
    registered_month = MonthField()

    created_at = models.DateTimeField(auto_now_add=True)
    # What the ledger keeps (status, paid-through month, deposit balance) is the participant's
    # ``standing``, a row of its own: see ``Standing``.

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["outlet", "registered_at"]),
            models.Index(fields=["village"], name="participant_village"),
            models.Index(fields=["occupation"], name="participant_occupation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(declared_income__gt=0), name="participant_income_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        """The participant number: the id with a check digit; it never changes, lapsed or not."""
        return participant_number(self.pk) if self.pk else ""

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)


class Standing(models.Model):
    """A participant's standing as the contribution services keep it, in the same transaction as the
    ledger (the ledger is the truth): the status as of the current month, the last covered month and the
    deposit balance. Made with the participant at registration.

    A row of its own because every payment rewrites it: a registration's wide row with seven indexes,
    rewritten for each payment of a chunk whose neighbours on the page were rewritten too, wrote an entry
    into every index each time (PostgreSQL could rarely update it in place). This narrow row has one
    index, and half of each page is left free on PostgreSQL so that its rewrites stay on the page
    (members 0007). Counts by status come from the tallies; the month-end run reads the whole table."""

    participant = models.OneToOneField(
        Participant, primary_key=True, on_delete=models.CASCADE, related_name="standing"
    )
    status = models.CharField(
        max_length=10, choices=Participant.Status.choices, default=Participant.Status.NEW
    )
    paid_through = MonthField(null=True, blank=True)
    deposit_balance = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["participant_id"]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.status}"

    @classmethod
    def as_written(
        cls, participant: Participant, *, status: str, paid_through, deposit_balance: int
    ) -> Standing:
        """The standing a service has just written, given to ``participant`` (``participant.standing``)
        without reading it back."""
        standing = cls(
            participant=participant, status=status, paid_through=paid_through, deposit_balance=deposit_balance
        )
        standing._state.adding = False
        standing._state.db = "default"
        return standing


class DuplicateAttempt(models.Model):
    """A registration refused because the NIK was already registered; reported, since two channels
    claiming one person is how contests get gamed."""

    nik = models.CharField(max_length=16, db_index=True)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="duplicate_attempts")
    channel = models.CharField(max_length=20, choices=Partner.Kind.choices)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField()

    class Meta:
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{mask_nik(self.nik)} at {self.outlet_id}"


class PaymentCodeKey(models.Model):
    """The key of the payment codes' permutation (``rules.payment_code``): made once, when the database is
    made, and never changed, since every printed card and receipt carries codes made with it. One row."""

    key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="payment_code_key_one_row")]

    def __str__(self) -> str:
        return f"payment code key of {self.created_at:%Y-%m-%d}"
