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


# -- the rate book, payers, groups and members ----------------------------------------------------------


def test_a_rate_rule_saved_in_the_back_office_is_audited_and_priced_with_at_once(admin_client, db):
    from tests.test_admin import change, price_2024_05, rate_rule_post

    from jaring.contributions import queries
    from jaring.contributions.models import RateRule

    assert price_2024_05() == 16_800  # the book is now remembered by this process
    assert queries._cache
    rule = RateRule.objects.get(code="PP50-2025")
    response = admin_client.post(change(rule), rate_rule_post(rule, valid_from="2024-05"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not queries._cache  # emptied by the service
    (entry,) = AuditEntry.objects.filter(object_type="contributions.raterule", action="update")
    assert entry.username == "admin" and entry.object_id == str(rule.pk)
    assert entry.summary.startswith("rate rule PP50-2025") and entry.summary.endswith("; admin")
    assert entry.before["valid_from"] != entry.after["valid_from"]
    assert price_2024_05() == 8_400


def payer_post(**changes) -> dict:
    data = {
        "code": "KAB-KRW",
        "name": "Pemkab Karawang",
        "kind": "APBD",
        "programmes": "jkm, jkk",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_a_payer_saved_in_the_back_office_is_audited_by_the_service(admin_client, world):
    from tests.test_admin import add, change

    from jaring.contributions.models import Payer

    response = admin_client.post(add(Payer), payer_post())
    assert response.status_code == 302, response.context["adminform"].form.errors
    payer = Payer.objects.get(code="KAB-KRW")
    assert payer.programmes == "JKK+JKM"
    created = AuditEntry.objects.get(object_type="contributions.payer", action="create")
    assert (created.username, created.object_id) == ("admin", str(payer.pk))
    assert created.summary == "payer KAB-KRW; admin" and created.after["kind"] == "APBD"

    response = admin_client.post(change(payer), payer_post(name="Pemerintah Kabupaten Karawang"))
    assert response.status_code == 302
    updated = AuditEntry.objects.get(object_type="contributions.payer", action="update")
    assert updated.username == "admin" and "fields changed: name" in updated.summary
    assert (updated.before["name"], updated.after["name"]) == (
        "Pemkab Karawang",
        "Pemerintah Kabupaten Karawang",
    )


def test_a_group_and_a_membership_saved_in_the_back_office_are_audited_by_the_service(admin_client, register):
    from tests.test_admin import add, change

    from jaring.contributions.models import GroupMembership, Payer, PayerGroup
    from jaring.contributions.services import payer_save
    from jaring.rules.months import Month

    payer = payer_save(payer=Payer(code="DKI", name="Pemprov DKI", kind="APBD"), actor=None)
    response = admin_client.post(
        add(PayerGroup), {"payer": payer.pk, "code": "PPSU", "name": "PPSU", "_save": "Save"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    group = PayerGroup.objects.get(code="PPSU")
    entry = AuditEntry.objects.get(object_type="contributions.payergroup", action="create")
    assert entry.username == "admin" and entry.summary == "payer group PPSU; admin"

    worker = register()
    membership_data = {"group": group.pk, "participant": worker.pk, "first_month": "2024-05", "_save": "Save"}
    response = admin_client.post(add(GroupMembership), membership_data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = GroupMembership.objects.get()
    assert membership.first_month == Month.of(2024, 5)
    entry = AuditEntry.objects.get(object_type="contributions.groupmembership", action="create")
    assert entry.username == "admin" and entry.object_id == str(membership.pk)
    assert entry.summary == f"membership of participant {worker.pk} in payer group PPSU; admin"

    response = admin_client.post(change(membership), {**membership_data, "last_month": "2024-12"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="contributions.groupmembership", action="update")
    assert entry.username == "admin" and "fields changed: last_month" in entry.summary


def test_a_payer_with_bills_is_not_deleted_in_the_back_office(admin_client, network):
    from django.core.exceptions import ValidationError

    from jaring.contributions.models import Payer
    from jaring.contributions.services import payers_remove

    payer = network.payer  # billed for 2024-05
    delete = reverse("admin:contributions_payer_delete", args=[payer.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        reverse("admin:contributions_payer_changelist"),
        {"action": "delete_selected", "_selected_action": [payer.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Payer.objects.filter(pk=payer.pk).exists()
    with pytest.raises(ValidationError, match="DKI"):
        payers_remove(payers=[payer], actor=None)
    assert Payer.objects.filter(pk=payer.pk).exists()
    assert not AuditEntry.objects.filter(object_type="contributions.payer", action="delete").exists()


def test_a_payer_entered_by_mistake_is_deleted_in_the_back_office_and_audited(admin_client, world):
    from jaring.contributions.models import Payer
    from jaring.contributions.services import payer_save

    payer = payer_save(payer=Payer(code="TYPO", name="Salah ketik", kind="DONOR"), actor=None)
    response = admin_client.post(
        reverse("admin:contributions_payer_delete", args=[payer.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Payer.objects.filter(pk=payer.pk).exists()
    entry = AuditEntry.objects.get(object_type="contributions.payer", action="delete")
    assert entry.username == "admin" and entry.summary == "payer TYPO removed; admin"


def test_a_billed_membership_is_ended_not_deleted(admin_client, network):
    from django.core.exceptions import ValidationError

    from jaring.contributions.models import GroupMembership, PayerGroup
    from jaring.contributions.services import (
        group_membership_save,
        group_memberships_remove,
        payer_groups_remove,
    )
    from jaring.rules.months import Month

    billed = GroupMembership.objects.get(group__code="PPSU")
    delete = reverse("admin:contributions_groupmembership_delete", args=[billed.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    with pytest.raises(ValidationError):
        group_memberships_remove(memberships=[billed], actor=None)
    with pytest.raises(ValidationError):
        payer_groups_remove(groups=PayerGroup.objects.filter(code="PPSU"), actor=None)
    assert GroupMembership.objects.filter(pk=billed.pk).exists()
    # a member added for a month not billed yet was never billed through the group: removable
    later = GroupMembership(group=billed.group, participant=network.karawang, first_month=Month.of(2024, 6))
    group_membership_save(membership=later, actor=None)
    assert group_memberships_remove(memberships=[later], actor=None) == 1
    entry = AuditEntry.objects.get(object_type="contributions.groupmembership", action="delete")
    assert entry.summary == f"membership of participant {network.karawang.pk} in payer group PPSU removed"
