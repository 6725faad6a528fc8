"""Shared fixtures: a database with the real region table, and a small world of offices and outlets."""

import os
import tempfile
from datetime import date, datetime

import pytest
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

# HYPOTHESIS_PROFILE=thorough tries each property twenty times as many cases (before a change lands).
hypothesis_settings.register_profile("thorough", max_examples=2000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file of this run's own, not Django's in-memory one, so that the
    browser tests' live server serves each request on its own connection. With the in-memory database
    the server's threads and the test share one connection, and two queries on it at once (a test
    reading the database while the page still sends) may fail or hang at random, as Django warns."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    test = default.setdefault("TEST", {})  # the dict the connection holds: changed in place
    if default["ENGINE"].endswith("sqlite3") and not test.get("NAME"):
        test["NAME"] = os.path.join(tempfile.gettempdir(), f"jaring-test-{os.getpid()}.sqlite3")


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


@pytest.fixture(autouse=True)
def fresh_api_keys():
    """API keys read in one test (and rolled back after it) must not be remembered by the next."""
    from jaring.api.keycache import apikey_forget

    apikey_forget()
    yield
    apikey_forget()


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
            "history_allowed": True,  # tests set up history as the operator does
        }
        values.update(fields)
        return participant_register(**values).participant

    return _register


# -- a network to scope over, and staff users (used by the accounts, web, desk, dashboards and agent tests)

PASSWORD = "kata-sandi-yang-panjang-2026"


@pytest.fixture
def network(world, register):
    from jaring.channels.services import outlet_create
    from jaring.contributions.models import GroupMembership, Payer, PayerGroup
    from jaring.contributions.services import bill_issue, payment_record
    from jaring.org.models import Office
    from jaring.rules.months import Month

    w = world
    w.java = Office.objects.get(code="KW04")
    w.pos_cikampek = outlet_create(
        code="POS-CKP", name="KC Cikampek", partner=w.pos, region_code="32.15.13", parent=w.pos_karawang
    )
    at = jakarta(2024, 5, 3)
    # lives in Karawang, registered at Pos Karawang
    w.karawang = register(outlet=w.pos_karawang, registered_at=at, phone="081234567890")
    # signed up by the Pos agent of Karawang
    w.by_agent = register(outlet=w.pos_karawang, agent=w.agent, registered_at=at)
    # registered at the child outlet Cikampek
    w.cikampek = register(outlet=w.pos_cikampek, district="32.15.13", registered_at=at)
    # registered at the bank in Karawang (not the Pos)
    w.at_bank = register(outlet=w.bank_karawang, registered_at=at)
    # lives in Balikpapan, registered there
    w.balikpapan_worker = register(outlet=w.pos_balikpapan, district="64.71.01", registered_at=at)
    # lives in Karawang but signed up at the Pos in Balikpapan (a migrant worker)
    w.migrant = register(outlet=w.pos_balikpapan, district="32.15.01", registered_at=at)

    w.payer = Payer.objects.create(code="DKI", name="Pemprov DKI", kind="APBD", outlet=w.bank_karawang)
    w.other_payer = Payer.objects.create(code="EMP", name="PT Maju", kind="EMPLOYER")
    group = PayerGroup.objects.create(payer=w.payer, code="PPSU", name="PPSU")
    GroupMembership.objects.create(group=group, participant=w.at_bank, first_month=Month.of(2024, 5))
    other_group = PayerGroup.objects.create(payer=w.other_payer, code="STAFF", name="Staff")
    GroupMembership.objects.create(group=other_group, participant=w.karawang, first_month=Month.of(2024, 5))
    w.bill = bill_issue(payer=w.payer, month=Month.of(2024, 5), issued_at=jakarta(2024, 5, 20))
    w.other_bill = bill_issue(payer=w.other_payer, month=Month.of(2024, 5), issued_at=jakarta(2024, 5, 20))

    def pay(participant, key, outlet=None, agent=None):
        return payment_record(
            history_allowed=True,
            participant=participant, months=1, amount=16_800, source="test", idempotency_key=key,
            paid_at=jakarta(2024, 6, 3), outlet=outlet, agent=agent,
        ).payment  # fmt: skip

    w.pay_karawang = pay(w.karawang, "k1", outlet=w.pos_karawang)
    w.pay_balikpapan = pay(w.balikpapan_worker, "b1", outlet=w.pos_balikpapan)
    # the Karawang worker pays once while working in Balikpapan
    w.pay_karawang_in_balikpapan = pay(w.karawang, "k2", outlet=w.pos_balikpapan)
    w.pay_by_agent = pay(w.by_agent, "a1", outlet=w.pos_karawang, agent=w.agent)
    return w


@pytest.fixture
def staff(db):
    """``staff("branch_staff", office=...)``: a user with that role and scope (password ``PASSWORD``)."""
    from jaring.accounts.services import staff_user_create

    made = iter(range(1, 1000))

    def _staff(role, *, username=None, **scope):
        return staff_user_create(
            username=username or f"{role}-{next(made)}", role=role, password=PASSWORD, **scope
        ).user

    return _staff


def pdf_text(pdf) -> str:
    """The text of a PDF jaring printed (bytes or a path), page after page, as pypdf reads it."""
    import io
    from pathlib import Path

    from pypdf import PdfReader

    body = Path(pdf).read_bytes() if isinstance(pdf, (str, Path)) else pdf
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
