"""The Kemendagri region tree: province > regency/city > district > village, with population."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One region, keyed by its dotted Kemendagri code: ``64``, ``64.71``, ``64.71.01``, ``64.71.01.1001``."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        REGENCY = 2, _("regency/city")
        DISTRICT = 3, _("district")
        VILLAGE = 4, _("village")

    code = models.CharField(primary_key=True, max_length=13)
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    population_male = models.PositiveBigIntegerField(null=True, blank=True)
    population_female = models.PositiveBigIntegerField(null=True, blank=True)
    population = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def regency_code(self) -> str | None:
        return self.code[:5] if self.level >= self.Level.REGENCY else None
