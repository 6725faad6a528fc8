"""The landing page shows each role what it needs first, and only figures of the user's own scope."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from jaring.accounts.scope import scope_for
from jaring.contributions.services import payment_record
from jaring.members.models import Participant


def page(client, user=None):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("web:home"))


def test_a_visitor_sees_an_introduction_and_a_sign_in_button_but_no_figures(client, network):
    response = page(client)
    assert response.status_code == 200
    assert reverse("accounts:login") in response.content.decode()
    assert "standing" not in response.context and "today_counts" not in response.context


def test_branch_staff_see_the_standing_of_their_scope_only(client, network, staff):
    user = staff("branch_staff", office=network.karawang_branch)
    standing = page(client, user).context["standing"]
    mine = scope_for(user).participants()
    assert standing["registered"] == mine.count() < Participant.objects.count()
    assert standing["active"] == mine.filter(standing__status="active").count()
    assert standing["new"] == mine.filter(standing__status="new").count()
    assert sum(standing[s] for s in ("active", "arrears", "lapsed", "new")) == standing["registered"]


def test_another_branch_sees_other_figures(client, network, staff):
    karawang = page(client, staff("branch_staff", office=network.karawang_branch)).context["standing"]
    client.logout()
    user = staff("branch_staff", office=network.balikpapan)
    balikpapan = page(client, user).context["standing"]
    assert balikpapan["registered"] == scope_for(user).participants().count() == 2  # the worker, the migrant
    assert balikpapan != karawang


def test_the_staff_home_links_to_the_dashboards(client, network, staff):
    response = page(client, staff("regional_staff", office=network.java))
    assert reverse("dashboards:home") in response.content.decode()


def test_a_teller_sees_todays_counts_at_their_outlets_and_the_desk(client, network, staff, register):
    now = timezone.now()
    today = register(outlet=network.pos_karawang, registered_at=now)
    register(outlet=network.pos_balikpapan, registered_at=now, district="64.71.01")  # another outlet's day
    payment_record(
        participant=today, months=1, amount=16_800, source="test", idempotency_key="today",
        paid_at=now, outlet=network.pos_karawang,
    )  # fmt: skip
    response = page(client, staff("outlet_teller", outlet=network.pos_karawang))
    assert response.context["today_counts"] == {"registrations": 1, "payments": 1, "amount": 16_800}
    body = response.content.decode()
    assert reverse("desk:home") in body and "Rp16.800" in body
    assert "standing" not in response.context  # a teller is not shown the branch's figures


def test_an_agent_sees_what_they_did_today(client, network, staff, register):
    register(outlet=network.pos_karawang, agent=network.agent, registered_at=timezone.now())
    register(outlet=network.pos_karawang, registered_at=timezone.now())  # at the counter, not the agent
    response = page(client, staff("agent", agent=network.agent))
    assert response.context["today_counts"]["registrations"] == 1
    assert reverse("desk:home") in response.content.decode()


def test_a_payer_sees_its_groups_and_latest_bill(client, network, staff):
    response = page(client, staff("payer", payer=network.payer))
    assert [group.code for group in response.context["groups"]] == ["PPSU"]
    assert response.context["groups"][0].members == 1
    assert response.context["latest_bill"] == network.bill
    assert reverse("web:bill", args=["DKI", "2024-05"]) in response.content.decode()
    assert "standing" not in response.context


def test_an_auditor_is_pointed_to_the_audit_trail(client, network, staff):
    response = page(client, staff("auditor"))
    assert reverse("accounts:audit") in response.content.decode()
    assert "audit_today" in response.context


def test_a_user_without_a_role_sees_nothing(client, network):
    user = get_user_model().objects.create_user("nobody", password="x-long-password-1")
    response = page(client, user)
    assert response.status_code == 200
    assert "standing" not in response.context and "today_counts" not in response.context
