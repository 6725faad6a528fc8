"""Loading the vendored Kemendagri region table."""

import csv
import io
from dataclasses import dataclass
from importlib import resources

from django.db import connection, transaction
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said
from jaring.accounts.services import audited_save
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


_UPSERT = (
    "INSERT INTO {table} (code, name, level, parent_id, population_male, population_female, population) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, "
    "parent_id = excluded.parent_id, population_male = excluded.population_male, "
    "population_female = excluded.population_female, population = excluded.population"
)


def regions_load() -> LoadSummary:
    """Loads every region and its population from the packaged data set; running it again changes nothing.

    Rows are upserted in bulk (one ``executemany`` of ``INSERT ... ON CONFLICT``, the same SQL on SQLite
    and PostgreSQL), parents before children, so a newer data set (regions split, renamed) can be loaded
    over an older one.
    """
    population = {row["kode"]: row for row in _packaged_csv("penduduk.csv")}
    rows = []
    for row in sorted(_packaged_csv("wilayah.csv"), key=lambda row: (_level(row["kode"]), row["kode"])):
        code = row["kode"].strip()
        people = population.get(code)
        rows.append(
            (
                code,
                row["nama"].strip(),
                _level(code),
                code.rsplit(".", 1)[0] if "." in code else None,
                int(people["pria"]) if people else None,
                int(people["wanita"]) if people else None,
                int(people["total"]) if people else None,
            )
        )
    sql = _UPSERT.format(table=connection.ops.quote_name(Region._meta.db_table))
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
    region_index.cache_clear()
    return LoadSummary(regions=len(rows), with_population=sum(1 for row in rows if row[-1] is not None))


@transaction.atomic
def region_save(*, region: Region, actor, summary: str = "") -> Region:
    """Adds or corrects a region (its name, population) and makes this process read the change at once."""
    saved = audited_save(
        region,
        actor=actor,
        summary=summary,
        what=Said(gettext_noop("region %(code)s %(name)s"), {"code": region.code, "name": region.name}),
    )
    region_index.cache_clear()
    return saved
