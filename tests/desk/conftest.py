"""The desk tests use the shared ``network`` and ``staff`` fixtures, and one user per role here."""

from datetime import date

import pytest
from tests.conftest import a_village

ACTING = ("outlet_teller", "agent", "branch_staff", "admin")
NOT_ACTING = ("head_office_analyst", "regional_staff", "auditor", "payer")


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Users are made in every test; the production hasher's slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(network, staff):
    """A user per role, made when first asked for, scoped over the Karawang side of the network (and
    two over Balikpapan)."""
    w = network
    made = {
        "outlet_teller": lambda: staff("outlet_teller", username="teller-krw", outlet=w.pos_karawang),
        "agent": lambda: staff("agent", username="agent-1", agent=w.agent),
        "branch_staff": lambda: staff("branch_staff", username="kc-krw", office=w.karawang_branch),
        "admin": lambda: staff("admin", username="admin"),
        "head_office_analyst": lambda: staff("head_office_analyst", username="analyst"),
        "regional_staff": lambda: staff("regional_staff", username="kw04", office=w.java),
        "auditor": lambda: staff("auditor", username="auditor"),
        "payer": lambda: staff("payer", username="dki", payer=w.payer),
        "teller_balikpapan": lambda: staff("outlet_teller", username="teller-bpn", outlet=w.pos_balikpapan),
        "branch_balikpapan": lambda: staff("branch_staff", username="kc-bpn", office=w.balikpapan),
    }

    class People:
        def __getattr__(self, role):
            user = made[role]()
            setattr(self, role, user)
            return user

    return People()


@pytest.fixture
def as_user(client):
    """``as_user(user)``: the test client signed in as ``user``."""

    def _as(user):
        client.force_login(user)
        return client

    return _as


_serial = iter(range(5000, 9999))


def worker(outlet, **overrides) -> dict:
    """A valid registration form for a Karawang worker, as the desk posts it."""
    from jaring.rules.nik import Sex, make_nik

    birth = overrides.pop("birth", date(1990, 1, 2))
    sex = overrides.pop("nik_sex", "M")
    data = {
        "outlet": outlet.code,
        "nik": make_nik("32.15.01", birth, Sex(sex), next(_serial)),
        "name": "Dewi Lestari",
        "birth_date": birth.isoformat(),
        "sex": sex,
        "phone": "0812 3456 7890",
        "province": "32",
        "regency": "32.15",
        "district": "32.15.01",
        "village_code": a_village("32.15.01"),
        "occupation": "PEDAGANG_PASAR",
        "declared_income": "1.000.000",
        "programmes": "JKK+JKM",
    }
    data.update(overrides)
    return data
