"""Participants (peserta): insured workers, identified by NIK, with their acquisition."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Agent, Outlet, Partner
from jaring.common.fields import MonthField
from jaring.common.models import EffectiveRule
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
        DECEASED = "deceased", _("deceased")
        # Merged into another record of the same person (``members.services.merge``): for good.
        MERGED = "merged", _("merged into another record")

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
            # the village's participants, and those born on a day there (the probable duplicates' block)
            models.Index(fields=["village", "birth_date"], name="participant_village_born"),
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
    # Death ends membership (a JKM or JKK death claim, ``claims.services``): the status is then
    # ``deceased`` for good, and counts, bills, reminders and worklists leave the participant out.
    died_on = models.DateField(null=True, blank=True)
    # A second record of a person merged into the first (``members.services.merge``): the status is then
    # ``merged`` for good, the record answers with a pointer to the one that survives, and counts, bills,
    # reminders and worklists leave it out.
    merged_into = models.ForeignKey(  # no index: the narrow row keeps none beside its key (read by its key)
        Participant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

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


class DuplicateRule(EffectiveRule):
    """The probable-duplicate matcher's weights and thresholds as data (``rules/data/duplicates.json``,
    ``rules.duplicates``), refitted from reviewed pairs by a new row from a month."""

    class Kind(models.TextChoices):
        MATCHER = "matcher", _("probable-duplicate matcher")
        MERGE = "merge", _("merging two records of one person")

    kind = models.CharField(max_length=10, choices=Kind.choices)


class ProbableDuplicate(models.Model):
    """Two participants that may be one person, found by the scan (``members.duplicates``) with their score
    and reasons. A decision (the same person, or different people) is kept for good: the pair is never
    asked about again. ``first`` is the lower id."""

    class State(models.TextChoices):
        OPEN = "open", _("to review")
        SAME = "same", _("the same person")
        DIFFERENT = "different", _("different people")

    first = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    second = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    score = models.FloatField()
    weight = models.FloatField()
    reasons = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    found_at = models.DateTimeField()
    scored_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A pair scored at or above the rule's two-people threshold is decided by two people: the first one's
    # choice waits here until another confirms it.
    proposed = models.CharField(max_length=10, choices=State.choices, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-score", "first_id", "second_id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="probable_duplicate_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="probable_duplicate_ordered"),
        ]
        indexes = [
            models.Index(fields=["state", "score"], name="probable_duplicate_queue"),
            models.Index(fields=["second"], name="probable_duplicate_second"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.3f})"


class DuplicateScan(models.Model):
    """A scan for probable duplicates run in the background by ``jaring worker``
    (``members.services.scans``): asked for on /duplicates/ or by ``jaring duplicates scan --background``,
    over an office's subtree or the whole registry, with its progress while it runs and what it found. One
    scope is scanned once at a time."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Step(models.TextChoices):
        READ = "read", _("reading the participants")
        SCORE = "score", _("scoring the pairs")

    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The office whose subtree is scanned; empty: the whole registry.",
    )  # fmt: skip
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    step = models.CharField(max_length=10, choices=Step.choices, blank=True)
    done = models.PositiveBigIntegerField(default=0, help_text="Participants read or pairs scored so far.")
    total = models.PositiveBigIntegerField(default=0, help_text="Of the step under way.")
    started_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True, help_text="When the progress was last written.")
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, help_text="What the scan found (ScanResult.as_json).")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["office", "requested_at"], name="duplicate_scan_office")]
        constraints = [
            # Two scans of one scope at once would read and keep the same pairs twice: the database
            # refuses the second while the first waits or runs (the whole registry counted as office 0).
            models.UniqueConstraint(
                Coalesce("office", Value(0)),
                condition=Q(state__in=("queued", "running")),
                name="duplicate_scan_one_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"scan {self.pk} ({self.state})"

    @property
    def working(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class NikVerification(models.Model):
    """What the population registry (Dukcapil) answered about a registration's NIK, name and birth date
    (``members.population``), kept with the registration."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+", db_index=False)
    source = models.CharField(max_length=30)
    status = models.CharField(max_length=12)  # found, not_found, unavailable
    name_matches = models.BooleanField(null=True)
    birth_date_matches = models.BooleanField(null=True)
    detail = models.CharField(max_length=200, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["participant", "checked_at"], name="nik_verification_participant")]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.status}"


class ParticipantMerge(models.Model):
    """Two records of one person made one (``members.services.merge``): ``absorbed`` answers from then on
    with a pointer to ``survivor``. Its ledger entries were reversed on its side and recorded again on the
    survivor's, in the month of the merge; the months both had paid (``double_paid``) were not recorded
    twice, and their amount became a credit to the survivor's balance or a refund owed, as the rule in
    force said (``settled_as``)."""

    class Settlement(models.TextChoices):
        CREDIT = "credit", _("credited to the balance")
        REFUND = "refund", _("refund owed")

    survivor = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    absorbed = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="merge", db_constraint=False
    )
    pair = models.ForeignKey(
        ProbableDuplicate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200)
    entries_moved = models.PositiveIntegerField(default=0)
    amount_moved = models.BigIntegerField(default=0)
    double_paid = models.JSONField(default=list, help_text="The months both records had paid, with amounts.")
    double_paid_amount = models.BigIntegerField(default=0)
    settled_as = models.CharField(max_length=10, choices=Settlement.choices, blank=True)
    deposit_moved = models.BigIntegerField(default=0)
    claims_moved = models.PositiveIntegerField(default=0)
    rule = models.CharField(max_length=40, blank=True)
    refund_paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        indexes = [models.Index(fields=["survivor"], name="participant_merge_survivor")]
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=F("absorbed")), name="participant_merge_two"),
            models.CheckConstraint(condition=Q(double_paid_amount__gte=0), name="participant_merge_credit"),
        ]

    def __str__(self) -> str:
        return f"{self.absorbed_id} -> {self.survivor_id}"
