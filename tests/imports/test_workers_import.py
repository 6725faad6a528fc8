"""A file of an employer's wage earners (`jaring import workers`): each row is the request `jaring employer
enrol` makes, a chunk judged and written as one list by the wage earners' one check and apply; a bad row
is refused alone with its reasons, a new NIK is registered in PU, a registered worker keeps the number."""

import csv
import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, override
from tests.conftest import a_village, jakarta
from tests.employers.conftest import BALIKPAPAN_VILLAGE

from jaring.employers.models import Employment
from jaring.employers.services import employer_register
from jaring.employers.wage_earners.queries import segment_counts
from jaring.imports.models import ImportJob
from jaring.imports.readers import COLUMNS, template_csv
from jaring.imports.services import import_job_for_file, import_run
from jaring.members.models import Participant
from jaring.rules.employer_number import employer_number
from jaring.rules.months import Month
from jaring.rules.nik import Sex, make_nik
from jaring.tallies.verify import tallies_verify

BORN = date(1990, 3, 12)


@pytest.fixture
def employer(world):
    """A tailor's workshop in Balikpapan brought in by Pos Balikpapan, where it enrols new workers."""
    return employer_register(
        name="CV Jahit Rapi",
        village_code=BALIKPAPAN_VILLAGE,
        sector="C",
        workforce=12,
        outlet=world.pos_balikpapan,
    )


@pytest.fixture
def bpu_worker(register):
    """An informal worker registered at Pos Karawang in January 2024."""
    return register(registered_at=jakarta(2024, 1, 5))


def new_worker(at, serial: int, **cells) -> dict:
    """A row enrolling a NIK not registered yet at employer ``at``, with the details that register it."""
    return {
        "employer": at.number,
        "nik": make_nik("64.71.05", BORN, Sex.MALE, serial),
        "name": "Andi Wijaya",
        "birth_date": BORN.isoformat(),
        "sex": "L",
        "phone": "081234567890",
        "village_code": a_village("64.71.05"),
        "occupation": "PENJAHIT",
        "wage": "4.500.000",
        "first_month": "2024-06",
        **cells,
    }


def registered_worker(at, participant, **cells) -> dict:
    """A row naming a registered worker at employer ``at``: the NIK alone."""
    return {
        "employer": at.number,
        "nik": participant.nik,
        "wage": "5500000",
        "first_month": "2024-06",
        **cells,
    }


def write(tmp_path: Path, rows: list[dict], name: str = "workers.csv") -> Path:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS["workers"])
        for cells in rows:
            writer.writerow([cells.get(column, "") for column in COLUMNS["workers"]])
    return path


def imported(path: Path, **options) -> ImportJob:
    job = import_run(import_job_for_file(path=path, kind="workers"), **options)
    assert job.status == "done", job.error
    return job


def results_of(job: ImportJob) -> list[dict]:
    with open(job.result_path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def counts(day) -> dict:
    return {c.segment: c.registered for c in segment_counts(day)}


def test_good_rows_are_enrolled_and_each_bad_row_is_refused_with_its_reason_writing_nothing(
    tmp_path, employer, bpu_worker
):
    rows = [
        new_worker(employer, 1),
        registered_worker(employer, bpu_worker),
        new_worker(employer, 2, wage="-500000"),
        new_worker(employer, 3, employer=employer_number(9_999)),
        new_worker(employer, 4, first_month="2024-13"),
        new_worker(employer, 5, birth_date="12 Maret 1990"),
    ]
    job = imported(write(tmp_path, rows))
    assert (job.accepted, job.rejected) == (2, 4)
    results = results_of(job)
    assert [(r["status"], r["codes"]) for r in results] == [
        ("accepted", ""),
        ("accepted", ""),
        ("rejected", "wage:range"),
        ("rejected", "employer:unknown"),
        ("rejected", "first_month:invalid"),
        ("rejected", "birth_date:invalid"),
    ]
    # the reasons are in the language jaring speaks (Indonesian unless told otherwise)
    with override("id"):
        assert gettext("The monthly wage is more than zero.") in results[2]["reason"]
        assert "more than zero" not in results[2]["reason"]
    # nothing of the refused rows was written: neither the worker nor the job
    for refused in rows[2:]:
        assert not Participant.objects.filter(nik=refused["nik"]).exists()
    assert Employment.objects.count() == 2
    assert results[1]["participant_number"] == bpu_worker.number
    assert tallies_verify() == []


def test_new_niks_are_registered_as_wage_earners_and_a_bpu_worker_keeps_the_number_and_moves_to_pu(
    tmp_path, world, employer, bpu_worker
):
    today = timezone.localdate()
    assert counts(today)["BPU"] == 1 and counts(today)["PU"] == 0
    job = imported(
        write(
            tmp_path,
            [new_worker(employer, 1), new_worker(employer, 2), registered_worker(employer, bpu_worker)],
        )
    )
    assert job.accepted == 3
    results = results_of(job)
    new = Participant.objects.filter(nik__in=[new_worker(employer, s)["nik"] for s in (1, 2)])
    assert {p.segment for p in new} == {"PU"}
    assert {p.outlet_id for p in new} == {world.pos_balikpapan.pk}  # the employer's enrolment outlet
    assert {p.number for p in new} == {results[0]["participant_number"], results[1]["participant_number"]}
    moved = Participant.objects.get(pk=bpu_worker.pk)
    assert moved.segment == "BPU" and results[2]["participant_number"] == bpu_worker.number
    assert Participant.objects.filter(nik=bpu_worker.nik).count() == 1
    jobs = Employment.objects.filter(employer=employer).order_by("pk")
    assert [(j.wage, j.first_month) for j in jobs] == [
        (4_500_000, Month.of(2024, 6)),
        (4_500_000, Month.of(2024, 6)),
        (5_500_000, Month.of(2024, 6)),
    ]
    assert counts(today)["BPU"] == 0 and counts(today)["PU"] == 3
    assert counts(date(2024, 3, 1))["BPU"] == 1  # before the job, the BPU worker was counted in BPU
    assert tallies_verify() == []


def test_importing_the_file_again_adds_nothing_and_the_same_rows_in_another_file_are_refused(
    tmp_path, employer, bpu_worker
):
    path = write(tmp_path, [new_worker(employer, 1), registered_worker(employer, bpu_worker)])
    first = imported(path)
    again = imported(path)
    assert again.pk == first.pk and (again.accepted, again.rejected) == (2, 0)
    assert Employment.objects.count() == 2 and Participant.objects.count() == 2
    rows = [new_worker(employer, 1, phone=""), registered_worker(employer, bpu_worker, wage="5600000")]
    other = imported(write(tmp_path, rows, name="again.csv"))
    assert [r["codes"] for r in results_of(other)] == ["nik:already_employed", "nik:already_employed"]
    assert Employment.objects.count() == 2 and Participant.objects.count() == 2


def test_an_interrupted_import_resumes_without_duplicates_or_gaps(tmp_path, employer):
    path = write(tmp_path, [new_worker(employer, serial) for serial in range(1, 26)])
    job = import_job_for_file(path=path, kind="workers")

    def crash_after_two_chunks(current):
        if current.processed_rows == 10:
            raise KeyboardInterrupt  # the process dies between chunks

    with pytest.raises(KeyboardInterrupt):
        import_run(job, progress=crash_after_two_chunks, chunk_rows=5)
    job.refresh_from_db()
    assert job.status == "failed" and job.processed_rows == 10 and Employment.objects.count() == 10
    job = imported(path, chunk_rows=5)
    assert (job.processed_rows, job.accepted) == (25, 25)
    assert [int(r["row"]) for r in results_of(job)] == list(range(2, 27))
    assert Employment.objects.count() == 25 and Participant.objects.filter(segment="PU").count() == 25
    assert tallies_verify() == []


def test_a_worker_at_a_second_employer_is_enrolled_with_the_warning_beside_the_row(tmp_path, world, employer):
    other = employer_register(name="PT Dua Jalan", village_code=BALIKPAPAN_VILLAGE, sector="C", workforce=40)
    imported(write(tmp_path, [new_worker(employer, 1)]))
    job = imported(write(tmp_path, [new_worker(other, 1, first_month="2024-09")], name="second.csv"))
    (result,) = results_of(job)
    assert result["status"] == "accepted" and result["codes"] == "employer:second_employer"
    assert employer.number in result["reason"]
    assert job.reasons == {}  # a warning is not a refusal


def enrol_by_cli(employer, cells: dict) -> dict:
    args = ["employer", "enrol", cells["employer"], "--nik", cells["nik"]]
    args += ["--wage", cells["wage"], "--from", cells["first_month"]]
    options = {"name": "--name", "birth_date": "--birth-date", "sex": "--sex", "village_code": "--village"}
    options |= {"occupation": "--occupation", "phone": "--phone"}
    for column, option in options.items():
        if cells.get(column):
            args += [option, cells[column]]
    out = StringIO()
    try:
        call_command(*args, "--json", stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        assert exit_.code == 2
    return json.loads(out.getvalue())


def enrol_by_file(tmp_path, cells: dict) -> dict:
    (result,) = results_of(imported(write(tmp_path, [cells], name=f"{cells['nik']}-{cells['wage']}.csv")))
    return {"ok": result["status"] == "accepted", "reasons": result["codes"].split()}


def outcome(nik: str) -> dict:
    """What an enrolment leaves behind, apart from the ids the database gives."""
    participant = Participant.objects.select_related("outlet", "standing").filter(nik=nik).first()
    if participant is None:
        return {}
    fields = ("name", "birth_date", "sex", "phone", "village_id", "occupation_id", "office_id", "segment")
    fields += ("declared_income", "programmes")
    jobs = Employment.objects.filter(participant=participant).order_by("pk")
    return {
        "participant": {name: getattr(participant, name) for name in fields},
        "outlet": participant.outlet.code,
        "status": participant.standing.status,
        "jobs": [(job.employer_id, job.wage, job.first_month, job.last_month) for job in jobs],
        "counts": counts(timezone.localdate()),
    }


def test_the_file_and_the_command_line_enrol_the_same_input_alike(tmp_path, employer, bpu_worker):
    inputs = [
        new_worker(employer, 1, sex="M"),
        registered_worker(employer, bpu_worker),
        new_worker(employer, 2, sex="M", wage="-1"),
        new_worker(employer, 3, sex="M", first_month="2024-13"),
        new_worker(employer, 4, sex="M", village_code="99.99.99.9999"),
        new_worker(employer, 5, name="", birth_date="", sex="", village_code="", occupation=""),
        registered_worker(employer, bpu_worker, wage="abc"),
    ]
    for cells in inputs:
        seen = {}
        for channel, enrol in (("cli", enrol_by_cli), ("file", lambda e, c: enrol_by_file(tmp_path, c))):
            with transaction.atomic():
                answer = enrol(employer, cells)
                seen[channel] = (answer["ok"], sorted(answer.get("reasons", [])), outcome(cells["nik"]))
                transaction.set_rollback(True)  # each channel meets the same database
        assert seen["cli"] == seen["file"], cells


def test_the_template_enrols_at_the_employer_it_names(tmp_path, world):
    employer = employer_register(
        name="CV Jahit Rapi",
        village_code=BALIKPAPAN_VILLAGE,
        sector="C",
        workforce=8,
        outlet=world.pos_balikpapan,
    )
    path = tmp_path / "template.csv"
    path.write_text(template_csv("workers").replace("000000018", employer.number), encoding="utf-8")
    (result,) = results_of(imported(path))
    assert result["status"] == "accepted", result


def test_an_uploader_enrols_only_at_employers_whose_outlet_they_act_at(tmp_path, staff, world, employer):
    rows = [new_worker(employer, 1), new_worker(employer, 2, employer=employer_number(9_999))]
    path = write(tmp_path, rows)
    teller = staff("outlet_teller", outlet=world.pos_karawang)
    job = import_run(import_job_for_file(path=path, kind="workers", user=teller))
    assert [r["codes"] for r in results_of(job)] == ["employer:not_yours", "employer:not_yours"]
    teller = staff("outlet_teller", outlet=world.pos_balikpapan)
    job = import_run(
        import_job_for_file(path=write(tmp_path, rows[:1], name="mine.csv"), kind="workers", user=teller)
    )
    assert [r["status"] for r in results_of(job)] == ["accepted"]
