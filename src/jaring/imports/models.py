"""Bulk imports of registrations, payments and deposits: a job per file, committed chunk by chunk."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One file being imported. A file is known by its SHA-256 and kind, so importing the same file again
    (under any name) resumes it if it was interrupted and adds nothing if it was finished."""

    class Kind(models.TextChoices):
        REGISTRATIONS = "registrations", _("registrations")
        PAYMENTS = "payments", _("contribution payments")
        DEPOSITS = "deposits", _("deposits (daily collection)")
        EMPLOYERS = "employers", _("employers")
        WORKERS = "workers", _("employers' workers (wage earners)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=15, choices=Kind.choices)
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=255)
    path = models.CharField(max_length=500, help_text="Where the file is read from.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0, help_text="Data rows committed so far.")
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=dict, help_text="Rejections per field:code.")
    error = models.TextField(blank=True)
    result_path = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "sha256"], name="import_once_per_file")]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def percent(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ImportChunk(models.Model):
    """The per-row results of one committed chunk, written in the chunk's own transaction: what a resumed
    import needs to produce the whole result file."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    results = models.TextField(help_text="CSV lines: row, status, reason, participant number, record id.")

    class Meta:
        ordering = ["job", "first_row"]
        constraints = [models.UniqueConstraint(fields=["job", "first_row"], name="import_chunk_once")]

    def __str__(self) -> str:
        return f"{self.job_id}: rows {self.first_row}..{self.last_row}"
