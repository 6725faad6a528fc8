"""Shared fixtures: a database with the real region table, and a small world of offices and outlets."""

from datetime import date, datetime

import pytest
from django.utils import timezone


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrations seed rates and occupations; the regions are loaded once for the whole session."""
    from jaring.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load()


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages link static files; tests run without ``collectstatic``, so without a manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background tasks run at once in tests (one test drives the real database queue and worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def default_language():
    """A request in English must not leave English active for the tests that follow."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_ratebook():
    """A rate rule changed in a test (and rolled back after it) must not live on in the process's cache."""
    from jaring.contributions.queries import ratebook_forget

    ratebook_forget()
    yield
    ratebook_forget()


def jakarta(year, month, day, hour=10) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def world(db):
    """Kanwil VII Kalimantan with a Balikpapan branch, and Pos outlets in Balikpapan and Karawang."""
    from jaring.channels.services import agent_create, outlet_create, partner_create
    from jaring.org.services import branch_areas_assign, office_create

    head = office_create(code="KP", name="Kantor Pusat", kind="head")
    kalimantan = office_create(code="KW07", name="Kanwil VII Kalimantan", kind="regional", parent=head)
    balikpapan = office_create(code="KC-BPN", name="KC Balikpapan", kind="branch", parent=kalimantan)
    branch_areas_assign(office=balikpapan, regency_codes=["64.71"])
    java = office_create(code="KW04", name="Kanwil Jawa Barat", kind="regional", parent=head)
    karawang_branch = office_create(code="KC-KRW", name="KC Karawang", kind="branch", parent=java)
    branch_areas_assign(office=karawang_branch, regency_codes=["32.15"])
    pos = partner_create(code="POS", name="Pos Indonesia", kind="pos")
    bank = partner_create(code="BNI", name="BNI", kind="bank")

    class World:
        pass

    w = World()
    w.head, w.kalimantan, w.balikpapan, w.karawang_branch = head, kalimantan, balikpapan, karawang_branch
    w.pos, w.bank = pos, bank
    w.pos_balikpapan = outlet_create(
        code="POS-BPN", name="KCU Balikpapan", partner=pos, region_code="64.71.01"
    )
    w.pos_karawang = outlet_create(code="POS-KRW", name="KCU Karawang", partner=pos, region_code="32.15.01")
    w.bank_karawang = outlet_create(code="BNI-KRW", name="BNI Karawang", partner=bank, region_code="32.15.01")
    w.agent = agent_create(code="AG-1", name="Siti Aminah", partner=pos, outlet=w.pos_karawang)
    return w


def a_village(district: str) -> str:
    from jaring.regions.models import Region

    return Region.objects.filter(parent_id=district).order_by("code").values_list("code", flat=True).first()


@pytest.fixture
def register(world):
    """Registers a worker at an outlet with sensible defaults; any field may be overridden."""
    from jaring.members.services import participant_register
    from jaring.rules.nik import Sex, make_nik

    serial = iter(range(1, 10_000))

    def _register(*, district="32.15.01", birth_date=date(1985, 4, 12), sex="M", outlet=None, **fields):
        values = {
            "nik": make_nik(district, birth_date, Sex(sex), next(serial)),
            "name": "Budi Santoso",
            "birth_date": birth_date,
            "sex": sex,
            "village_code": a_village(district),
            "occupation_code": "PEDAGANG_PASAR",
            "declared_income": 1_000_000,
            "programmes": "JKK+JKM",
            "outlet": outlet or world.pos_karawang,
        }
        values.update(fields)
        return participant_register(**values).participant

    return _register
