"""Reads of the region tree that validation and pages share."""

from dataclasses import dataclass
from functools import lru_cache

from jaring.regions.models import Region


@dataclass(frozen=True)
class RegionIndex:
    """Province and district codes in memory, for validating NIKs without a query per NIK."""

    provinces: frozenset[str]
    districts: frozenset[str]

    def has_province(self, code: str) -> bool:
        return code in self.provinces

    def has_district(self, code: str) -> bool:
        return code in self.districts


@lru_cache(maxsize=1)
def region_index() -> RegionIndex:
    """The index of the loaded regions (cached; ``regions_load`` clears the cache)."""
    codes = Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.DISTRICT]).values_list(
        "code", "level"
    )
    provinces, districts = set(), set()
    for code, level in codes:
        (provinces if level == Region.Level.PROVINCE else districts).add(code)
    return RegionIndex(frozenset(provinces), frozenset(districts))


def regency_code(region_code: str) -> str:
    """The regency/city code of any region at regency level or below (``64.71.01.1001`` -> ``64.71``)."""
    return region_code[:5]


def district_codes_of(regency: str) -> list[str]:
    """District codes of a regency/city, in code order."""
    return list(
        Region.objects.filter(level=Region.Level.DISTRICT, parent_id=regency).values_list("code", flat=True)
    )
