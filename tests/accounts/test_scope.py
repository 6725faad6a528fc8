"""Every role sees its part of the network and nothing else; outside the scope is "does not exist"."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from jaring.accounts.scope import Scope, get_in_scope_or_404, scope_for
from jaring.channels.models import Agent, Outlet
from jaring.contributions.models import Bill, Payer, Payment
from jaring.imports.models import ImportJob
from jaring.members.models import Participant
from jaring.org.models import Office


def seen(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def people(scope: Scope) -> set:
    return seen(scope.participants(Participant.objects.all()))


def test_a_branch_sees_who_lives_in_its_area_and_who_its_outlets_signed_up(network, staff):
    w = network
    balikpapan = scope_for(staff("branch_staff", office=w.balikpapan))
    assert people(balikpapan) == {w.balikpapan_worker.pk, w.migrant.pk}
    karawang = scope_for(staff("branch_staff", office=w.karawang_branch))
    assert people(karawang) == {w.karawang.pk, w.by_agent.pk, w.cikampek.pk, w.at_bank.pk, w.migrant.pk}


def test_a_balikpapan_branch_user_cannot_open_a_karawang_participant(network, staff):
    scope = scope_for(staff("branch_staff", office=network.balikpapan))
    with pytest.raises(Http404):
        get_in_scope_or_404(scope.participants, Participant.objects.all(), pk=network.karawang.pk)
    found = get_in_scope_or_404(
        scope.participants, Participant.objects.all(), pk=network.balikpapan_worker.pk
    )
    assert found == network.balikpapan_worker


def test_a_regional_office_sees_its_branches(network, staff):
    w = network
    kalimantan = scope_for(staff("regional_staff", office=w.kalimantan))
    assert people(kalimantan) == {w.balikpapan_worker.pk, w.migrant.pk}
    assert seen(kalimantan.offices(Office.objects.all())) == {w.kalimantan.pk, w.balikpapan.pk}
    assert seen(kalimantan.outlets(Outlet.objects.all())) == {w.pos_balikpapan.pk}
    assert kalimantan.office == w.kalimantan and not kalimantan.is_national


def test_a_teller_sees_the_participants_of_their_outlet_and_its_child_outlets(network, staff):
    w = network
    teller = scope_for(staff("outlet_teller", outlet=w.pos_karawang))
    assert people(teller) == {w.karawang.pk, w.by_agent.pk, w.cikampek.pk}
    assert seen(teller.outlets(Outlet.objects.all())) == {w.pos_karawang.pk, w.pos_cikampek.pk}
    child_teller = scope_for(staff("outlet_teller", outlet=w.pos_cikampek))
    assert people(child_teller) == {w.cikampek.pk}
    assert seen(teller.offices(Office.objects.all())) == set()
    assert teller.office is None


def test_an_agent_sees_the_workers_the_agent_signed_up(network, staff):
    w = network
    agent = scope_for(staff("agent", agent=w.agent))
    assert people(agent) == {w.by_agent.pk}
    assert seen(agent.agents(Agent.objects.all())) == {w.agent.pk}
    assert seen(agent.outlets(Outlet.objects.all())) == {w.pos_karawang.pk}
    assert seen(agent.payments(Payment.objects.all())) == {w.pay_by_agent.pk}


def test_a_payer_sees_only_the_members_of_its_groups_and_its_own_bills(network, staff):
    w = network
    payer = scope_for(staff("payer", payer=w.payer))
    assert people(payer) == {w.at_bank.pk}
    assert seen(payer.bills(Bill.objects.all())) == {w.bill.pk}
    assert seen(payer.payers(Payer.objects.all())) == {w.payer.pk}
    assert seen(payer.payments(Payment.objects.all())) == set()  # it has paid no bill yet
    assert not payer.can_act_at(w.bank_karawang)


@pytest.mark.parametrize("role", ["admin", "head_office_analyst", "auditor"])
def test_national_roles_see_everything(network, staff, role):
    scope = scope_for(staff(role, office=network.head) if role != "admin" else staff(role))
    assert scope.is_national and scope.office is None
    assert people(scope) == seen(Participant.objects.all())
    assert seen(scope.payments(Payment.objects.all())) == seen(Payment.objects.all())
    assert seen(scope.bills(Bill.objects.all())) == seen(Bill.objects.all())


def test_payments_follow_the_participant_and_the_outlet_that_took_them(network, staff):
    w = network
    balikpapan = scope_for(staff("branch_staff", office=w.balikpapan))
    # its own resident's payment, and the Karawang worker's payment taken at its outlet
    assert seen(balikpapan.payments()) == {w.pay_balikpapan.pk, w.pay_karawang_in_balikpapan.pk}
    teller = scope_for(staff("outlet_teller", outlet=w.pos_karawang))
    assert seen(teller.payments()) == {
        w.pay_karawang.pk, w.pay_by_agent.pk, w.pay_karawang_in_balikpapan.pk
    }  # fmt: skip


def test_office_staff_see_payers_paying_for_people_they_serve(network, staff):
    w = network
    karawang = scope_for(staff("branch_staff", office=w.karawang_branch))
    assert seen(karawang.payers()) == {w.payer.pk, w.other_payer.pk}
    assert seen(karawang.bills()) == {w.bill.pk, w.other_bill.pk}
    balikpapan = scope_for(staff("branch_staff", office=w.balikpapan))
    assert seen(balikpapan.payers()) == set() and seen(balikpapan.bills()) == set()


def test_import_jobs_are_the_users_own_or_their_offices(network, staff):
    w = network
    teller_user = staff("outlet_teller", outlet=w.pos_karawang)
    other_teller = staff("outlet_teller", outlet=w.pos_balikpapan)
    branch_user = staff("branch_staff", office=w.karawang_branch)

    def job(user, sha):
        return ImportJob.objects.create(kind="registrations", sha256=sha, original_name="x.csv", path="/x",
                                        created_by=user)  # fmt: skip

    mine, theirs, branch = job(teller_user, "a"), job(other_teller, "b"), job(branch_user, "c")
    assert seen(scope_for(teller_user).import_jobs()) == {mine.pk}
    assert seen(scope_for(branch_user).import_jobs()) == {mine.pk, branch.pk}
    assert seen(scope_for(staff("auditor")).import_jobs()) == {mine.pk, theirs.pk, branch.pk}


def test_who_may_act_at_an_outlet(network, staff):
    w = network
    assert scope_for(staff("outlet_teller", outlet=w.pos_karawang)).can_act_at(w.pos_cikampek)
    assert not scope_for(staff("outlet_teller", outlet=w.pos_karawang)).can_act_at(w.bank_karawang)
    assert scope_for(staff("agent", agent=w.agent)).can_act_at(w.pos_karawang)
    assert not scope_for(staff("agent", agent=w.agent)).can_act_at(w.pos_cikampek)
    branch = scope_for(staff("branch_staff", office=w.karawang_branch))
    assert branch.can_act_at(w.bank_karawang) and not branch.can_act_at(w.pos_balikpapan)
    assert scope_for(staff("admin")).can_act_at(w.pos_balikpapan)
    for role in ("head_office_analyst", "auditor"):
        assert not scope_for(staff(role)).can_act_at(w.pos_karawang)
    assert not scope_for(staff("regional_staff", office=w.java)).can_act_at(w.pos_karawang)


def test_who_sees_a_full_nik_and_phone(network, staff):
    w = network
    nik, phone = w.karawang.nik, w.karawang.phone
    full = {
        "outlet_teller": {"outlet": w.pos_karawang}, "agent": {"agent": w.agent},
        "branch_staff": {"office": w.karawang_branch}, "admin": {},
    }  # fmt: skip
    masked = {"head_office_analyst": {}, "regional_staff": {"office": w.java}, "payer": {"payer": w.payer},
              "auditor": {}}  # fmt: skip
    for role, where in full.items():
        scope = scope_for(staff(role, **where))
        assert scope.sees_personal_data and scope.show_nik(nik) == nik and scope.show_phone(phone) == phone
    for role, where in masked.items():
        scope = scope_for(staff(role, **where))
        assert not scope.sees_personal_data, role
        assert scope.show_nik(nik) == f"{nik[:6]}******{nik[12:]}" and scope.show_phone(phone).endswith("890")
        assert "*" in scope.show_phone(phone)
        assert scope.may_reveal == (role == "auditor")


def test_without_a_profile_a_superuser_is_a_national_admin_and_anyone_else_sees_nothing(network):
    root = User.objects.create_superuser("root", password="x")
    assert scope_for(root).role == "admin" and scope_for(root).is_national
    nobody = User.objects.create_user("nobody", password="x")
    nothing = scope_for(nobody)
    assert nothing.is_empty and not nothing.sees_personal_data
    assert people(nothing) == set() and seen(nothing.bills()) == set()
    assert not nothing.can_act_at(network.pos_karawang)
    assert scope_for(AnonymousUser()).is_empty and scope_for(None).is_empty


def test_an_inactive_user_sees_nothing(network, staff):
    user = staff("branch_staff", office=network.karawang_branch)
    user.is_active = False
    assert scope_for(user).is_empty


def test_a_filter_refuses_a_queryset_of_another_model(network, staff):
    scope = scope_for(staff("admin"))
    with pytest.raises(TypeError):
        scope.participants(Payment.objects.all())


def test_a_scope_is_read_once_per_user_object(network, staff, django_assert_num_queries):
    user = staff("outlet_teller", outlet=network.pos_karawang)
    user = User.objects.get(pk=user.pk)
    scope_for(user)
    with django_assert_num_queries(0):
        scope_for(user)
