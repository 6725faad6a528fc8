"""The probable-duplicate scan as a background job: asked for from /duplicates/ (those who decide pairs,
for their own offices) or `jaring duplicates scan --background`, one at a time per scope, run by the
worker with its progress and summary on its row, followed by the page."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from tests.conftest import jakarta

from jaring.accounts.models import AuditEntry
from jaring.members.models import DuplicateScan, ProbableDuplicate
from jaring.members.services import scans
from jaring.members.services.scans import duplicate_scan_request, duplicate_scan_run
from jaring.rules.nik import Sex, make_nik

pytestmark = pytest.mark.django_db


def registered(register, name, serial, *, district="32.15.01", outlet=None):
    birth = date(1985, 4, 12)
    return register(
        nik=make_nik(district, birth, Sex("F"), serial), name=name, birth_date=birth, sex="F",
        district=district, outlet=outlet, registered_at=jakarta(2024, 3, 1),
    )  # fmt: skip


@pytest.fixture
def alike(world, register):
    """Two records in Karawang that may be one person, and two in Balikpapan."""
    registered(register, "Dewi Lestari", 41)
    registered(register, "Dewi Lestari", 42)
    registered(register, "Rina Marlina", 51, district="64.71.01", outlet=world.pos_balikpapan)
    registered(register, "Rina Marlina", 52, district="64.71.01", outlet=world.pos_balikpapan)
    ProbableDuplicate.objects.all().delete()  # as found at registration: the scan is to find them again


@pytest.fixture
def users(world, staff):
    class Users:
        krw = staff("branch_staff", office=world.karawang_branch)
        bpn = staff("branch_staff", office=world.balikpapan)
        kalimantan = staff("regional_staff", office=world.kalimantan)
        admin = staff("admin")
        analyst = staff("head_office_analyst")

    return Users


def test_a_scan_asked_for_runs_in_the_background_and_records_what_it_found(
    alike, world, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scan = duplicate_scan_request(office=world.karawang_branch, actor=users.krw)
        assert DuplicateScan.objects.get(pk=scan.pk).state == "queued"  # run once the request commits
    scan.refresh_from_db()
    assert scan.state == "done" and scan.requested_by == users.krw and scan.finished_at
    assert scan.summary["participants"] == 2 and scan.summary["pairs_kept"] == 1
    assert scan.summary["pairs_new"] == 1 and scan.summary["blocks_too_large"] == 0
    assert "seconds" in scan.summary and scan.percent == 100
    # only Karawang's pair: the scan kept to its office
    assert ProbableDuplicate.objects.count() == 1
    audited = AuditEntry.objects.filter(object_type="members.duplicatescan", object_id=str(scan.pk))
    assert audited.filter(username=users.krw.username, action="create").exists()


def test_a_second_scan_of_a_scope_is_refused_while_the_first_waits_or_runs(alike, world, users):
    first = duplicate_scan_request(office=world.karawang_branch, actor=users.krw)  # no worker runs it yet
    with pytest.raises(ValidationError) as refused:
        duplicate_scan_request(office=world.karawang_branch, actor=users.admin)
    assert [error.code for error in refused.value.error_dict["office"]] == ["scan_running"]
    # another scope is scanned meanwhile; the first, once running, still blocks its own
    duplicate_scan_request(office=world.balikpapan, actor=users.bpn)
    DuplicateScan.objects.filter(pk=first.pk).update(state="running", progress_at=timezone.now())
    with pytest.raises(ValidationError):
        duplicate_scan_request(office=world.karawang_branch, actor=users.krw)
    # done: the scope may be scanned again
    DuplicateScan.objects.filter(pk=first.pk).update(state="done")
    assert duplicate_scan_request(office=world.karawang_branch, actor=users.krw).state == "queued"


def test_a_scan_whose_worker_stopped_no_longer_blocks_its_scope(alike, world, users):
    stopped = duplicate_scan_request(office=None, actor=users.admin)
    an_hour_ago = timezone.now() - scans.STALLED_AFTER - timedelta(minutes=1)
    DuplicateScan.objects.filter(pk=stopped.pk).update(state="running", progress_at=an_hour_ago)
    again = duplicate_scan_request(office=None, actor=users.admin)
    stopped.refresh_from_db()
    assert stopped.state == "failed" and stopped.error and again.state == "queued"


def test_the_database_refuses_two_scans_of_one_scope_at_once(alike, world):
    from django.db import IntegrityError, transaction

    DuplicateScan.objects.create(office=None, requested_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        DuplicateScan.objects.create(office=None, requested_at=timezone.now())


def test_branch_staff_scan_only_their_own_offices(alike, world, users):
    with pytest.raises(ValidationError) as refused:
        duplicate_scan_request(office=world.balikpapan, actor=users.krw)
    assert [error.code for error in refused.value.error_dict["office"]] == ["out_of_scope"]
    with pytest.raises(ValidationError):
        duplicate_scan_request(office=None, actor=users.krw)  # nor the whole registry
    with pytest.raises(ValidationError):
        duplicate_scan_request(office=world.karawang_branch, actor=users.kalimantan)
    assert duplicate_scan_request(office=world.balikpapan, actor=users.kalimantan).office == world.balikpapan
    assert duplicate_scan_request(office=world.karawang_branch, actor=users.admin).office is not None
    assert not DuplicateScan.objects.filter(requested_by=users.krw).exists()


def test_progress_is_written_at_most_once_a_second(alike, world, users, monkeypatch):
    scan = duplicate_scan_request(office=None, actor=users.admin)
    DuplicateScan.objects.filter(pk=scan.pk).update(state="running")
    clock = iter([100.0, 100.3, 100.6, 101.2, 101.4, 101.5])
    monkeypatch.setattr(scans.time, "monotonic", lambda: next(clock))
    written = []
    original = DuplicateScan.objects.filter

    def counting(*args, **kwargs):
        found = original(*args, **kwargs)
        real_update = found.update

        def update(**values):
            written.append(values)
            return real_update(**values)

        found.update = update
        return found

    monkeypatch.setattr(DuplicateScan.objects, "filter", counting)
    progress = scans._Progress(scan)
    progress("read", 20_000, 100_000)  # 100.0: the step starts
    progress("read", 40_000, 100_000)  # 100.3
    progress("read", 60_000, 100_000)  # 100.6
    progress("read", 80_000, 100_000)  # 101.2: a second after the last write
    progress("score", 0, 500_000)  # 101.4: a new step is always written
    progress("score", 50_000, 500_000)  # 101.5
    assert [(w["step"], w["done"]) for w in written] == [("read", 20_000), ("read", 80_000), ("score", 0)]
    monkeypatch.undo()
    scan.refresh_from_db()
    assert (scan.step, scan.done, scan.total, scan.percent) == ("score", 0, 500_000, 0)


def test_the_task_records_the_progress_it_reports_and_the_summary(alike, world, users, monkeypatch):
    scan = duplicate_scan_request(office=None, actor=users.admin)
    seen = []
    real_scan = scans.duplicates_scan

    def reporting(*, office, actor, progress):
        progress("read", 2, 4)
        seen.append(DuplicateScan.objects.values_list("state", "step", "done", "total").get(pk=scan.pk))
        return real_scan(office=office, actor=actor, progress=progress)

    monkeypatch.setattr(scans, "duplicates_scan", reporting)
    from jaring.members.tasks import duplicate_scan

    result = duplicate_scan.enqueue(scan.pk)
    assert seen == [("running", "read", 2, 4)]
    assert result.return_value["state"] == "done" and result.return_value["pairs_kept"] == 2
    scan.refresh_from_db()
    assert scan.state == "done" and scan.summary["participants"] == 4 and scan.started_at
    assert duplicate_scan_run(scan=scan).state == "done"  # run again: left as it is


def test_a_scan_that_fails_says_why(alike, world, users, monkeypatch):
    scan = duplicate_scan_request(office=None, actor=users.admin)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scans, "duplicates_scan", broken)
    with pytest.raises(RuntimeError):
        duplicate_scan_run(scan=scan)
    scan.refresh_from_db()
    assert scan.state == "failed" and scan.error == "RuntimeError: disk full" and scan.finished_at


# -- the page ------------------------------------------------------------------------------------------------


def test_the_button_is_offered_to_those_who_decide_pairs(client, alike, users):
    for user, offered in ((users.krw, True), (users.admin, True), (users.analyst, False)):
        client.force_login(user)
        page = client.get(reverse("duplicates:queue")).content.decode()
        assert ('data-testid="scan-start"' in page) is offered, user
        assert 'data-testid="duplicate-scan"' in page
    client.force_login(users.analyst)
    assert client.post(reverse("duplicates:scan")).status_code == 404
    assert not DuplicateScan.objects.exists()


def test_scanning_from_the_page_scans_the_users_offices_and_shows_the_summary(
    client, alike, world, users, django_capture_on_commit_callbacks
):
    client.force_login(users.krw)
    page = client.get(reverse("duplicates:queue")).content.decode()
    assert "Pindai sekarang" in page  # "Scan now", in Indonesian
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("duplicates:scan"), {"office": world.balikpapan.pk})
    assert response.status_code == 302 and response["Location"] == reverse("duplicates:queue")
    scan = DuplicateScan.objects.get()
    assert scan.office == world.karawang_branch and scan.state == "done"  # the office posted is ignored
    page = client.get(reverse("duplicates:queue")).content.decode()
    assert 'data-testid="scan-summary"' in page and "Selesai pada" in page
    assert 'hx-trigger="every 2s"' not in page  # done: nothing to follow
    # another branch sees its own scope, never this scan
    client.force_login(users.bpn)
    other = client.get(reverse("duplicates:queue")).content.decode()
    assert f"pemindaian {scan.pk}" not in other and 'data-testid="scan-summary"' not in other


def test_a_scan_waiting_or_running_is_followed_every_two_seconds(client, alike, world, users):
    scan = duplicate_scan_request(office=world.karawang_branch, actor=users.krw)  # no worker: it waits
    client.force_login(users.krw)
    page = client.get(reverse("duplicates:queue")).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'hx-get="/duplicates/scan/"' in page
    assert 'data-testid="scan-start"' not in page  # one at a time
    DuplicateScan.objects.filter(pk=scan.pk).update(state="running", step="score", done=250, total=1_000)
    part = client.get(reverse("duplicates:scan")).content.decode()
    assert part.startswith('<section id="duplicate-scan"') and 'value="25"' in part
    assert "250 dari 1.000" in part and 'hx-trigger="every 2s"' in part
    # a second scan asked for meanwhile is refused with a message, in Indonesian
    response = client.post(reverse("duplicates:scan"), follow=True)
    assert DuplicateScan.objects.count() == 1
    assert "sedang menunggu atau berjalan" in response.content.decode()


def test_the_command_asks_for_a_scan_in_the_background(alike, world, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("duplicates", "scan", "--office", "KC-KRW", "--background", "--json", stdout=out)
    answer = json.loads(out.getvalue())
    scan = DuplicateScan.objects.get(pk=answer["scan"])
    assert answer["ok"] and scan.office == world.karawang_branch and scan.requested_by is None
    scan.refresh_from_db()
    assert scan.state == "done" and scan.summary["pairs_kept"] == 1
    # without --background the command still scans at once, printing the result
    direct = StringIO()
    call_command("duplicates", "scan", "--json", stdout=direct, stderr=StringIO())
    assert json.loads(direct.getvalue())["participants"] == 4
