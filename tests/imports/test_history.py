"""Backdating: only a sender who may state history records a date before the grace window for late records
(the coverage policy's ``late_record_days``): the operator's command line and imports, an administrator's
upload. A teller's file with such dates is refused for those rows alone (``too_old``); a record dated
within the window (a payment taken yesterday) is accepted from anyone. Accepted history is audited."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jaring.accounts.audit import Actor
from jaring.accounts.models import AuditEntry
from jaring.common.clock import local_date
from jaring.contributions.models import Payment
from jaring.contributions.services import deposit_record, payment_quote, payment_record
from jaring.imports.models import ImportJob
from jaring.imports.readers import COLUMNS
from jaring.imports.services import import_job_for_file, import_run
from jaring.imports.synthetic import registrations_file_write
from jaring.members.models import Participant
from jaring.members.services import participant_register

pytestmark = pytest.mark.django_db

A_YEAR_AGO = 365
YESTERDAY = 1


def day(days_ago: int) -> str:
    return (local_date() - timedelta(days=days_ago)).isoformat()


def moment(days_ago: int):
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def registrations(tmp_path, world):
    """Four registrations at the Pos of Karawang: the first two dated a year ago, the third yesterday,
    the fourth undated (now)."""
    path = tmp_path / "daftar.csv"
    registrations_file_write(path, 4, outlets=["POS-KRW"], regencies=["32.15"])
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    at = COLUMNS["registrations"].index("registered_at")
    for row, when in zip(rows[1:], (day(A_YEAR_AGO), day(A_YEAR_AGO), day(YESTERDAY), ""), strict=True):
        row[at] = when
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def payments(tmp_path, network):
    """A worker registered two years ago (by the operator) and a file paying a month a year ago and a
    month yesterday, each at its price."""
    worker = participant_register(
        nik="3215014508850042", name="Wati", birth_date=date(1985, 8, 5), sex="F",
        village_code=network.karawang.village_id, occupation_code="PEDAGANG_PASAR",
        declared_income=1_000_000, programmes="JKK+JKM", outlet=network.pos_karawang,
        registered_at=moment(2 * A_YEAR_AGO), history_allowed=True,
    ).participant  # fmt: skip
    path = tmp_path / "bayar.csv"
    rows = [COLUMNS["payments"]]
    for reference, days_ago in (("H-1", A_YEAR_AGO), ("Y-1", YESTERDAY)):
        _months, price = payment_quote(worker, months=1, at=moment(days_ago))
        rows.append((worker.nik, "1", str(price.total), day(days_ago), "POS-KRW", reference, ""))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return worker, path


def codes(job) -> list[str]:
    with open(job.result_path, encoding="utf-8") as handle:
        return [row["codes"] for row in csv.DictReader(handle)]


def test_a_tellers_upload_with_historical_dates_is_refused_for_those_rows_and_the_others_go_on(
    client, network, staff, registrations
):
    client.force_login(staff("outlet_teller", outlet=network.pos_karawang))
    before = Participant.objects.count()
    file = SimpleUploadedFile("daftar.csv", registrations.read_bytes(), content_type="text/csv")
    client.post(reverse("imports:upload"), {"kind": "registrations", "file": file})
    job = ImportJob.objects.get()
    assert job.status == "done" and job.accepted == 2 and job.reasons == {"registered_at:too_old": 2}
    assert codes(job) == ["registered_at:too_old", "registered_at:too_old", "", ""]
    assert Participant.objects.count() == before + 2
    assert not AuditEntry.objects.filter(summary__contains="historical").exists()


def test_the_operators_import_of_the_same_file_is_accepted_and_audited(world, registrations):
    job = import_run(import_job_for_file(path=registrations, kind="registrations"))
    assert job.status == "done" and job.accepted == 4 and job.rejected == 0
    (entry,) = AuditEntry.objects.filter(summary__contains="historical dates")
    assert entry.object_id == str(job.pk) and "2 rows" in entry.summary
    assert entry.username == f"import job {job.pk}"


def test_a_tellers_payment_dated_yesterday_is_accepted_and_one_a_year_ago_refused(network, staff, payments):
    worker, path = payments
    teller = staff("outlet_teller", outlet=network.pos_karawang)
    job = import_run(import_job_for_file(path=path, kind="payments", user=teller))
    assert codes(job) == ["paid_at:too_old", ""]
    recorded = Payment.objects.filter(participant=worker).values_list("idempotency_key", flat=True)
    assert list(recorded) == ["Y-1"]


def test_an_administrators_upload_may_state_history(network, staff, payments):
    _worker, path = payments
    admin = staff("admin")
    job = import_run(import_job_for_file(path=path, kind="payments", user=admin))
    assert job.accepted == 2 and codes(job) == ["", ""]
    said = "1 rows of rows 2..3 accepted with historical dates"
    assert any(said in summary for summary in AuditEntry.objects.values_list("summary", flat=True))


def test_the_services_refuse_history_unless_the_caller_may_state_it(network):
    worker = network.karawang
    old = moment(A_YEAR_AGO)
    _months, price = payment_quote(worker, months=1, at=old)
    common = {"participant": worker, "months": 1, "amount": price.total, "source": "t", "paid_at": old}
    with pytest.raises(ValidationError) as refused:
        payment_record(idempotency_key="p-1", **common)
    assert refused.value.error_dict["paid_at"][0].code == "too_old"
    with pytest.raises(ValidationError) as refused:
        deposit_record(participant=worker, amount=5_000, source="t", idempotency_key="d-1", collected_at=old)
    assert refused.value.error_dict["collected_at"][0].code == "too_old"
    result = payment_record(idempotency_key="p-2", history_allowed=True, actor=Actor.cli(), **common)
    entry = AuditEntry.objects.get(object_id=str(result.payment.pk), object_type="contributions.payment")
    assert "with a historical date" in entry.summary and "command line" in entry.username


def test_a_registration_dated_before_the_window_is_refused_without_the_right(network):
    fields = {
        "nik": "3215014508850043", "name": "Wati", "birth_date": date(1985, 8, 5), "sex": "F",
        "village_code": network.karawang.village_id, "occupation_code": "PEDAGANG_PASAR",
        "declared_income": 1_000_000, "programmes": "JKK+JKM", "outlet": network.pos_karawang,
    }  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        participant_register(registered_at=moment(A_YEAR_AGO), **fields)
    assert refused.value.error_dict["registered_at"][0].code == "too_old"
    # within the window: a registration made offline last week and synced now
    assert participant_register(registered_at=moment(YESTERDAY), **fields).participant.pk


def test_the_operators_pay_command_records_history_audited(network):
    worker = network.karawang
    out = io.StringIO()
    call_command(
        "pay", worker.number, "--months", "1", "--paid-at", day(A_YEAR_AGO), "--key", "CLI-H", stdout=out
    )
    payment = Payment.objects.get(idempotency_key="CLI-H")
    entry = AuditEntry.objects.get(object_id=str(payment.pk), object_type="contributions.payment")
    assert "historical date" in entry.summary
