"""Model shapes shared by several apps (abstract: no table of their own)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from jaring.common.fields import MonthField


class EffectiveRule(models.Model):
    """A rule kept as data with a validity window in calendar months (``valid_to`` empty: open-ended), as
    in a JSON file of ``rules/data``; the window is in columns so an operator can move or close it.
    Subclasses add their ``kind`` with its choices."""

    code = models.CharField(max_length=40, unique=True)
    valid_from = MonthField()
    valid_to = MonthField(null=True, blank=True)
    data = models.JSONField()
    uncertain = models.BooleanField(default=False)
    source = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["kind", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="%(class)s_window_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.code


class StoredDocument(models.Model):
    """An uploaded document kept under ``MEDIA_ROOT`` (``path`` relative to it, ``common.documents``),
    never in the database and never served without the viewer's scope being checked. Subclasses add what
    the document belongs to."""

    class Kind(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    content_type = models.CharField(max_length=20, choices=Kind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=255, unique=True)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]
