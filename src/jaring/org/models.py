"""BPJS Ketenagakerjaan offices: head office > regional office (Kanwil) > branch office (KC/KCU)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jaring.regions.models import Region


class Office(models.Model):
    class Kind(models.TextChoices):
        HEAD = "head", _("Head Office")
        REGIONAL = "regional", _("Regional Office")
        BRANCH = "branch", _("Branch Office")

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes ("/KP/KW07/KC-BPN/"): an office subtree is one indexed prefix match, which
    # is how every page and export is scoped to the signed-in user's office.
    path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="head", parent__isnull=True) | models.Q(parent__isnull=False),
                name="office_only_head_office_has_no_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name


class BranchArea(models.Model):
    """A regency/city served by a branch office; each regency/city is served by exactly one branch."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="areas")
    regency = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="branch_area")

    class Meta:
        ordering = ["regency_id"]

    def __str__(self) -> str:
        return f"{self.regency_id} -> {self.office.code}"
