from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import a_village, jakarta

from jaring.common.errors import DuplicateRegistration
from jaring.members.models import DuplicateAttempt, Participant
from jaring.members.services import participant_register
from jaring.rules.nik import Sex, make_nik


def test_registration_resolves_the_branch_from_the_address(world, register):
    worker = register(district="64.71.01", outlet=world.pos_karawang)
    assert worker.office == world.balikpapan
    assert worker.channel == "pos"
    assert worker.outlet == world.pos_karawang
    assert worker.standing.status == Participant.Status.NEW


def test_participant_number_has_a_valid_check_digit(register):
    from jaring.rules.participant_number import participant_seq

    worker = register()
    assert len(worker.number) == 11
    assert participant_seq(worker.number) == worker.pk


def test_registering_a_nik_twice_creates_one_participant_and_names_the_first_registration(world, register):
    first = register(registered_at=jakarta(2023, 10, 24))
    with pytest.raises(DuplicateRegistration) as error:
        register(nik=first.nik, outlet=world.pos_balikpapan)
    message = error.value.message_dict["nik"][0]
    assert "KCU Karawang" in message and "POS-KRW" in message and "2023" in message
    assert Participant.objects.filter(nik=first.nik).count() == 1
    attempt = DuplicateAttempt.objects.get()
    assert attempt.outlet == world.pos_balikpapan and attempt.participant == first


def test_bad_input_gets_one_error_per_field_and_saves_nothing(world):
    with pytest.raises(ValidationError) as error:
        participant_register(
            nik="12345",
            name="",
            birth_date=None,
            sex="X",
            village_code="99.99.99.9999",
            occupation_code="ASTRONAUT",
            declared_income="banyak",
            programmes="JKK+JP",
            outlet=world.pos_karawang,
        )
    fields = set(error.value.message_dict)
    assert {
        "nik",
        "name",
        "birth_date",
        "sex",
        "village_code",
        "occupation",
        "declared_income",
        "programmes",
    } <= fields
    assert Participant.objects.count() == 0


def test_declared_birth_date_and_sex_must_agree_with_the_nik(world):
    nik = make_nik("32.15.01", date(1990, 3, 7), Sex.FEMALE, 1)
    with pytest.raises(ValidationError) as error:
        participant_register(
            nik=nik,
            name="Sri",
            birth_date=date(1990, 3, 8),
            sex="M",
            village_code=a_village("32.15.01"),
            occupation_code="PETANI",
            declared_income=1_000_000,
            programmes="JKK+JKM",
            outlet=world.pos_karawang,
        )
    assert {"birth_date", "sex"} <= set(error.value.message_dict)


def test_income_below_the_minimum_is_refused(register):
    with pytest.raises(ValidationError) as error:
        register(declared_income=900_000)
    assert "declared_income" in error.value.message_dict


def test_unknown_district_of_a_known_province_is_a_warning_not_a_rejection(world):
    nik = make_nik("32.15.99", date(1990, 3, 7), Sex.MALE, 1)
    registration = participant_register(
        nik=nik,
        name="Asep",
        birth_date=date(1990, 3, 7),
        sex="M",
        village_code=a_village("32.15.01"),
        occupation_code="PETANI",
        declared_income=1_000_000,
        programmes="JKK+JKM",
        outlet=world.pos_karawang,
    )
    assert registration.participant.pk
    assert registration.warnings


def test_an_agent_of_another_partner_cannot_be_credited(world, register):
    with pytest.raises(ValidationError) as error:
        register(outlet=world.bank_karawang, agent=world.agent)
    assert "agent" in error.value.message_dict


def test_registration_in_the_future_is_refused(register):
    with pytest.raises(ValidationError) as error:
        register(registered_at=jakarta(2099, 1, 1))
    assert "registered_at" in error.value.message_dict
