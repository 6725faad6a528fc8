"""Loading the vendored Kemendagri region table."""

import csv
import io
from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from jaring.regions.models import Region
from jaring.regions.queries import region_index

BATCH = 5000


@dataclass(frozen=True)
class LoadSummary:
    regions: int
    with_population: int


def _packaged_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("jaring.regions").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _level(code: str) -> int:
    return code.count(".") + 1


def regions_load() -> LoadSummary:
    """Loads every region and its population from the packaged data set; running it again changes nothing.

    Rows are written in bulk, parents before children, and an existing code is updated in place, so a
    newer data set (regions split, renamed) can be loaded over an older one.
    """
    population = {row["kode"]: row for row in _packaged_csv("penduduk.csv")}
    rows = sorted(_packaged_csv("wilayah.csv"), key=lambda row: (_level(row["kode"]), row["kode"]))
    regions = []
    for row in rows:
        code = row["kode"].strip()
        people = population.get(code)
        regions.append(
            Region(
                code=code,
                name=row["nama"].strip(),
                level=_level(code),
                parent_id=code.rsplit(".", 1)[0] if "." in code else None,
                population_male=int(people["pria"]) if people else None,
                population_female=int(people["wanita"]) if people else None,
                population=int(people["total"]) if people else None,
            )
        )
    with transaction.atomic():
        for start in range(0, len(regions), BATCH):
            Region.objects.bulk_create(
                regions[start : start + BATCH],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=[
                    "name",
                    "level",
                    "parent",
                    "population_male",
                    "population_female",
                    "population",
                ],
            )
    region_index.cache_clear()
    return LoadSummary(
        regions=len(regions), with_population=sum(1 for r in regions if r.population is not None)
    )
