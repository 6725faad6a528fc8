"""Wage earners at their employers (#15, part 2): a NIK is one person across segments, the segment and
employer history is kept with dates, and the counts by segment are right on any day."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from tests.conftest import a_village, jakarta
from tests.employers.conftest import BALIKPAPAN_VILLAGE

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.errors import problems_of
from jaring.contributions.services import payment_record
from jaring.employers.models import Employment
from jaring.employers.services import employer_register
from jaring.employers.wage_earners.queries import segment_counts, segment_history, segment_on
from jaring.employers.wage_earners.services import Worker, employment_end, employment_start, wage_change
from jaring.members.models import Participant
from jaring.rules.months import Month
from jaring.rules.nik import Sex, make_nik
from jaring.rules.segments import segment_moves
from jaring.tallies.verify import tallies_verify

BEFORE, DURING, AFTER = date(2024, 3, 20), date(2024, 8, 20), date(2025, 2, 20)


@pytest.fixture
def employer(world):
    return employer_register(name="CV Maju Jaya", village_code=BALIKPAPAN_VILLAGE, sector="G", workforce=12)


@pytest.fixture
def second_employer(world):
    return employer_register(name="PT Dua Jalan", village_code=BALIKPAPAN_VILLAGE, sector="C", workforce=40)


@pytest.fixture
def bpu_worker(world, register):
    """A BPU worker registered in January 2024 who paid for the whole of 2024."""
    worker = register(registered_at=jakarta(2024, 1, 5))
    payment_record(
        history_allowed=True,
        participant=worker,
        months=12,
        amount=12 * 16_800,
        source="t",
        idempotency_key="year",
        paid_at=jakarta(2024, 1, 5),
        outlet=world.pos_karawang,
    )
    return Participant.objects.get(pk=worker.pk)


def counts(day) -> dict:
    return {c.segment: (c.registered, c.active) for c in segment_counts(day)}


def reasons(call, **fields) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call(**fields)
    return sorted(problem.reason for problem in problems_of(error.value))


def test_a_bpu_worker_who_takes_a_job_keeps_the_participant_number(employer, bpu_worker):
    result = employment_start(
        employer=employer, nik=bpu_worker.nik, wage="5.500.000", first_month="2024-06", actor=Actor.cli()
    )
    assert result.participant.pk == bpu_worker.pk and result.participant.number == bpu_worker.number
    assert not result.registered and result.warnings == ()
    assert Participant.objects.filter(nik=bpu_worker.nik).count() == 1
    job = Employment.objects.get(participant=bpu_worker)
    assert (job.employer, job.wage, job.first_month, job.last_month) == (
        employer,
        5_500_000,
        Month.of(2024, 6),
        None,
    )
    # by participant number too
    employment_end(employer=employer, nik=bpu_worker.number, last_month="2024-12")
    assert Employment.objects.get(participant=bpu_worker).last_month == Month.of(2024, 12)


def test_segment_on_dates_before_during_and_after_a_job(employer, bpu_worker):
    employment_start(employer=employer, nik=bpu_worker.nik, wage=5_500_000, first_month="2024-06")
    employment_end(employer=employer, nik=bpu_worker.nik, last_month="2024-12")
    worker = Participant.objects.get(pk=bpu_worker.pk)
    assert worker.segment == "BPU"  # the segment it was registered in is never rewritten
    assert [segment_on(worker, day) for day in (date(2023, 12, 1), BEFORE, DURING, AFTER)] == [
        None, "BPU", "PU", "BPU",
    ]  # fmt: skip
    assert [(s.segment, str(s.first), s.last and str(s.last)) for s in segment_history(worker)] == [
        ("BPU", "2024-01", "2024-05"),
        ("PU", "2024-06", "2024-12"),
        ("BPU", "2025-01", None),
    ]


def test_counts_by_segment_are_right_before_during_and_after_and_tallies_verify(employer, bpu_worker):
    employment_start(employer=employer, nik=bpu_worker.nik, wage=5_500_000, first_month="2024-06")
    employment_end(employer=employer, nik=bpu_worker.nik, last_month="2024-12")
    # registered (total) and active (covered in the day's month: paid for 2024)
    assert counts(date(2023, 12, 31))["BPU"] == (0, 0)
    assert counts(BEFORE)["BPU"] == (1, 1) and counts(BEFORE)["PU"] == (0, 0)
    assert counts(DURING)["BPU"] == (0, 0) and counts(DURING)["PU"] == (1, 1)
    assert counts(AFTER)["BPU"] == (1, 0) and counts(AFTER)["PU"] == (0, 0)
    assert tallies_verify() == []


def test_a_new_nik_is_registered_as_a_wage_earner_and_counted_in_pu(world, employer):
    nik = make_nik("64.71.05", date(1990, 3, 12), Sex.MALE, 77)
    worker = Worker(
        name="Andi Wijaya",
        birth_date=date(1990, 3, 12),
        sex="M",
        village_code=a_village("64.71.05"),
        occupation_code="PEDAGANG_PASAR",
        outlet=world.pos_balikpapan,
    )
    result = employment_start(
        employer=employer, nik=nik, wage=4_000_000, first_month=Month.of(2024, 6), worker=worker
    )
    assert result.registered and len(result.participant.number) == 11
    participant = Participant.objects.get(nik=nik)
    assert participant.segment == "PU" and participant.standing.status == "new"
    today = local_date()
    assert counts(today)["PU"][0] == 1 and counts(today)["BPU"][0] == 0
    employment_end(employer=employer, nik=nik, last_month="2024-12")
    # a wage earner with no employer is counted with the informal workers from the month after
    assert counts(today)["PU"][0] == 0 and counts(today)["BPU"][0] == 1
    assert tallies_verify() == []
    # enrolled again (another employer, later): the same participant, not a second registration
    again = employment_start(employer=employer, nik=nik, wage=4_200_000, first_month="2025-03", worker=worker)
    assert not again.registered and again.participant.pk == participant.pk
    assert tallies_verify() == []


def test_two_employers_in_the_same_months_warn_and_both_jobs_stand(employer, second_employer, bpu_worker):
    employment_start(employer=employer, nik=bpu_worker.nik, wage=5_500_000, first_month="2024-06")
    result = employment_start(
        employer=second_employer, nik=bpu_worker.nik, wage=2_000_000, first_month="2024-08"
    )
    assert [w.reason for w in result.warnings] == ["employer:second_employer"]
    assert employer.number in result.warnings[0].message
    assert Employment.objects.filter(participant=bpu_worker, last_month__isnull=True).count() == 2
    # one worker, counted once in PU
    assert counts(DURING)["PU"] == (1, 1)
    employment_end(employer=employer, nik=bpu_worker.nik, last_month="2024-09")
    assert counts(date(2024, 11, 1))["PU"] == (1, 1)  # still employed by the second
    assert tallies_verify() == []


def test_a_wage_change_is_a_new_row_from_its_month_and_history_is_kept(employer, bpu_worker):
    employment_start(employer=employer, nik=bpu_worker.nik, wage=5_000_000, first_month="2024-06")
    wage_change(employer=employer, nik=bpu_worker.nik, wage="5.750.000", first_month="2025-01")
    rows = list(Employment.objects.filter(participant=bpu_worker).order_by("first_month"))
    assert [(r.wage, str(r.first_month), r.last_month and str(r.last_month)) for r in rows] == [
        (5_000_000, "2024-06", "2024-12"),
        (5_750_000, "2025-01", None),
    ]
    assert counts(AFTER)["PU"][0] == 1  # no move: the job went on
    assert tallies_verify() == []


@pytest.mark.parametrize(
    ("wage", "reason"),
    [(-1, "wage:range"), (0, "wage:range"), ("-500000", "wage:range"), (5_000_000_000, "wage:range"),
     ("lima juta", "wage:invalid"), ("", "wage:required"), (None, "wage:required")],
)  # fmt: skip
def test_a_bad_wage_is_refused_on_its_field_and_nothing_is_saved(employer, bpu_worker, wage, reason):
    assert reasons(
        employment_start, employer=employer, nik=bpu_worker.nik, wage=wage, first_month="2024-06"
    ) == [reason]
    assert not Employment.objects.exists()
    assert tallies_verify() == []


def test_a_bad_wage_for_a_new_nik_registers_nobody(world, employer):
    nik = make_nik("64.71.05", date(1990, 3, 12), Sex.MALE, 78)
    worker = Worker(
        "Andi", date(1990, 3, 12), "M", a_village("64.71.05"), "PEDAGANG_PASAR", world.pos_balikpapan
    )
    assert reasons(
        employment_start, employer=employer, nik=nik, wage=-5, first_month="2024-06", worker=worker
    ) == ["wage:range"]
    assert not Participant.objects.filter(nik=nik).exists() and not Employment.objects.exists()
    # the worker's own fields are told beside the wage's
    bad = Worker("", date(1990, 3, 12), "M", "99.99.99.9999", "PEDAGANG_PASAR", world.pos_balikpapan)
    refused = reasons(
        employment_start, employer=employer, nik=nik, wage=-5, first_month="2024-06", worker=bad
    )
    assert refused == ["name:required", "village_code:invalid", "wage:range"]


def test_other_refusals(employer, bpu_worker):
    start = {"employer": employer, "nik": bpu_worker.nik, "wage": 5_000_000}
    assert reasons(employment_start, **start, first_month="2024-13") == ["first_month:invalid"]
    assert reasons(employment_start, **start, first_month="2099-01") == ["first_month:too_far_ahead"]
    assert reasons(employment_start, **{**start, "nik": "3215010101900999"}, first_month="2024-06") == [
        "nik:unknown"
    ]
    employment_start(**start, first_month="2024-06")
    assert reasons(employment_start, **start, first_month="2024-09") == ["nik:already_employed"]
    assert reasons(employment_end, employer=employer, nik=bpu_worker.nik, last_month="2024-05") == [
        "last_month:before_start"
    ]
    assert reasons(
        wage_change, employer=employer, nik=bpu_worker.nik, wage=6_000_000, first_month="2024-06"
    ) == ["first_month:not_after_start"]
    employment_end(employer=employer, nik=bpu_worker.nik, last_month="2024-12")
    assert reasons(employment_end, employer=employer, nik=bpu_worker.nik, last_month="2025-01") == [
        "nik:not_employed"
    ]
    assert tallies_verify() == []


def test_segment_moves_start_no_earlier_than_the_registration_day():
    # employed from before registration: registered as BPU, moved to PU on the registration day
    moves = segment_moves(date(2024, 3, 15), "BPU", [(Month.of(2024, 1), Month.of(2024, 4))])
    assert moves == [
        (date(2024, 3, 15), "BPU", -1), (date(2024, 3, 15), "PU", 1),
        (date(2024, 5, 1), "PU", -1), (date(2024, 5, 1), "BPU", 1),
    ]  # fmt: skip
    # overlapping and adjoining jobs are one stretch in PU
    stretches = [
        (Month.of(2024, 6), Month.of(2024, 8)),
        (Month.of(2024, 9), None),
        (Month.of(2024, 7), Month.of(2025, 1)),
    ]
    assert segment_moves(date(2024, 1, 5), "BPU", stretches) == [
        (date(2024, 6, 1), "BPU", -1), (date(2024, 6, 1), "PU", 1),
    ]  # fmt: skip


def test_the_command_line_enrols_ends_changes_and_counts(employer, bpu_worker):
    out = StringIO()
    call_command(
        "employer", "enrol", employer.number, "--nik", bpu_worker.nik, "--wage", "5500000",
        "--from", "2024-06", "--json", stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["ok"] and data["participant_number"] == bpu_worker.number and data["registered"] is False
    call_command(
        "employer",
        "wage",
        employer.number,
        "--nik",
        bpu_worker.nik,
        "--wage",
        "6000000",
        "--from",
        "2024-09",
        stdout=StringIO(),
    )
    call_command(
        "employer", "leave", employer.number, "--nik", bpu_worker.nik, "--to", "2024-12", stdout=StringIO()
    )
    out = StringIO()
    call_command("employer", "worker", bpu_worker.nik, "--json", stdout=out)
    history = json.loads(out.getvalue())
    assert [s["segment"] for s in history["segments"]] == ["BPU", "PU", "BPU"]
    assert [job["wage"] for job in history["employments"]] == [5_500_000, 6_000_000]
    out = StringIO()
    call_command("employer", "segments", "--on", "2024-08-20", "--json", stdout=out)
    by_segment = {row["segment"]: row for row in json.loads(out.getvalue())["segments"]}
    assert by_segment["PU"]["registered"] == 1 and by_segment["BPU"]["registered"] == 0
    out = StringIO()
    with pytest.raises(SystemExit) as stop:
        call_command(
            "employer", "enrol", employer.number, "--nik", bpu_worker.nik, "--wage", "-1",
            "--from", "2025-02", "--json", stdout=out,
        )  # fmt: skip
    assert stop.value.code == 2 and json.loads(out.getvalue())["reasons"] == ["wage:range"]
