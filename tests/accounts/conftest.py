"""A network to scope over: the shared ``world`` plus a child outlet, a payer with a group, and a
participant for every way of being inside (or outside) a scope; and a factory of staff users."""

import pytest
from tests.conftest import jakarta

PASSWORD = "kata-sandi-yang-panjang-2026"


@pytest.fixture
def network(world, register):
    from jaring.channels.services import outlet_create
    from jaring.contributions.models import GroupMembership, Payer, PayerGroup
    from jaring.contributions.services import bill_issue, payment_record
    from jaring.org.models import Office
    from jaring.rules.months import Month

    w = world
    w.java = Office.objects.get(code="KW04")
    w.pos_cikampek = outlet_create(
        code="POS-CKP", name="KC Cikampek", partner=w.pos, region_code="32.15.13", parent=w.pos_karawang
    )
    at = jakarta(2024, 5, 3)
    # lives in Karawang, registered at Pos Karawang
    w.karawang = register(outlet=w.pos_karawang, registered_at=at, phone="081234567890")
    # signed up by the Pos agent of Karawang
    w.by_agent = register(outlet=w.pos_karawang, agent=w.agent, registered_at=at)
    # registered at the child outlet Cikampek
    w.cikampek = register(outlet=w.pos_cikampek, district="32.15.13", registered_at=at)
    # registered at the bank in Karawang (not the Pos)
    w.at_bank = register(outlet=w.bank_karawang, registered_at=at)
    # lives in Balikpapan, registered there
    w.balikpapan_worker = register(outlet=w.pos_balikpapan, district="64.71.01", registered_at=at)
    # lives in Karawang but signed up at the Pos in Balikpapan (a migrant worker)
    w.migrant = register(outlet=w.pos_balikpapan, district="32.15.01", registered_at=at)

    w.payer = Payer.objects.create(code="DKI", name="Pemprov DKI", kind="APBD", outlet=w.bank_karawang)
    w.other_payer = Payer.objects.create(code="EMP", name="PT Maju", kind="EMPLOYER")
    group = PayerGroup.objects.create(payer=w.payer, code="PPSU", name="PPSU")
    GroupMembership.objects.create(group=group, participant=w.at_bank, first_month=Month.of(2024, 5))
    other_group = PayerGroup.objects.create(payer=w.other_payer, code="STAFF", name="Staff")
    GroupMembership.objects.create(group=other_group, participant=w.karawang, first_month=Month.of(2024, 5))
    w.bill = bill_issue(payer=w.payer, month=Month.of(2024, 5), issued_at=jakarta(2024, 5, 20))
    w.other_bill = bill_issue(payer=w.other_payer, month=Month.of(2024, 5), issued_at=jakarta(2024, 5, 20))

    def pay(participant, key, outlet=None, agent=None):
        return payment_record(
            participant=participant, months=1, amount=16_800, source="test", idempotency_key=key,
            paid_at=jakarta(2024, 6, 3), outlet=outlet, agent=agent,
        ).payment  # fmt: skip

    w.pay_karawang = pay(w.karawang, "k1", outlet=w.pos_karawang)
    w.pay_balikpapan = pay(w.balikpapan_worker, "b1", outlet=w.pos_balikpapan)
    # the Karawang worker pays once while working in Balikpapan
    w.pay_karawang_in_balikpapan = pay(w.karawang, "k2", outlet=w.pos_balikpapan)
    w.pay_by_agent = pay(w.by_agent, "a1", outlet=w.pos_karawang, agent=w.agent)
    return w


@pytest.fixture
def staff(db):
    """``staff("branch_staff", office=...)``: a user with that role and scope (password ``PASSWORD``)."""
    from jaring.accounts.services import staff_user_create

    made = iter(range(1, 1000))

    def _staff(role, *, username=None, **scope):
        return staff_user_create(
            username=username or f"{role}-{next(made)}", role=role, password=PASSWORD, **scope
        ).user

    return _staff
