from jaring.regions.models import Region
from jaring.regions.queries import region_index
from jaring.regions.services import regions_load


def test_the_whole_kemendagri_tree_is_loaded(db):
    counts = {level: Region.objects.filter(level=level).count() for level in Region.Level}
    assert counts == {1: 38, 2: 514, 3: 7_285, 4: 83_762}
    village = Region.objects.get(code="64.71.01.1001")
    assert village.parent.parent.parent.code == "64"


def test_population_is_kept_for_provinces_and_regencies(db):
    balikpapan = Region.objects.get(code="64.71")
    assert (
        balikpapan.population
        and balikpapan.population == balikpapan.population_male + balikpapan.population_female
    )
    assert Region.objects.filter(level=Region.Level.PROVINCE, population__isnull=True).count() == 0


def test_loading_again_changes_nothing(db):
    before = Region.objects.count()
    Region.objects.filter(code="64.71").update(name="renamed by hand")
    summary = regions_load()
    assert Region.objects.count() == before == summary.regions
    assert Region.objects.get(code="64.71").name == "Kota Balikpapan"


def test_region_index_knows_provinces_and_districts(db):
    index = region_index()
    assert index.has_province("64") and index.has_district("64.71.01")
    assert not index.has_province("99") and not index.has_district("64.71.99")
