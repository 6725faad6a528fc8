import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from jaring.imports.models import ImportJob
from jaring.imports.synthetic import registrations_file_write
from jaring.members.models import Participant


@pytest.fixture
def upload(tmp_path, world):
    path = tmp_path / "pekerja.csv"
    broken = registrations_file_write(path, 120, outlets=["POS-BPN"], regencies=["64.71"], bad_every=40)
    return SimpleUploadedFile("pekerja.csv", path.read_bytes(), content_type="text/csv"), broken


def test_staff_upload_imports_in_the_background_and_offers_the_result_file(admin_client, upload):
    file, broken = upload
    response = admin_client.post(reverse("imports:upload"), {"kind": "registrations", "file": file})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[job.pk])
    assert job.status == "done" and job.created_by.username == "admin"
    assert Participant.objects.count() == 120 - sum(broken.values())
    page = admin_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "pekerja.csv" in page and reverse("imports:result", args=[job.pk]) in page
    progress = admin_client.get(reverse("imports:progress", args=[job.pk])).json()
    assert progress["percent"] == 100 and progress["rejected"] == sum(broken.values())
    result = admin_client.get(reverse("imports:result", args=[job.pk]))
    rows = list(csv.DictReader(io.StringIO(b"".join(result.streaming_content).decode())))
    assert len(rows) == 120 and sum(row["status"] == "rejected" for row in rows) == sum(broken.values())


def test_the_same_file_uploaded_twice_adds_nothing(admin_client, upload):
    file, _ = upload
    content = file.read()
    for _attempt in range(2):
        copy = SimpleUploadedFile("lagi.csv", content, content_type="text/csv")
        admin_client.post(reverse("imports:upload"), {"kind": "registrations", "file": copy})
    assert ImportJob.objects.count() == 1
    assert Participant.objects.count() == ImportJob.objects.get().accepted


def test_the_database_queue_and_worker_run_an_uploaded_import(admin_client, upload, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker closes connections it thinks are stale; inside the test's transaction that would end
    # the test's own connection, so that housekeeping is left out here.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    file, broken = upload
    admin_client.post(reverse("imports:upload"), {"kind": "registrations", "file": file})
    job = ImportJob.objects.get()
    assert job.status == "queued"
    page = admin_client.get(reverse("imports:list")).content.decode()
    assert 'hx-trigger="every 2s"' in page  # the list polls itself while an import waits or runs
    call_command("worker", batch=True)
    job.refresh_from_db()
    assert job.status == "done" and job.accepted == 120 - sum(broken.values())


def test_a_file_that_is_not_csv_or_xlsx_is_refused_in_the_form(admin_client, world):
    file = SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = admin_client.post(reverse("imports:upload"), {"kind": "registrations", "file": file})
    assert response.status_code == 400 and ImportJob.objects.count() == 0
    assert "errorlist" in response.content.decode()


def test_imports_are_for_signed_in_staff_only(client, world):
    response = client.get(reverse("imports:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_templates_can_be_downloaded_with_the_header_row(client):
    response = client.get(reverse("imports:template", args=["payments"]))
    header = response.content.decode().splitlines()[0]
    assert header == "nik,months,amount,paid_at,outlet_code,reference,agent_code"
