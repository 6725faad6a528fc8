import csv
import gc
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jaring.common.batch import YOUNG_THRESHOLD
from jaring.contributions.models import Payment
from jaring.imports.models import ImportJob
from jaring.imports.services import import_job_for_file, import_run
from jaring.imports.synthetic import registrations_file_write
from jaring.members.models import DuplicateAttempt, Participant
from jaring.rules.months import Month
from jaring.rules.participant_number import participant_seq
from jaring.tallies.verify import tallies_verify


def results_of(job: ImportJob) -> list[dict]:
    with open(job.result_path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run(path: Path, kind: str, **options) -> ImportJob:
    return import_run(import_job_for_file(path=path, kind=kind), **options)


@pytest.fixture
def registrations(tmp_path, world):
    path = tmp_path / "workers.csv"
    broken = registrations_file_write(
        path, 1_000, outlets=["POS-BPN", "POS-KRW"], regencies=["64.71", "32.15"], bad_every=50
    )
    return path, broken


def test_only_the_good_rows_are_imported_and_each_bad_row_has_its_reason(registrations):
    path, broken = registrations
    job = run(path, "registrations", chunk_rows=300)
    assert job.status == "done"
    assert job.accepted == 1_000 - sum(broken.values()) == Participant.objects.count()
    assert job.rejected == sum(broken.values())
    rows = results_of(job)
    assert len(rows) == 1_000
    rejected = [row for row in rows if row["status"] == "rejected"]
    assert len(rejected) == sum(broken.values())
    assert all(row["reason"] for row in rejected)
    fields = {row["reason"].split(":")[0] for row in rejected}
    assert fields == set(broken)
    accepted = [row for row in rows if row["status"] == "accepted"]
    numbers = {participant_seq(row["participant_number"]) for row in accepted}
    assert numbers == set(Participant.objects.values_list("pk", flat=True))


def test_importing_a_finished_file_again_adds_nothing(registrations, tmp_path):
    path, _ = registrations
    first = run(path, "registrations")
    copy = tmp_path / "renamed copy.csv"
    copy.write_bytes(path.read_bytes())
    again = run(copy, "registrations")
    assert again.pk == first.pk and Participant.objects.count() == first.accepted


def test_an_interrupted_import_resumes_without_duplicates_or_gaps(registrations):
    path, broken = registrations
    job = import_job_for_file(path=path, kind="registrations")
    calls = []

    def crash_after_two_chunks(current):
        calls.append(current.processed_rows)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process dies between chunks

    with pytest.raises(KeyboardInterrupt):
        import_run(job, progress=crash_after_two_chunks, chunk_rows=200)
    job.refresh_from_db()
    assert job.status == "failed" and job.processed_rows == 400
    assert Participant.objects.count() == job.accepted
    job = import_run(job, chunk_rows=200)
    assert job.status == "done" and job.processed_rows == 1_000
    assert Participant.objects.count() == 1_000 - sum(broken.values())
    rows = results_of(job)
    assert [int(row["row"]) for row in rows] == list(range(2, 1_002))
    assert tallies_verify() == []


def test_chunks_are_imported_with_the_collector_held_back_and_it_is_given_back(registrations):
    path, _ = registrations
    seen = []
    before = gc.get_threshold()
    run(path, "registrations", chunk_rows=500, progress=lambda job: seen.append(gc.get_threshold()[0]))
    assert seen[:2] == [YOUNG_THRESHOLD, YOUNG_THRESHOLD]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def write_csv(path: Path, header: str, lines: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


REG_HEADER = (
    "nik,name,birth_date,sex,phone,village_code,occupation,declared_income,programmes,outlet_code,agent_code,"
    "registered_at"
)


def test_duplicates_in_the_file_and_in_the_database_are_refused_and_reported(tmp_path, register, world):
    existing = register(district="64.71.01")
    lines = [
        "6471014412850001,Dewi,1985-12-04,F,,64.71.01.1001,PETANI,1000000,JKK+JKM,POS-BPN,,2024-01-10",
        "6471014412850001,Dewi lagi,1985-12-04,F,,64.71.01.1001,PETANI,1000000,JKK+JKM,POS-KRW,,2024-01-11",
        f"{existing.nik},Budi,{existing.birth_date},M,,64.71.01.1001,PETANI,1000000,JKK+JKM,POS-BPN,,",
    ]
    job = run(write_csv(tmp_path / "dup.csv", REG_HEADER, lines), "registrations")
    statuses = [(row["status"], row["reason"]) for row in results_of(job)]
    assert statuses[0][0] == "accepted"
    imported = Participant.objects.get(nik="6471014412850001")
    # A NIK met earlier in the same file is refused exactly as if that row had been sent on its own
    # before: the same reason code, naming the first registration (its number and outlet).
    assert statuses[1][0] == "rejected" and imported.number in statuses[1][1] and "POS-BPN" in statuses[1][1]
    assert statuses[2][0] == "rejected" and "KCU Karawang" in statuses[2][1]
    assert job.reasons == {"nik:duplicate": 2}
    assert DuplicateAttempt.objects.filter(participant=existing).count() == 1
    assert DuplicateAttempt.objects.filter(participant=imported, outlet=world.pos_karawang).count() == 1
    assert imported.outlet == world.pos_balikpapan and imported.office == world.balikpapan
    assert imported.registered_month == Month.of(2024, 1)


def test_a_wrong_header_fails_the_job_with_the_expected_columns(tmp_path, world):
    job = run(write_csv(tmp_path / "bad.csv", "nik,nama", ["1,2"]), "registrations")
    assert job.status == "failed" and "nik,name,birth_date" in job.error
    assert Participant.objects.count() == 0


PAY_HEADER = "nik,months,amount,paid_at,outlet_code,reference"


def test_payments_import_prices_each_row_and_refuses_reused_references(tmp_path, register, world):
    worker = register(district="64.71.01", registered_at=None)
    other = register(district="64.71.01")
    lines = [
        f"{worker.nik},1,16800,,POS-BPN,R-1",
        f"{worker.nik},3,50400,,POS-BPN,R-2",  # continues after R-1 in the same chunk
        f"{worker.nik},1,16800,,POS-BPN,R-1",  # the same reference again in the file
        f"{other.nik},1,99999,,POS-BPN,R-3",  # wrong amount
        f"{other.number},1,16800,,POS-BPN,R-4",  # by participant number
        "6471010101900001,1,16800,,POS-BPN,R-5",  # nobody
    ]
    job = run(write_csv(tmp_path / "pay.csv", PAY_HEADER, lines), "payments")
    results = results_of(job)
    assert [row["status"] for row in results] == [
        "accepted",
        "accepted",
        "duplicate",  # the same request under the same reference: recorded once, as a retried call
        "rejected",
        "accepted",
        "rejected",
    ]
    assert results[2]["record_id"] == results[0]["record_id"]
    assert job.reasons == {"reference:duplicate": 1, "amount:price_mismatch": 1, "nik:unknown": 1}
    worker.refresh_from_db()
    assert worker.standing.paid_through == worker.registered_month + 3
    assert worker.standing.status == "active"
    assert Payment.objects.filter(participant=worker).count() == 2
    # The same references sent again in another file are already recorded.
    # The same request sent again in another file is recognised (recorded once); a reference already used
    # for another request is refused as a conflict, as over the API.
    lines_again = [f"{worker.nik},3,50400,,POS-BPN,R-2", f"{worker.nik},1,16800,,POS-BPN,R-2"]
    again = run(write_csv(tmp_path / "pay2.csv", PAY_HEADER, lines_again), "payments")
    assert again.reasons == {"reference:duplicate": 1, "reference:conflict": 1}
    assert Payment.objects.count() == 3
    assert tallies_verify() == []


def _ledger_key_reads(queries) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and "contributions_ledgerkey" in query["sql"]
    )


def test_a_new_files_references_are_written_without_being_looked_up_first(tmp_path, register, world):
    workers = [register(district="64.71.01") for _ in range(5)]
    lines = [f"{worker.nik},1,16800,,POS-BPN,N-{i}" for i, worker in enumerate(workers)]
    with CaptureQueriesContext(connection) as queries:
        job = run(write_csv(tmp_path / "new.csv", PAY_HEADER, lines), "payments", chunk_rows=2)
    assert job.accepted == 5 and Payment.objects.count() == 5
    assert _ledger_key_reads(queries) == 0


def test_a_file_holding_recorded_references_is_judged_again_with_them_read(tmp_path, register, world):
    workers = [register(district="64.71.01") for _ in range(4)]
    first = [f"{worker.nik},1,16800,,POS-BPN,N-{i}" for i, worker in enumerate(workers[:3])]
    run(write_csv(tmp_path / "first.csv", PAY_HEADER, first), "payments")
    extra = f"{workers[3].nik},1,16800,,POS-BPN,N-3"
    # Its first chunk is written as new, refused whole by a taken key, and judged again with the
    # references read; the next chunks read them first.
    lines = [first[0], extra, first[1], first[2]]
    with CaptureQueriesContext(connection) as queries:
        again = run(write_csv(tmp_path / "again.csv", PAY_HEADER, lines), "payments", chunk_rows=2)
    assert [row["status"] for row in results_of(again)] == ["duplicate", "accepted", "duplicate", "duplicate"]
    assert again.reasons == {"reference:duplicate": 3}
    assert Payment.objects.count() == 4
    assert _ledger_key_reads(queries) == 2
    assert tallies_verify() == []


def test_a_large_chunk_holding_a_recorded_reference_is_judged_again(tmp_path, register, world):
    # More rows than a statement carries: the chunk's ledger keys go in one COPY, which refuses the key.
    workers = [register(district="64.71.01") for _ in range(8)]
    lines = [f"{worker.nik},1,16800,,POS-BPN,L-{i}" for i, worker in enumerate(workers)]
    run(write_csv(tmp_path / "one.csv", PAY_HEADER, lines[3:4]), "payments")
    again = run(write_csv(tmp_path / "all.csv", PAY_HEADER, lines), "payments", chunk_rows=100)
    assert [row["status"] for row in results_of(again)].count("accepted") == 7
    assert again.reasons == {"reference:duplicate": 1}
    assert Payment.objects.count() == 8
    assert tallies_verify() == []


def test_a_refused_row_under_a_recorded_reference_is_a_conflict_as_over_the_api(tmp_path, register, world):
    worker = register(district="64.71.01")
    run(write_csv(tmp_path / "first.csv", PAY_HEADER, [f"{worker.nik},1,16800,,POS-BPN,R-1"]), "payments")
    # Refused on its months as well, but the taken reference is what the single-record path reports.
    again = run(
        write_csv(tmp_path / "again.csv", PAY_HEADER, [f"{worker.nik},2,16800,,POS-BPN,R-1"]), "payments"
    )
    assert again.reasons == {"reference:conflict": 1}


def test_xlsx_files_are_read_like_csv(tmp_path, world):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(REG_HEADER.split(","))
    sheet.append(
        [
            "6471014412850001",
            "Dewi",
            "1985-12-04",
            "F",
            None,
            "64.71.01.1001",
            "PETANI",
            1000000,
            "JKK+JKM",
            "POS-BPN",
            None,
            None,
        ]
    )
    path = tmp_path / "workers.xlsx"
    book.save(path)
    job = run(path, "registrations")
    assert job.accepted == 1 and Participant.objects.get().name == "Dewi"


def test_a_registration_before_the_first_contribution_schedule_is_refused_not_crashed(tmp_path, world):
    lines = ["6471014412850001,Dewi,1985-12-04,F,,64.71.01.1001,PETANI,1000000,JKK+JKM,POS-BPN,,2014-01-10"]
    job = run(write_csv(tmp_path / "old.csv", REG_HEADER, lines), "registrations")
    assert job.status == "done" and job.reasons == {"registered_at:no_schedule": 1}
