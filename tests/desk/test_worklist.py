"""The desk's worklists: the workers a teller looks after who owe this month, are in arrears, about to
lapse, or lapsed, riskiest first, with one tap to the payment screen."""

from datetime import datetime

import pytest
from tests.conftest import PASSWORD

from jaring.common.clock import ZONE, month_of
from jaring.contributions.models import GroupMembership, Payer, PayerGroup
from jaring.contributions.services import payment_quote, payment_record
from jaring.rules.worklist import Worklist


def moment(month, day=3):
    return datetime(month.year, month.month, day, 10, tzinfo=ZONE)


@pytest.fixture
def people(world, register):
    """Workers of Pos Karawang at every distance behind, one in Balikpapan, one a payer pays for."""
    now = month_of()
    keys = iter(range(1, 1000))

    def pay(person, month, months=1):
        _covered, price = payment_quote(person, months=months, at=moment(month, 4))
        payment_record(
            participant=person, months=months, amount=price.total, source="test",
            idempotency_key=f"k{next(keys)}", paid_at=moment(month, 4), outlet=world.pos_karawang,
            history_allowed=True,
        )  # fmt: skip

    def worker(name, registered, *paid, outlet=None):
        person = register(
            name=name,
            registered_at=moment(registered),
            outlet=outlet or world.pos_karawang,
            phone="081234567890",
        )
        for month in paid:
            pay(person, month)
        return person

    w = {
        "due": worker("Ani", now - 1, now - 1),
        "arrears": worker("Budi", now - 2, now - 2),
        "lapsing": worker("Citra", now - 3, now - 3),
        "lapsed": worker("Dedi", now - 4, now - 4),
        "paid": worker("Eka", now, now),
        "elsewhere": worker("Fajar", now - 1, now - 1, outlet=world.pos_balikpapan),
        "never": worker("Gita", now),  # registered this month, nothing paid yet: due
    }
    # Hadi paid three months, stopped, and paid one more month after lapsing: he stopped before
    hadi = worker("Hadi", now - 10)
    pay(hadi, now - 10, months=3)
    pay(hadi, now - 4)
    w["stopped"] = hadi
    paid_for = worker("Indah", now - 1, now - 1)
    group = PayerGroup.objects.create(
        payer=Payer.objects.create(code="DKI", name="Pemprov DKI", kind="APBD"), code="PPSU", name="PPSU"
    )
    GroupMembership.objects.create(group=group, participant=paid_for, first_month=now - 1)
    return w


@pytest.fixture
def teller(client, staff, world):
    user = staff("outlet_teller", outlet=world.pos_karawang)
    client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "id"
    return user


def names(page):
    return [row["name"] for row in page.context["rows"]]


def test_each_worker_is_on_the_list_of_how_far_behind_they_are(client, teller, people):
    lists = {kind: names(client.get(f"/desk/worklist/?list={kind}")) for kind in Worklist}
    assert lists == {
        Worklist.DUE: ["Gita", "Ani"],  # never paid anything: the shorter history ranks first
        Worklist.ARREARS: ["Budi"],
        Worklist.LAPSING: ["Citra"],
        Worklist.LAPSED: ["Hadi", "Dedi"],  # Hadi stopped once before
    }


def test_the_score_shows_its_parts_and_a_tap_takes_the_payment(client, teller, people):
    page = client.get("/desk/worklist/?list=lapsed")
    hadi = page.context["rows"][0]
    assert hadi["risk"] == 60 + 10 + 4  # 4 unpaid months, one earlier stop, 4 months paid of 6
    assert [(points, count) for _label, points, count in hadi["parts"]] == [(60, 4), (10, 1), (4, 2)]
    assert hadi["pay"] == f"/desk/pay/?q={people['stopped'].number}"
    text = page.content.decode()
    assert (
        "Risiko berhenti" in text
        and "+60 (4 bulan belum dibayar)" in text
        and "+10 (pernah berhenti 1 kali)" in text
    )
    assert f'href="/desk/pay/?q={people["stopped"].number}"' in text
    tabs = {kind: count for kind, _label, count in page.context["tabs"]}
    assert tabs == {Worklist.DUE: 2, Worklist.ARREARS: 1, Worklist.LAPSING: 1, Worklist.LAPSED: 2}


def test_the_worklist_is_exported_with_masked_phones(client, teller, people):
    answer = client.get("/desk/worklist/?list=due&format=csv")
    assert answer.status_code == 200
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and "Gita" in lines[1] and "Ani" in lines[2]
    assert "*********890" in lines[2] and "081234567890" not in answer.content.decode()


def test_roles_without_a_desk_do_not_find_it(client, staff, people):
    user = staff("head_office_analyst")
    client.login(username=user.username, password=PASSWORD)
    assert client.get("/desk/worklist/").status_code == 404
