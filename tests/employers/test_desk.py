"""The desk's employer page: branch staff register any employer, a Pos teller the SMEs of its outlet,
and every bad field is told beside it in Indonesian, with nothing saved."""

import pytest
from tests.conftest import PASSWORD
from tests.employers.conftest import BALIKPAPAN_VILLAGE

from jaring.employers.models import Employer

URL = "/desk/employers/register/"
GOOD = {"name": "CV Maju Jaya", "village_code": BALIKPAPAN_VILLAGE, "sector": "G", "workforce": "12"}


@pytest.fixture
def signed_in(client, staff, world):
    def _signed_in(role, **scope):
        user = staff(role, **scope)
        client.login(username=user.username, password=PASSWORD)
        return client

    return _signed_in


def test_branch_staff_register_an_employer_of_any_size(signed_in, world):
    client = signed_in("branch_staff", office=world.balikpapan)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {**GOOD, "workforce": "250"})
    assert response.status_code == 302
    employer = Employer.objects.get()
    assert (employer.size, employer.outlet, employer.office) == ("large", None, world.balikpapan)


def test_a_pos_teller_registers_smes_credited_to_the_outlet(signed_in, world):
    client = signed_in("outlet_teller", outlet=world.pos_karawang)
    assert client.post(URL, GOOD).status_code == 302
    assert Employer.objects.get().outlet == world.pos_karawang
    response = client.post(URL, {**GOOD, "name": "PT Besar", "workforce": "500"})
    assert response.status_code == 400
    assert "cabang BPJS" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "scope"), [("agent", "agent"), ("outlet_teller", "bank"), ("auditor", None)]
)
def test_agents_bank_tellers_and_others_do_not_see_the_page(signed_in, world, role, scope):
    options = {"agent": {"agent": world.agent}, "bank": {"outlet": world.bank_karawang}, None: {}}[scope]
    client = signed_in(role, **options)
    assert client.get(URL).status_code == 404
    assert client.post(URL, GOOD).status_code == 404 and not Employer.objects.exists()


def test_each_bad_field_is_told_beside_it_in_indonesian_and_nothing_is_saved(signed_in, world):
    client = signed_in("admin")
    response = client.post(
        URL, {**GOOD, "village_code": "99", "risk_class": "", "nib": "123", "workforce": "0"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"village_code", "nib", "workforce"}
    assert errors["nib"] == ["NIB terdiri atas 13 angka."]
    assert not Employer.objects.exists()
