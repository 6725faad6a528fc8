"""The probable-duplicate scan over the registry: planted duplicates found with their reasons, twins and
siblings left alone, decisions kept for good, and the command line."""

import json
from datetime import date
from io import StringIO

from django.core.management import call_command
from tests.conftest import jakarta

from jaring.members.models import ProbableDuplicate
from jaring.members.services.duplicates import duplicates_scan
from jaring.rules.nik import Sex, make_nik


def registered(register, name, serial, *, district="32.15.01", birth=date(1985, 4, 12), sex="M", **fields):
    nik = make_nik(district, birth, Sex(sex), serial)
    return register(
        nik=nik, name=name, birth_date=birth, sex=sex, registered_at=jakarta(2024, 3, 1), **fields
    )


def test_the_scan_keeps_the_planted_duplicate_and_leaves_twins_and_siblings_alone(world, register):
    yusuf = registered(register, "Muhammad Yusuf Hidayat", 11, phone="081211112222")
    again = registered(register, "M. Jusuf Hidayat", 12)  # the serial made up, the name respelled
    twin_a = registered(register, "Budi Santoso", 21, phone="081233334444")
    twin_b = registered(register, "Bayu Santoso", 22, phone="081233334444")
    wayan = registered(register, "I Wayan Sudarma", 31, birth=date(1990, 1, 2))
    made = registered(register, "I Made Sudarma", 32, birth=date(1990, 1, 2))
    result = duplicates_scan()
    pairs = {(pair.first_id, pair.second_id): pair for pair in ProbableDuplicate.objects.all()}
    assert set(pairs) == {(yusuf.pk, again.pk)}
    pair = pairs[yusuf.pk, again.pk]
    assert (
        pair.score >= 0.9
        and {"field": "nik", "level": "serial", "weight": pair.reasons[1]["weight"]} in pair.reasons
    )
    # found already at registration (the second one was warned): the scan rescored it
    assert (
        result.participants == 6
        and result.pairs_compared >= 3
        and result.pairs_kept == 1
        and result.pairs_new == 0
    )
    assert (twin_a.pk, twin_b.pk) not in pairs and (wayan.pk, made.pk) not in pairs


def test_a_decided_pair_is_never_asked_about_again(world, register):
    registered(register, "Dewi Lestari", 41)
    registered(register, "Dewi Lestari", 42)
    duplicates_scan()
    pair = ProbableDuplicate.objects.get()
    ProbableDuplicate.objects.filter(pk=pair.pk).update(state=ProbableDuplicate.State.DIFFERENT)
    again = duplicates_scan()
    assert again.pairs_new == 0
    assert ProbableDuplicate.objects.get().state == ProbableDuplicate.State.DIFFERENT


def test_the_command_scans_an_office_and_prints_json(world, register):
    registered(register, "Dewi Lestari", 41)
    registered(register, "Dewi Lestari", 42)
    out = StringIO()
    call_command("duplicates", "scan", "--office", "KC-KRW", "--json", stdout=out, stderr=StringIO())
    answer = json.loads(out.getvalue())
    assert answer["ok"] and answer["participants"] == 2 and answer["pairs_kept"] == 1
    elsewhere = StringIO()
    call_command("duplicates", "scan", "--office", "KC-BPN", "--json", stdout=elsewhere, stderr=StringIO())
    assert json.loads(elsewhere.getvalue())["participants"] == 0


def test_a_pair_above_the_two_people_threshold_is_decided_by_two_people(world, register, staff):
    from django.core.exceptions import ValidationError

    from jaring.members.services.duplicates import duplicate_decide

    registered(register, "Dewi Lestari", 41)
    registered(register, "Dewi Lestari", 42)
    duplicates_scan()
    pair = ProbableDuplicate.objects.get()
    assert pair.score >= 0.99  # the same name, district, birth date and village: two people decide
    first, second = (
        staff("branch_staff", office=world.karawang_branch),
        staff("branch_staff", office=world.karawang_branch),
    )
    assert not duplicate_decide(pair=pair, same=True, actor=first).decided
    try:
        duplicate_decide(pair=pair, same=True, actor=first)
    except ValidationError as error:
        assert error.error_dict["actor"][0].code == "same_person"
    else:
        raise AssertionError("the proposer confirmed their own proposal")
    # a different choice by the second person replaces the proposal; the first then confirms it
    assert not duplicate_decide(pair=pair, same=False, actor=second).decided
    decided = duplicate_decide(pair=pair, same=False, actor=first)
    assert decided.decided and decided.pair.state == ProbableDuplicate.State.DIFFERENT


def test_a_registration_that_may_duplicate_someone_is_warned_recorded_and_kept_for_review(world, register):
    from jaring.members.services import participant_register

    first = registered(register, "Muhammad Yusuf Hidayat", 11)
    again = participant_register(
        nik=make_nik("32.15.01", date(1985, 4, 12), Sex("M"), 12),
        name="M. Jusuf Hidayat",
        birth_date=date(1985, 4, 12),
        sex="M",
        village_code=first.village_id,
        occupation_code="PEDAGANG_PASAR",
        declared_income=1_000_000,
        programmes="JKK+JKM",
        outlet=world.pos_balikpapan,
    )
    assert again.participant.pk  # registered all the same
    assert any(first.number in warning and "3215" in warning for warning in again.warnings)
    assert first.nik not in " ".join(again.warnings)  # the NIK masked
    pair = ProbableDuplicate.objects.get()
    assert (pair.first_id, pair.second_id) == (first.pk, again.participant.pk) and pair.score >= 0.9
    # a twin brother registered the same way is no warning
    twin = participant_register(
        nik=make_nik("32.15.01", date(1985, 4, 12), Sex("M"), 13),
        name="Bayu Wicaksono",
        birth_date=date(1985, 4, 12),
        sex="M",
        village_code=first.village_id,
        occupation_code="PEDAGANG_PASAR",
        declared_income=1_000_000,
        programmes="JKK+JKM",
        outlet=world.pos_karawang,
    )
    assert not twin.warnings and ProbableDuplicate.objects.count() == 1


def test_with_a_population_registry_every_registration_is_verified_and_the_answer_kept(world, register):
    from jaring.members.models import NikVerification
    from jaring.members.population import FakeRegistry, registry_install, registry_uninstall

    known = make_nik("32.15.01", date(1985, 4, 12), Sex("M"), 51)
    registry = FakeRegistry({known: ("Budi Santoso", date(1985, 4, 12))})
    registry_install(registry)
    try:
        same = registered(register, "BUDI SANTOSO", 51)
        unknown = registered(register, "Dewi Lestari", 52, sex="F")
    finally:
        registry_uninstall()
    answers = {v.participant_id: v for v in NikVerification.objects.all()}
    assert (
        answers[same.pk].status == "found"
        and answers[same.pk].name_matches
        and answers[same.pk].birth_date_matches
    )
    assert answers[unknown.pk].status == "not_found" and answers[unknown.pk].source == "fake"
    # unreachable: registered all the same, the answer says so
    registry_install(FakeRegistry(down=True))
    try:
        late = registered(register, "Joko Widodo", 53)
    finally:
        registry_uninstall()
    assert NikVerification.objects.get(participant_id=late.pk).status == "unavailable"
    # without a registry nothing is asked
    registered(register, "Sri Rahayu", 54, sex="F")
    assert NikVerification.objects.count() == 3


def test_without_a_matcher_row_a_registration_is_compared_with_the_rule_as_shipped(world, register):
    from jaring.members.models import DuplicateRule

    DuplicateRule.objects.all().delete()  # a database emptied between a test's cases
    registered(register, "Dewi Lestari", 41)
    registered(register, "Dewi Lestari", 42)
    assert ProbableDuplicate.objects.count() == 1
