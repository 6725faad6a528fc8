"""The audit trail: sign-ins, failed sign-ins, sign-outs, admin writes with before/after, personal data
viewed; and entries that cannot be changed."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from tests.conftest import PASSWORD

from jaring.accounts.audit import audit, audit_personal_data, snapshot
from jaring.accounts.models import AuditEntry
from jaring.channels.models import Partner


def entries(**lookup):
    return list(AuditEntry.objects.filter(**lookup).order_by("id"))


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def test_signing_in_and_out_is_recorded_with_role_address_and_browser(client, network, staff):
    user = staff("branch_staff", office=network.balikpapan, username="siti")
    response = sign_in(client, "siti", HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    (login,) = entries(action="login")
    assert (login.user_pk, login.username, login.role) == (user.pk, "siti", "branch_staff")
    assert (login.ip, login.user_agent) == ("10.1.2.3", "Firefox/140")
    client.post(reverse("accounts:logout"))
    (logout,) = entries(action="logout")
    assert logout.username == "siti"


def test_a_failed_sign_in_is_recorded_with_the_name_tried(client, network, staff):
    staff("outlet_teller", outlet=network.pos_karawang, username="budi")
    response = sign_in(client, "budi", password="wrong")
    assert response.status_code == 200
    sign_in(client, "ghost", password="wrong")
    failed = entries(action="login_failed")
    assert [(e.username, e.user_pk, e.ip) for e in failed] == [
        ("budi", None, "127.0.0.1"),
        ("ghost", None, "127.0.0.1"),
    ]
    assert not entries(action="login")


def test_an_admin_change_is_recorded_with_before_and_after_masking_the_phone(admin_client, network):
    agent = network.agent
    agent.phone = "081200000111"
    agent.save()
    url = reverse("admin:channels_agent_change", args=[agent.pk])
    data = {
        "code": agent.code, "name": agent.name, "partner": agent.partner_id, "outlet": agent.outlet_id,
        "phone": "081299999222", "status": "active", "_save": "Save",
    }  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302
    (entry,) = entries(action="update")
    assert (entry.object_type, entry.object_id, entry.username) == ("channels.agent", str(agent.pk), "admin")
    assert entry.before["phone"] == "*********111" and entry.after["phone"] == "*********222"
    assert entry.before["name"] == entry.after["name"] == agent.name
    assert "phone" in entry.summary and entry.ip == "127.0.0.1"


def test_admin_additions_and_deletions_are_recorded(admin_client, network):
    add = reverse("admin:channels_partner_add")
    assert admin_client.post(add, {"code": "KIOS", "name": "Kios Maju", "kind": "kiosk"}).status_code == 302
    partner = Partner.objects.get(code="KIOS")
    (created,) = entries(action="create", object_type="channels.partner")
    assert created.before is None and created.after["name"] == "Kios Maju"
    delete = reverse("admin:channels_partner_delete", args=[partner.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    (deleted,) = entries(action="delete")
    assert deleted.before["code"] == "KIOS" and deleted.after is None
    assert deleted.object_id == str(partner.pk)


def test_a_bulk_delete_in_the_admin_records_every_row(admin_client, network):
    a = Partner.objects.create(code="EV1", name="Acara 1", kind="event")
    b = Partner.objects.create(code="EV2", name="Acara 2", kind="event")
    response = admin_client.post(
        reverse("admin:channels_partner_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Partner.objects.filter(pk__in=[a.pk, b.pk]).exists()
    deleted = entries(action="delete")
    assert sorted(e.before["code"] for e in deleted) == ["EV1", "EV2"]


def test_opening_a_page_with_personal_data_in_the_admin_is_recorded(admin_client, network):
    url = reverse("admin:members_participant_change", args=[network.karawang.pk])
    assert admin_client.get(url).status_code == 200
    (viewed,) = entries(action="view_personal_data")
    assert (viewed.object_type, viewed.object_id) == ("members.participant", str(network.karawang.pk))
    admin_client.get(reverse("admin:members_participant_changelist"))  # masked list: not a view
    assert len(entries(action="view_personal_data")) == 1


def test_audit_and_audit_personal_data_take_a_request_or_a_user(rf, network, staff):
    user = staff("outlet_teller", outlet=network.pos_karawang)
    request = rf.get("/desk/participants/1", REMOTE_ADDR="10.9.9.9", HTTP_USER_AGENT="Android")
    request.user = user
    worker = network.karawang
    viewed = audit_personal_data(request, "view_personal_data", obj=worker, summary="desk detail")
    assert (viewed.username, viewed.role, viewed.ip, viewed.object_type) == (
        user.username, "outlet_teller", "10.9.9.9", "members.participant"
    )  # fmt: skip
    changed = audit(user, "update", obj=worker, before={"nik": worker.nik}, after=worker, summary="fixed")
    assert changed.before == {"nik": worker.masked_nik} and changed.after["nik"] == worker.masked_nik
    assert changed.ip is None  # a user without a request being served: no address
    system = audit(None, "create", obj=worker, summary="jaring import by root")
    assert system.username == "" and system.user_pk is None
    with pytest.raises(ValueError):
        audit_personal_data(request, "update", obj=worker)
    with pytest.raises(ValueError):
        audit(user, "smile")


def test_snapshots_mask_personal_data_and_hide_passwords():
    data = snapshot({"nik": "3215014204850001", "phone": "081234567890", "password": "pbkdf2$...",
                     "mother": {"mother_nik": "3215014204850002"}, "name": "Budi"})  # fmt: skip
    assert data == {
        "nik": "321501******0001", "phone": "*********890", "password": "(hidden)",
        "mother": {"mother_nik": "321501******0002"}, "name": "Budi",
    }  # fmt: skip


def test_an_entry_cannot_be_changed_or_deleted(network, staff):
    entry = audit(None, "create", summary="x")
    entry.summary = "y"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="y")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    # and the database itself refuses an UPDATE, whatever the code path
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET summary = 'y' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).summary == "x"
