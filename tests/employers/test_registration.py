"""Registering an employer: every field checked with a clear reason, nothing half-saved, the NIB and
NPWP unique when given, the number's check digit, the serving branch and the size from the workforce."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from tests.employers.conftest import BALIKPAPAN_VILLAGE, KARAWANG_VILLAGE

from jaring.accounts.audit import Actor
from jaring.accounts.models import AuditEntry
from jaring.common.errors import problems_of
from jaring.employers.models import Employer
from jaring.employers.queries import employer_find
from jaring.employers.services import EmployerBook, EmployerRequest, employer_check, employer_register
from jaring.rules.employer_number import employer_seq


def register(**fields):
    values = {"name": "CV Maju Jaya", "village_code": BALIKPAPAN_VILLAGE, "sector": "G", "workforce": 12}
    values.update(fields)
    return employer_register(**values)


def reasons(**fields) -> list[str]:
    with pytest.raises(ValidationError) as error:
        register(**fields)
    return sorted(problem.reason for problem in problems_of(error.value))


def test_an_employer_gets_a_number_with_a_check_digit_read_back_to_it(world):
    employer = register(actor=Actor.cli())
    assert len(employer.number) == 9 and employer_seq(employer.number) == employer.pk
    assert employer_find(employer.number) == employer
    mistyped = employer.number[:-1] + str((int(employer.number[-1]) + 1) % 10)
    assert employer_find(mistyped) is None
    assert AuditEntry.objects.filter(object_id=str(employer.pk), action="create").exists()


def test_the_size_comes_from_the_workforce_unless_it_is_stated(world):
    assert [register(workforce=count).size for count in (1, 4, 5, 19, 20, 99, 100)] == [
        "micro", "micro", "small", "small", "medium", "medium", "large",
    ]  # fmt: skip
    assert register(workforce=3, size="medium").size == "medium"


def test_the_risk_class_comes_from_the_sector_unless_it_is_stated(world):
    assert register(sector="F").risk_class == 5  # construction
    assert register(sector="g").risk_class == 1  # trade, the code in any case
    assert register(sector="G", risk_class="3").risk_class == 3


def test_the_serving_branch_is_the_branch_of_the_village(world):
    assert register(village_code=BALIKPAPAN_VILLAGE).office == world.balikpapan
    assert (
        register(village_code=KARAWANG_VILLAGE, outlet=world.pos_balikpapan).office == world.karawang_branch
    )


def test_where_no_branch_serves_the_village_the_outlets_branch_serves(world):
    from tests.conftest import a_village

    far = a_village("11.01.01")  # Aceh: no branch area in the world
    employer = register(village_code=far, outlet=world.pos_balikpapan)
    assert employer.office_id == world.pos_balikpapan.office_id
    assert register(village_code=far).office is None


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"name": "  "}, "name:required"),
        ({"name": "12345"}, "name:invalid"),
        ({"name": "PT Nul\x00"}, "name:control_character"),
        ({"village_code": "99.99.99.9999"}, "village_code:unknown"),
        ({"sector": "Z"}, "sector:unknown"),
        ({"workforce": ""}, "workforce:required"),
        ({"workforce": "banyak"}, "workforce:invalid"),
        ({"workforce": 0}, "workforce:range"),
        ({"workforce": -3}, "workforce:range"),
        ({"risk_class": 6}, "risk_class:unknown"),
        ({"risk_class": "0"}, "risk_class:unknown"),
        ({"risk_class": "tinggi"}, "risk_class:unknown"),
        ({"size": "giant"}, "size:unknown"),
        ({"nib": "123"}, "nib:length"),
        ({"nib": "12345678901A3"}, "nib:not_digits"),
        ({"npwp": "01.234.567.8-901"}, "npwp:length"),
        ({"npwp": "NPWP-SAYA"}, "npwp:not_digits"),
    ],
)
def test_each_bad_field_is_refused_with_its_reason_and_nothing_is_saved(world, fields, reason):
    assert reasons(**fields) == [reason]
    assert not Employer.objects.exists() and not AuditEntry.objects.filter(object_type__contains="employer")


def test_every_bad_field_is_named_at_once_in_indonesian(world):
    with pytest.raises(ValidationError) as error:
        register(name="", village_code="00", sector="?", workforce="x", risk_class=9, nib="1", npwp="2")
    messages = error.value.message_dict
    assert set(messages) == {"name", "village_code", "sector", "workforce", "risk_class", "nib", "npwp"}
    assert messages["risk_class"] == [
        "Kelas risiko 9 tidak ada: kelas risiko kecelakaan kerja adalah 1, 2, 3, 4, 5."
    ]


def test_a_nib_or_npwp_registered_before_is_refused_naming_the_employer(world):
    first = register(nib="1234567890123", npwp="01.234.567.8-901.000")
    assert first.npwp == "012345678901000"
    with pytest.raises(ValidationError) as error:
        register(name="PT Lain", nib="1234-5678-90123", npwp="012345678901000")
    assert sorted(problem.reason for problem in problems_of(error.value)) == [
        "nib:duplicate",
        "npwp:duplicate",
    ]
    assert first.number in error.value.message_dict["nib"][0]
    assert Employer.objects.count() == 1


def test_employers_without_a_nib_or_npwp_are_many(world):
    register(), register(), register(npwp="3201234567890001")
    assert Employer.objects.filter(nib="").count() == 3


def test_the_database_refuses_a_second_nib_whatever_the_path(world):
    first = register(nib="1234567890123")
    with pytest.raises(IntegrityError), transaction.atomic():
        Employer.objects.create(
            name="PT Kembar", nib=first.nib, sector="G", risk_class=1, size="micro", workforce=1,
            village_id=BALIKPAPAN_VILLAGE, registered_at=first.registered_at,
        )  # fmt: skip


def test_a_list_sees_its_own_identifiers_taken(world):
    same = {"village_code": BALIKPAPAN_VILLAGE, "sector": "C", "nib": "1111111111111"}
    requests = [
        EmployerRequest(name="PT Satu", workforce=50, **same),
        EmployerRequest(name="PT Dua", workforce=5, **same),
    ]
    book = EmployerBook.load(requests=requests)
    first, second = (employer_check(request, book) for request in requests)
    assert first.size == "medium" and first.risk_class == 3
    assert [problem.reason for problem in second] == ["nib:duplicate"]


def test_a_partners_outlet_registers_smes_and_the_branch_the_large_employers(world):
    assert register(workforce=99, outlet=world.pos_karawang).size == "medium"
    assert reasons(workforce=100, outlet=world.pos_karawang) == ["size:not_sme"]
    assert reasons(workforce=3, size="large", outlet=world.pos_karawang) == ["size:not_sme"]
    assert register(workforce=100).size == "large"  # the branch (no outlet)


def test_a_closed_outlet_registers_nothing(world):
    world.pos_karawang.is_active = False  # as the outlet's row says once closed (not saved here)
    assert reasons(outlet=world.pos_karawang) == ["outlet:closed"]
