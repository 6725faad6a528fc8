"""A field phone's outbox synced through the partner API: exactly once however often it is sent or cut
off, cash never refused for its price, a NIK registered meanwhile elsewhere a conflict the agent resolves,
and a lost phone's credential revoked."""

import uuid

import pytest
from tests.api.conftest import Api, registration

from jaring.contributions.models import Deposit, Payment
from jaring.field.models import SyncRecord
from jaring.field.services import device_enrol, device_revoke
from jaring.members.models import Participant


@pytest.fixture
def phone(world):
    """The Pos agent of Karawang's phone, enrolled, and a client speaking with its key."""
    enrolled = device_enrol(agent=world.agent, name="Samsung Siti", actor=None)
    return enrolled


@pytest.fixture
def till_key(world):
    """A key of the Pos Karawang counter (not a phone's)."""
    from jaring.api.services import apikey_create

    return apikey_create(outlet=world.pos_karawang, scopes="register,pay,deposit,status").token


def key() -> str:
    return uuid.uuid4().hex


def registered_offline(**fields) -> dict:
    return {
        "key": key(),
        "kind": "registration",
        "made_at": "2026-12-07T09:00:00+07:00",
        "data": registration(**fields),
    }


def paid_offline(body: dict, amount: int = 16_800, months: int = 1) -> dict:
    data = {"nik": body["nik"], "birth_date": body["birth_date"], "months": months, "amount": amount}
    return {"key": key(), "kind": "payment", "made_at": "2026-12-07T09:05:00+07:00", "data": data}


def test_twenty_registrations_and_payments_land_once_however_often_the_outbox_is_sent(phone):
    api = Api(phone.token)
    registrations = [registered_offline() for _ in range(20)]
    payments = [paid_offline(record["data"]) for record in registrations]
    outbox = [record for pair in zip(registrations, payments, strict=True) for record in pair]
    # cut off half-way: the first half arrives, then the whole outbox is sent again, twice
    first = api.post("sync", {"records": outbox[:17]})
    assert first.status_code == 200, first.content
    for _ in range(2):
        answer = api.post("sync", {"records": outbox})
        assert answer.status_code == 200
    states = [record["state"] for record in answer.json()["records"]]
    assert states == ["recorded"] * 40
    assert Participant.objects.filter(agent=phone.device.agent).count() == 20
    assert Payment.objects.filter(agent=phone.device.agent).count() == 20
    assert SyncRecord.objects.filter(device=phone.device).count() == 40
    numbers = {record["participant_number"] for record in answer.json()["records"]}
    assert len(numbers) == 20 and None not in numbers


def test_cash_taken_at_an_old_price_is_recorded_as_a_deposit_and_the_agent_told(phone):
    api = Api(phone.token)
    signed = registered_offline()
    stale = paid_offline(signed["data"], amount=15_000)  # the phone's price, no longer the schedule's
    answer = api.post("sync", {"records": [signed, stale]}).json()["records"]
    assert [record["state"] for record in answer] == ["recorded", "as_deposit"]
    assert answer[1]["note"] and answer[1]["deposit_id"]
    deposit = Deposit.objects.get(pk=answer[1]["deposit_id"])
    assert deposit.amount == 15_000 and deposit.agent_id == phone.device.agent.pk


def test_a_nik_registered_meanwhile_elsewhere_is_a_conflict_the_agent_resolves(phone, till_key):
    api = Api(phone.token)
    offline = registered_offline()
    elsewhere = Api(till_key)  # the Pos counter registers the same worker first
    assert elsewhere.post("participants", offline["data"]).status_code == 201
    refused = api.post("sync", {"records": [offline]}).json()["records"][0]
    assert refused["state"] == "refused" and "nik:duplicate" in refused["reasons"]
    conflict = SyncRecord.objects.get(key=offline["key"])
    assert conflict.resolved_at is None and conflict.shown["nik"] != offline["data"]["nik"]
    # the agent drops it on the phone: the conflict is resolved, nothing is registered twice
    dropped = api.post("sync", {"records": [{"key": key(), "kind": "drop", "replaces": offline["key"]}]})
    assert dropped.json()["records"][0]["state"] == "dropped"
    conflict.refresh_from_db()
    assert conflict.resolved_at is not None
    assert Participant.objects.filter(nik=offline["data"]["nik"]).count() == 1


def test_a_refused_record_edited_and_resent_resolves_the_first(phone):
    api = Api(phone.token)
    wrong = registered_offline(occupation="ASTRONAUT")
    first = api.post("sync", {"records": [wrong]}).json()["records"][0]
    assert first["state"] == "refused" and first["messages"]
    fixed = {
        **wrong,
        "key": key(),
        "replaces": wrong["key"],
        "data": {**wrong["data"], "occupation": "PEDAGANG_PASAR"},
    }
    assert api.post("sync", {"records": [fixed]}).json()["records"][0]["state"] == "recorded"
    assert SyncRecord.objects.get(key=wrong["key"]).resolved_at is not None


def test_a_lost_phone_is_revoked_and_a_till_key_does_not_sync(phone, till_key):
    device_revoke(device=phone.device, actor=None)
    assert Api(phone.token).post("sync", {"records": [registered_offline()]}).status_code == 401
    assert Api(till_key).post("sync", {"records": [registered_offline()]}).status_code == 403
    assert not Participant.objects.exists()


def test_staff_see_an_agents_phones_conflicts_and_the_cash_it_holds(client, till_key, world, staff):
    """A market collector's staff member collects on a phone in the market and remits part of it."""
    from django.urls import reverse

    from jaring.channels.services import agent_create, outlet_create, partner_create
    from jaring.contributions.services import remittance_record

    market = partner_create(code="PASAR-JOHAR", name="Pengelola Pasar Johar", kind="market_collector")
    stall = outlet_create(code="PSR-JHR", name="Pasar Johar Karawang", partner=market, region_code="32.15.01")
    collector = agent_create(code="PSR-JHR-1", name="Ujang", partner=market, outlet=stall)
    phone = device_enrol(agent=collector, name="Samsung Ujang", actor=None)
    api = Api(phone.token)
    signed = registered_offline()
    taken = paid_offline(signed["data"])
    conflict = registered_offline()
    assert Api(till_key).post("participants", conflict["data"]).status_code == 201
    api.post("sync", {"records": [signed, taken, conflict]})
    remittance_record(outlet=stall, agent=collector, amount=10_000, reference="SETOR-1", actor=None)
    client.force_login(staff("branch_staff", office=world.karawang_branch))
    page = client.get(reverse("field:agent", args=[collector.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Samsung Ujang" in text and 'data-testid="conflicts-open">1<' in text
    assert "Rp6.800" in text  # held: Rp16,800 taken on the phone less Rp10,000 remitted
    assert conflict["data"]["nik"] not in text  # the conflict's NIK is shown masked
    client.force_login(staff("branch_staff", office=world.balikpapan))
    assert client.get(reverse("field:agent", args=[collector.code])).status_code == 404
    client.force_login(staff("branch_staff", office=world.karawang_branch))
    assert client.post(reverse("field:revoke", args=[phone.device.pk])).status_code == 302
    assert api.post("sync", {"records": [registered_offline()]}).status_code == 401


def test_the_outbox_applied_as_lists_comes_to_what_it_comes_to_one_record_at_a_time(phone, till_key):
    """The list path and the batch endpoint's one-by-one path answer every kind of record alike and
    leave the same ledger and standings, from the same start."""
    from django.db import transaction

    from jaring.accounts.models import AuditEntry
    from jaring.field.services import outbox_sync
    from jaring.rules.participant_number import participant_seq

    signed, wrong, elsewhere = (
        registered_offline(),
        registered_offline(occupation="ASTRONAUT"),
        registered_offline(),
    )
    assert Api(till_key).post("participants", elsewhere["data"]).status_code == 201
    stranger = registration()  # never registered
    outbox = [
        signed,
        paid_offline(signed["data"]),
        paid_offline(signed["data"], amount=15_000),  # the next month at an old price: a deposit
        wrong,
        paid_offline(stranger),
        paid_offline({**signed["data"], "birth_date": "1991-01-01"}),  # the wrong birth date
        {"key": key(), "kind": "deposit", "data": {**paid_offline(signed["data"])["data"], "amount": 10_000}},
        elsewhere,  # registered first at the Pos counter: a conflict
        {"key": key(), "kind": "gift", "data": {}},
        {**signed},  # the same key twice
        {"key": key(), "kind": "drop", "replaces": wrong["key"]},
        {"key": "", "kind": "payment", "data": {}},
        {"key": key(), "kind": "payment", "data": {"nik": signed["data"]["nik"], "months": "many"}},
    ]
    outbox[6]["data"].pop("months")

    def applied(as_lists: bool):
        with transaction.atomic():
            before = AuditEntry.objects.count()
            answers = outbox_sync(device=phone.device, records=outbox, as_lists=as_lists)
            # named by NIK: PostgreSQL does not take back the ids a rolled-back insert drew
            nik = dict(Participant.objects.values_list("pk", "nik"))
            said = [
                (a.key, a.kind, a.state, a.reasons, a.messages, bool(a.note),
                 nik.get(participant_seq(a.participant_number)) if a.participant_number else None,
                 bool(a.payment_id), bool(a.deposit_id))
                for a in answers
            ]  # fmt: skip
            kept = sorted(
                (key, state, amount, nik.get(participant), resolved is not None)
                for key, state, amount, participant, resolved in SyncRecord.objects.filter(
                    device=phone.device
                ).values_list("key", "state", "amount", "participant_id", "resolved_at")
            )
            ledger = sorted(
                Payment.objects.filter(agent=phone.device.agent).values_list(
                    "participant__nik", "amount", "first_month"
                )
            ) + sorted(Deposit.objects.values_list("participant__nik", "amount"))
            # The deposit a re-priced payment becomes comes after the list's other ledger records (one
            # at a time it comes in its place): the balance each deposit left differs, the end does not.
            registered = sorted(
                Participant.objects.values_list(
                    "nik", "agent_id", "standing__deposit_balance", "standing__paid_through"
                )
            )
            audited = AuditEntry.objects.count() - before
            transaction.set_rollback(True)
        return said, kept, ledger, registered, audited

    listed, each = applied(True), applied(False)
    assert [answer[2] for answer in listed[0]] == [
        "recorded", "recorded", "as_deposit", "refused", "refused", "refused", "recorded", "refused",
        "refused", "recorded", "dropped", "refused", "refused",
    ]  # fmt: skip
    assert "nik:duplicate" in listed[0][7][3] and listed[0][7][6]  # the Pos counter's own partner is told
    for part in range(4):
        assert listed[part] == each[part]
    assert listed[4] == 1 and each[4] > 1  # the sync as one list (audited once), then record by record


def test_a_list_that_meets_a_race_is_applied_one_record_at_a_time(phone, monkeypatch):
    """A NIK registered by another channel at the same moment makes the list's insert fail: nothing of
    the list stays, and every record is applied on its own, once."""
    from django.db import IntegrityError

    from jaring.field.services import outbox as listed

    applied = listed.registrations_apply

    def raced(plans, book):
        applied(plans, book)
        raise IntegrityError("duplicate key value violates unique constraint on nik")

    monkeypatch.setattr(listed, "registrations_apply", raced)
    registrations = [registered_offline() for _ in range(3)]
    outbox = registrations + [paid_offline(record["data"]) for record in registrations]
    answer = Api(phone.token).post("sync", {"records": outbox})
    assert [record["state"] for record in answer.json()["records"]] == ["recorded"] * 6
    assert Participant.objects.filter(agent=phone.device.agent).count() == 3
    assert Payment.objects.filter(agent=phone.device.agent).count() == 3
    assert SyncRecord.objects.filter(device=phone.device).count() == 6
