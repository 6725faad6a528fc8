"""The back office writes through the services: a change made there is audited by the service as done by
the signed-in user, a rule the service keeps is kept, and what is read-only refuses "delete selected"."""

from datetime import date

import pytest
from django.urls import reverse

from jaring.accounts.models import AuditEntry
from jaring.monitoring.models import Contest, Target
from jaring.monitoring.services import contest_define, target_set

pytestmark = pytest.mark.django_db


def test_a_target_changed_in_the_back_office_is_set_by_the_service(admin_client, world):
    target = target_set(
        metric="new_participants", start=date(2024, 1, 1), end=date(2024, 12, 31), value=10, office=world.head
    )
    url = reverse("admin:monitoring_target_change", args=[target.pk])
    response = admin_client.post(url, {"value": "25", "note": "revised", "_save": "Save"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.note) == (25, "revised")
    entry = AuditEntry.objects.filter(object_type="monitoring.target", action="update").get()
    assert entry.username == "admin" and entry.after["value"] == 25 and "admin" in entry.summary


def test_a_target_added_in_the_back_office_keeps_the_services_rules(admin_client, world):
    url = reverse("admin:monitoring_target_add")
    data = {
        "metric": "new_participants", "segment": "BPU", "start": "2024-12-31", "end": "2024-01-01",
        "value": "5", "office": world.head.pk, "_save": "Save",
    }  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 200  # refused: the period ends before it starts
    assert not Target.objects.exists()


def test_a_target_deleted_in_the_back_office_is_audited(admin_client, world):
    target = target_set(
        metric="new_participants", start=date(2024, 1, 1), end=date(2024, 12, 31), value=10, office=world.head
    )
    response = admin_client.post(
        reverse("admin:monitoring_target_changelist"),
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Target.objects.exists()
    entries = AuditEntry.objects.filter(object_type="monitoring.target", action="delete", username="admin")
    assert any(entry.summary.startswith("target ") and entry.before["value"] == 10 for entry in entries)


def test_contests_are_read_only_in_the_back_office(admin_client, world):
    contest = contest_define(
        spec={
            "code": "sprint", "name": "Sprint", "outlets": {"partner": "pos"},
            "periods": [{"code": "P1", "start": "2024-01-01", "end": "2024-01-31"}],
        }
    )  # fmt: skip
    changelist = reverse("admin:monitoring_contest_changelist")
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [contest.pk], "post": "yes"}
    )
    assert Contest.objects.filter(pk=contest.pk).exists()
    assert b"delete_selected" not in admin_client.get(changelist).content
    change = reverse("admin:monitoring_contest_change", args=[contest.pk])
    assert admin_client.post(change, {"name": "Renamed", "_save": "Save"}).status_code == 403
    assert response.status_code in (200, 302)


def test_a_participant_corrected_in_the_back_office_is_audited_by_the_correction(admin_client, register):
    from tests.test_admin import participant_post

    worker = register(name="Budi Santoso")
    url = reverse("admin:members_participant_change", args=[worker.pk])
    response = admin_client.post(url, participant_post(worker, name="Budi Santosa"))
    assert response.status_code == 302
    (entry,) = AuditEntry.objects.filter(object_type="members.participant", action="update")
    assert entry.username == "admin"
    assert (entry.before, entry.after) == ({"name": "Budi Santoso"}, {"name": "Budi Santosa"})
    assert "corrected participant" in entry.summary
