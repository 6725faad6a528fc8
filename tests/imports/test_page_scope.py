"""The Impor page by role: who uploads, whose jobs they see, rows only for outlets the uploader acts at,
audited uploads and result downloads, and the htmx progress."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jaring.accounts.models import AuditEntry
from jaring.channels.services import agent_create
from jaring.imports.models import ImportJob
from jaring.imports.synthetic import registrations_file_write
from jaring.members.models import Participant


@pytest.fixture
def mixed_file(tmp_path, world):
    """Registrations at the Pos of Karawang and the Pos of Balikpapan, every one valid."""
    path = tmp_path / "campuran.csv"
    registrations_file_write(path, 40, outlets=["POS-KRW", "POS-BPN"], regencies=["32.15", "64.71"])
    with open(path, encoding="utf-8") as handle:
        outlets = [row["outlet_code"] for row in csv.DictReader(handle)]
    return path, outlets


def upload(client, path, name="campuran.csv", kind="registrations"):
    file = SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")
    return client.post(reverse("imports:upload"), {"kind": kind, "file": file})


def result_rows(client, job) -> list[dict]:
    response = client.get(reverse("imports:result", args=[job.pk]))
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_teller_imports_only_the_rows_of_their_own_outlets(client, network, staff, mixed_file):
    path, outlets = mixed_file
    teller = staff("outlet_teller", outlet=network.pos_karawang)
    client.force_login(teller)
    before = Participant.objects.count()
    response = upload(client, path)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.created_by == teller and job.status == "done"
    ours = outlets.count("POS-KRW")
    assert 0 < ours < len(outlets)
    assert job.accepted == ours and job.rejected == len(outlets) - ours
    assert job.reasons == {"outlet_code:not_yours": len(outlets) - ours}
    assert Participant.objects.count() == before + ours
    assert not Participant.objects.filter(outlet=network.pos_balikpapan, pk__gt=network.migrant.pk).exists()
    rows = result_rows(client, job)
    refused = [row for row in rows if row["status"] == "rejected"]
    assert all(row["reason"].startswith("outlet_code:") and "POS-BPN" in row["reason"] for row in refused)


def test_the_upload_and_the_result_download_are_audited(client, network, staff, mixed_file):
    path, _ = mixed_file
    client.force_login(staff("outlet_teller", outlet=network.pos_karawang, username="teller"))
    upload(client, path)
    job = ImportJob.objects.get()
    (created,) = AuditEntry.objects.filter(action="create", object_type="imports.importjob")
    assert (
        created.username == "teller"
        and created.object_id == str(job.pk)
        and "campuran.csv" in created.summary
    )
    result_rows(client, job)
    (export,) = AuditEntry.objects.filter(action="export", object_type="imports.importjob")
    assert export.username == "teller" and export.object_id == str(job.pk)


def test_an_agents_registrations_are_credited_to_the_agent(client, network, staff, tmp_path):
    path = tmp_path / "agen.csv"
    registrations_file_write(path, 6, outlets=["POS-KRW"], regencies=["32.15"])
    other = agent_create(code="AG-2", name="Rina", partner=network.pos, outlet=network.pos_karawang)
    text = path.read_text().splitlines()
    # the last row names another agent: an agent registers for themself only
    last = text[-1].split(",")
    last[10] = other.code
    text[-1] = ",".join(last)
    path.write_text("\n".join(text) + "\n")
    client.force_login(staff("agent", agent=network.agent))
    upload(client, path, name="agen.csv")
    job = ImportJob.objects.get()
    assert job.accepted == 5 and job.reasons == {"agent_code:not_yours": 1}
    new = Participant.objects.filter(
        pk__in=[int(r["record_id"]) for r in result_rows(client, job) if r["record_id"]]
    )
    assert new.count() == 5 and set(new.values_list("agent_id", flat=True)) == {network.agent.pk}


def test_jobs_of_another_branch_do_not_exist_for_the_user(client, network, staff, mixed_file):
    path, _ = mixed_file
    client.force_login(staff("outlet_teller", outlet=network.pos_karawang))
    upload(client, path)
    job = ImportJob.objects.get()
    client.force_login(staff("branch_staff", office=network.balikpapan))
    assert job not in client.get(reverse("imports:list")).context["jobs"]
    for name in ("detail", "status", "progress", "result"):
        assert client.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 404, name
    # the teller's own branch sees it
    client.force_login(staff("branch_staff", office=network.karawang_branch))
    assert job in client.get(reverse("imports:list")).context["jobs"]
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 200


def test_the_same_file_from_someone_outside_the_scope_is_a_new_job_that_reveals_nothing(
    client, network, staff, mixed_file
):
    path, outlets = mixed_file
    before = Participant.objects.count()
    client.force_login(staff("outlet_teller", outlet=network.pos_karawang))
    upload(client, path)
    first = ImportJob.objects.get()
    client.force_login(staff("outlet_teller", outlet=network.pos_balikpapan, username="teller-bpn"))
    response = upload(client, path, name="sama.csv")
    # answered as any new file: a job of the user's own, nothing said of the other one
    second = ImportJob.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[second.pk])
    assert second.created_by.username == "teller-bpn" and second.status == "done"
    assert second.original_name == "sama.csv" and second.sha256 != first.sha256
    assert [job.pk for job in client.get(reverse("imports:list")).context["jobs"]] == [second.pk]
    assert client.get(reverse("imports:detail", args=[first.pk])).status_code == 404
    first_after = ImportJob.objects.get(pk=first.pk)
    assert (first_after.path, first_after.status, first_after.accepted) == (
        first.path,
        "done",
        first.accepted,
    )
    # each teller's file imported the rows of their own outlets
    assert second.accepted == outlets.count("POS-BPN") and Participant.objects.count() - before == len(
        outlets
    )
    said = AuditEntry.objects.get(username="teller-bpn", action="create").summary
    assert "same file" not in said
    # the user's own upload of it again is the user's job again
    upload(client, path, name="lagi.csv")
    assert ImportJob.objects.count() == 2


def test_payers_and_auditors_have_no_imports_page(client, network, staff):
    for user in (staff("payer", payer=network.payer), staff("auditor")):
        client.force_login(user)
        assert client.get(reverse("imports:list")).status_code == 404


def test_regional_staff_watch_imports_but_do_not_upload(client, network, staff, mixed_file):
    path, _ = mixed_file
    client.force_login(staff("regional_staff", office=network.java))
    page = client.get(reverse("imports:list"))
    assert page.status_code == 200 and page.context["form"] is None
    assert upload(client, path).status_code == 404 and not ImportJob.objects.exists()


def test_the_progress_polls_every_two_seconds_while_the_import_works(client, network, staff):
    teller = staff("outlet_teller", outlet=network.pos_karawang)
    job = ImportJob.objects.create(
        kind="registrations", sha256="0" * 64, original_name="x.csv", path="/nowhere", created_by=teller
    )
    client.force_login(teller)
    status = client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert 'hx-get="{}"'.format(reverse("imports:status", args=[job.pk])) in status
    assert 'hx-trigger="every 2s"' in status
    assert (
        'hx-trigger="every 2s"'
        in client.get(reverse("imports:list"), HTTP_HX_REQUEST="true").content.decode()
    )
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    status = client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in status and reverse("imports:result", args=[job.pk]) in status
    assert 'http-equiv="refresh"' not in client.get(reverse("imports:detail", args=[job.pk])).content.decode()


def test_an_import_from_the_command_line_is_audited_without_a_user(network, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "cli.csv"
    registrations_file_write(path, 3, outlets=["POS-KRW"], regencies=["32.15"])
    call_command("import", "registrations", str(path))
    (entry,) = AuditEntry.objects.filter(action="create", object_type="imports.importjob")
    assert entry.user_pk is None and "cli.csv" in entry.summary
    assert ImportJob.objects.get().accepted == 3  # the operator's import is not limited to a scope
