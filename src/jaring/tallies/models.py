"""Tallies: the aggregates every dashboard, leaderboard, target and monev reads, at the bottom of the
layers: the facts write into them (``tallies.writer.TallyBatch``, in the same transaction) and the
steering reads of ``monitoring`` and ``perisai`` read them.

They are derived data, checked against the facts by ``jaring tallies verify``. Dimension columns are plain
integers (0 for "none") rather than foreign keys: a tally row is never the truth about an office or an
outlet, only a count about it, and plain integers keep the unique key free of NULLs on every database.

The tables keep the names they had when the models lived in ``monitoring`` (``db_table``): moving the code
moved no data.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jaring.common.fields import MonthField


class Tally(models.Model):
    """Counts and amounts per day x office x outlet x agent x channel x segment x kind.

    - ``registered``: registrations (acquisitions), on the registration day, credited to the acquiring
      outlet and agent.
    - ``first_paid``: registrations whose first contribution is paid, on the *registration* day (so a
      period of registrations can be asked how many of them have paid).
    - ``paid``: ledger entries (payments count +1, reversals -1) and their amounts, on the day of payment,
      credited to the collecting outlet and agent; office is the participant's branch.
    - ``moved``: registered participants moving between segments (a BPU worker taking a job, a wage
      earner leaving one): -1 in the segment left and +1 in the one entered, on the first day of the
      month of the move (``rules.segments.segment_moves``), under the participant's office, acquiring
      outlet, agent and channel. Registered participants by segment on a day are the registrations and
      the moves up to it.
    - ``employers``: companies registered, on the registration day, under the employer's serving
      branch, the registering outlet and agent (0 for a branch's own registration) and channel (the
      outlet's partner kind, empty for none), in segment PU: what the targets and contests on new
      companies read.
    """

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("registrations")
        FIRST_PAID = "first_paid", _("registrations that have paid")
        PAID = "paid", _("payments")
        MOVED = "moved", _("moves between segments")
        EMPLOYERS = "employers", _("companies registered")
        # -1 on the day a participant died (a death claim approved): the total registered leaves them out
        DIED = "died", _("deaths")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    day = models.DateField()
    office_id = models.BigIntegerField(default=0)
    outlet_id = models.BigIntegerField(default=0)
    agent_id = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=20, default="")
    segment = models.CharField(max_length=5, default="")
    count = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        db_table = "monitoring_tally"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "day", "outlet_id", "agent_id", "office_id", "channel", "segment"],
                name="tally_key",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "office_id", "day"], name="tally_office_day"),
            models.Index(fields=["kind", "outlet_id", "day"], name="tally_outlet_day"),
            models.Index(fields=["kind", "agent_id", "day"], name="tally_agent_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} outlet {self.outlet_id}: {self.count}"


class CoverageDelta(models.Model):
    """+1 in the month a covered run starts, -1 in the month after it ends, per participant dimensions.

    The active participants of month M are the sum of the deltas of every month up to M: the cost depends
    on months x offices x outlets, never on the number of participants.
    """

    month = MonthField()
    office_id = models.BigIntegerField(default=0)
    outlet_id = models.BigIntegerField(default=0)
    agent_id = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=20, default="")
    segment = models.CharField(max_length=5, default="")
    delta = models.BigIntegerField(default=0)

    class Meta:
        db_table = "monitoring_coveragedelta"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "outlet_id", "agent_id", "office_id", "channel", "segment"],
                name="coverage_delta_key",
            )
        ]
        indexes = [models.Index(fields=["office_id", "month"], name="delta_office_month")]

    def __str__(self) -> str:
        return f"{self.month} outlet {self.outlet_id}: {self.delta:+d}"


class MonthRollup(models.Model):
    """What both monthly roll-ups hold besides their place: the kind, the month, channel and segment, and
    the count and amount summed."""

    COVERED = "covered"

    kind = models.CharField(max_length=12)
    month = MonthField()
    channel = models.CharField(max_length=20, default="")
    segment = models.CharField(max_length=5, default="")
    count = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} {self.month}: {self.count}"


class OfficeMonth(MonthRollup):
    """The tallies summed per month, branch office, channel and segment, with the coverage deltas as the
    kind ``covered`` (``count`` holds the delta): what the national and regional reads sum (targets, the
    dashboards by office, monev). A few hundred rows a month whatever the number of participants,
    outlets and agents, where the daily tallies hold every day x outlet x agent. Written by
    ``TallyBatch`` beside the daily rows, checked by ``jaring tallies verify``."""

    office_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "month", "office_id", "channel", "segment"], name="office_month_key"
            )
        ]


class OutletMonth(MonthRollup):
    """The tallies summed per month and outlet (office, channel, segment; agents left out), with the
    coverage deltas of the participants the outlet acquired as the kind ``covered``: what the
    leaderboards, an outlet's targets and the dashboards by outlet sum over whole months, one row per
    outlet and month where the daily tallies hold one per day and agent. Written by ``TallyBatch`` beside
    the daily rows."""

    outlet_id = models.BigIntegerField(default=0)
    office_id = models.BigIntegerField(default=0)
    # The latest day of the month on which the row's kind counted something (a positive daily count): the
    # day an outlet last registered, which a contest's tie-break needs, read without the daily rows.
    last_day = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "month", "outlet_id", "office_id", "channel", "segment"],
                name="outlet_month_key",
            )
        ]
        indexes = [models.Index(fields=["kind", "outlet_id", "month"], name="outlet_month_outlet")]
