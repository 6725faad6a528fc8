"""A registration file's new participants are compared with one another and with the registry once its
rows are all in: a probable duplicate is kept for review and warned beside its row in the result file
(never refused), a pair found as a small chunk was checked is not warned twice, and running the file
again adds nothing."""

import csv
from datetime import date
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import a_village, jakarta

from jaring.accounts.models import AuditEntry
from jaring.common.privacy import mask_nik
from jaring.imports.models import ImportJob
from jaring.imports.services import duplicates_warn, import_job_for_file, import_run
from jaring.members.models import Participant, ProbableDuplicate
from jaring.rules.nik import Sex, make_nik

HEADER = (
    "nik,name,birth_date,sex,phone,village_code,occupation,declared_income,programmes,outlet_code,agent_code,"
    "registered_at"
)
BORN = date(1985, 4, 12)


def results_of(job: ImportJob) -> list[dict]:
    with open(job.result_path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def file_of(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A registration file of (NIK, name, village) rows, everyone a man born on 12 April 1985."""
    lines = [
        f"{nik},{name},{BORN},M,,{village},PETANI,1000000,JKK+JKM,POS-KRW,,2024-03-04"
        for nik, name, village in rows
    ]
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def imported(path: Path) -> ImportJob:
    return import_run(import_job_for_file(path=path, kind="registrations"))


def test_a_near_duplicate_in_a_file_is_warned_on_its_row_and_kept_for_review(tmp_path, world, register):
    village = a_village("32.15.01")
    yusuf = register(
        nik=make_nik("32.15.01", BORN, Sex("M"), 3), name="Muhammad Yusuf Hidayat", birth_date=BORN,
        village_code=village, registered_at=jakarta(2024, 3, 1),
    )  # fmt: skip
    # the district's digits "01" typed "10" (two adjacent digits swapped), the name respelled
    swapped = "3215101204850003"
    assert yusuf.nik == "3215011204850003"
    path = file_of(
        tmp_path / "registrations.csv",
        [
            (make_nik("32.15.01", BORN, Sex("M"), 21), "Bambang Sugiarto", village),
            (swapped, "Muhamad Yusuf Hidayat", village),
            (make_nik("32.15.01", BORN, Sex("M"), 22), "Agus Salim", a_village("32.15.13")),
        ],
    )
    job = imported(path)
    assert job.status == "done" and job.accepted == 3 and job.rejected == 0
    rows = results_of(job)
    again = Participant.objects.get(nik=swapped)
    warned = rows[1]
    assert warned["status"] == "accepted" and warned["participant_number"] == again.number
    assert warned["reason"].startswith("nik: ")
    assert yusuf.number in warned["reason"] and mask_nik(yusuf.nik) in warned["reason"]
    assert yusuf.nik not in warned["reason"]  # the other one's NIK masked, as on every channel
    assert warned["codes"] == "nik:probable_duplicate"
    assert [row["codes"] for row in (rows[0], rows[2])] == ["", ""]
    pair = ProbableDuplicate.objects.get()
    assert (pair.first_id, pair.second_id) == (yusuf.pk, again.pk) and pair.state == "open"
    assert {reason["field"]: reason["level"] for reason in pair.reasons}["nik"] == "swapped"
    assert AuditEntry.objects.filter(
        object_type="imports.importjob", object_id=str(job.pk), summary__contains="probable duplicates kept"
    ).exists()


def test_a_file_without_a_probable_duplicate_is_warned_of_none(tmp_path, world, register):
    register(name="Muhammad Yusuf Hidayat", registered_at=jakarta(2024, 3, 1))
    path = file_of(
        tmp_path / "registrations.csv",
        [
            (make_nik("32.15.01", BORN, Sex("M"), 31), "Bambang Sugiarto", a_village("32.15.01")),
            (make_nik("32.15.13", BORN, Sex("M"), 32), "Sekar Ayuningtyas", a_village("32.15.13")),
        ],
    )
    job = imported(path)
    assert job.accepted == 2
    assert [(row["reason"], row["codes"]) for row in results_of(job)] == [("", ""), ("", "")]
    assert not ProbableDuplicate.objects.exists()


def test_two_rows_of_one_file_are_compared_with_each_other(tmp_path, world):
    village = a_village("32.15.01")
    path = file_of(
        tmp_path / "registrations.csv",
        [
            ("3215011204850003", "Muhammad Yusuf Hidayat", village),
            ("3215101204850003", "Muhamad Yusuf Hidayat", village),
        ],
    )
    rows = results_of(imported(path))
    first = Participant.objects.get(nik="3215011204850003")
    assert rows[0]["codes"] == ""  # the later registration is warned, naming the earlier
    assert rows[1]["codes"] == "nik:probable_duplicate" and first.number in rows[1]["reason"]


def test_a_pair_found_as_a_small_chunk_was_checked_is_warned_once(tmp_path, world, register):
    village = a_village("32.15.01")
    dewi = register(
        nik=make_nik("32.15.01", BORN, Sex("F"), 41), name="Dewi Lestari", birth_date=BORN, sex="F",
        village_code=village, registered_at=jakarta(2024, 3, 1),
    )  # fmt: skip
    line = f"{make_nik('32.15.01', BORN, Sex('F'), 42)},Dewi Lestari,{BORN},F,,{village},PETANI,1000000,"
    path = tmp_path / "registrations.csv"
    path.write_text(f"{HEADER}\n{line}JKK+JKM,POS-KRW,,2024-03-04\n", encoding="utf-8")
    job = imported(path)
    (row,) = results_of(job)
    assert row["codes"] == "nik:probable_duplicate" and row["reason"].count(dewi.number) == 1
    assert ProbableDuplicate.objects.count() == 1


def test_running_the_file_again_or_resuming_its_job_warns_nothing_more(tmp_path, world, register):
    village = a_village("32.15.01")
    register(
        nik="3215011204850003", name="Muhammad Yusuf Hidayat", birth_date=BORN, village_code=village,
        registered_at=jakarta(2024, 3, 1),
    )  # fmt: skip
    path = file_of(tmp_path / "registrations.csv", [("3215101204850003", "Muhamad Yusuf Hidayat", village)])
    job = imported(path)
    before = results_of(job)
    audited = AuditEntry.objects.count()
    copy = tmp_path / "the same file.csv"
    copy.write_bytes(path.read_bytes())
    assert imported(copy).pk == job.pk
    assert duplicates_warn(job) == 0  # a job interrupted after its comparison, run again
    assert results_of(job) == before and ProbableDuplicate.objects.count() == 1
    assert AuditEntry.objects.count() == audited


def test_the_comparison_takes_a_few_queries_whatever_the_number_of_rows(tmp_path, world):
    villages = [a_village(district) for district in ("32.15.01", "32.15.13", "64.71.01")]
    rows = [
        (make_nik(village[:8], BORN, Sex("M"), serial), f"Peserta Nomor {serial}", village)
        for serial in range(1, 301)
        for village in [villages[serial % 3]]
    ]
    job = import_run(import_job_for_file(path=file_of(tmp_path / "many.csv", rows), kind="registrations"))
    assert job.accepted == 300
    with CaptureQueriesContext(connection) as queries:
        duplicates_warn(job)
    assert len(queries) <= 8, [query["sql"][:120] for query in queries]
