"""Staff users: a role needs the scope that fits it; `jaring user create/list`; the demo users."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from jaring.accounts.models import AuditEntry, Role, StaffProfile
from jaring.accounts.scope import scope_for
from jaring.accounts.services import staff_profile_assign


def jaring(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "role, scope, field",
    [
        ("branch_staff", {"office": "kalimantan"}, "office"),  # a Kanwil is not a branch
        ("regional_staff", {"office": "balikpapan"}, "office"),
        ("regional_staff", {}, "office"),
        ("outlet_teller", {"office": "balikpapan"}, "outlet"),
        ("agent", {"outlet": "pos_karawang"}, "agent"),
        ("payer", {}, "payer"),
        ("auditor", {"office": "balikpapan"}, "office"),  # national roles: the head office or nothing
        ("head_office_analyst", {"outlet": "pos_karawang"}, "outlet"),
    ],
)
def test_a_role_takes_only_the_scope_that_fits_it(network, role, scope, field):
    user = User.objects.create_user("x")
    with pytest.raises(ValidationError) as refused:
        staff_profile_assign(user=user, role=role, **{k: getattr(network, v) for k, v in scope.items()})
    assert field in refused.value.message_dict
    assert not StaffProfile.objects.exists()


def test_the_database_refuses_a_scope_that_does_not_fit_the_role(network):
    user = User.objects.create_user("x")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=user, role="outlet_teller", office=network.balikpapan)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=user, role="branch_staff")


def test_an_admin_gets_the_back_office_and_other_roles_lose_it(network):
    user = User.objects.create_user("x", is_staff=True)
    staff_profile_assign(user=user, role="admin")
    assert user.is_staff and user.is_superuser
    staff_profile_assign(user=user, role="branch_staff", office=network.balikpapan)
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert scope_for(user).office == network.balikpapan
    assert [e.action for e in AuditEntry.objects.filter(object_type="accounts.staffprofile")] == [
        "update",
        "create",
    ]


def test_jaring_user_create_prints_a_generated_password_once(network):
    out, _ = jaring("user", "create", "kc-bpn", "--role", "branch_staff", "--office", "KC-BPN")
    assert "kc-bpn: branch_staff, office KC-BPN (KC Balikpapan) and below" in out
    password = out.split("cannot be recovered): ")[1].strip()
    user = User.objects.get(username="kc-bpn")
    assert user.check_password(password) and len(password) >= 16
    created = AuditEntry.objects.get(action="create", object_type="accounts.staffprofile")
    assert created.after["role"] == "branch_staff" and "jaring user create kc-bpn" in created.summary


def test_jaring_user_create_with_a_password_prints_none(network):
    out, _ = jaring("user", "create", "teller", "--role", "outlet_teller", "--outlet", "POS-KRW",
                    "--password", "sangat-rahasia-sekali")  # fmt: skip
    assert "password" not in out
    assert User.objects.get(username="teller").check_password("sangat-rahasia-sekali")


def test_jaring_user_create_refuses_a_bad_scope_or_password_and_changes_nothing(network, capsys):
    with pytest.raises(SystemExit) as exit_:
        jaring("user", "create", "x", "--role", "branch_staff", "--office", "KW07")
    assert exit_.value.code == 2
    with pytest.raises(SystemExit):
        jaring("user", "create", "y", "--role", "agent", "--agent", "AG-1", "--password", "123")
    with pytest.raises(CommandError, match="unknown outlet NOPE"):
        jaring("user", "create", "z", "--role", "outlet_teller", "--outlet", "NOPE")
    assert not User.objects.filter(username__in=["x", "y", "z"]).exists()


def test_jaring_user_list(network):
    jaring(
        "user",
        "create",
        "payer-dki",
        "--role",
        "payer",
        "--payer",
        "DKI",
        "--password",
        "sangat-rahasia-sekali",
    )
    User.objects.create_superuser("root", password="x")
    out, _ = jaring("user", "list")
    assert "payer-dki" in out and "payer DKI (Pemprov DKI)" in out and "root" in out and "national" in out
    rows = json.loads(jaring("user", "list", "--role", "payer", "--json")[0])
    assert [(r["username"], r["role"]) for r in rows] == [("payer-dki", "payer")]


def test_the_demo_has_one_user_per_role(db):
    from jaring.accounts.demo import demo_users_create
    from jaring.demo.world import demo_world_load

    demo_world_load(participants=40)
    users = demo_users_create("demo-sandi-2026")
    assert {role for _, role, _ in users} == set(Role.values)
    described = {username: scope for username, _, scope in users}
    assert described["demo.kc-bpn"].startswith("office KC-BPN")
    assert described["demo.teller-krw"].startswith("outlet POS-KRW")
    for username, _, _ in users:
        assert User.objects.get(username=username).check_password("demo-sandi-2026")
    assert demo_users_create("another-password-2026") == users  # a second call resets, adds nothing
    assert User.objects.filter(username__startswith="demo.").count() == len(users)
