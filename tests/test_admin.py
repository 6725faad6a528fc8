"""The Django admin as back office: every model listed, NIKs masked, the ledger read only, rate rules
editable with immediate effect."""

import contextlib
import json

import pytest
from django.urls import reverse
from tests.conftest import jakarta

from jaring.channels.models import Agent, Outlet, Partner
from jaring.common.privacy import mask_nik, mask_phone
from jaring.contributions.models import (
    Bill,
    BillLine,
    CoverageRun,
    Deposit,
    GroupMembership,
    Payer,
    PayerGroup,
    Payment,
    RateRule,
)
from jaring.contributions.queries import ratebook
from jaring.contributions.services import bill_issue, deposit_record, payment_record
from jaring.members.models import DuplicateAttempt, Occupation, Participant, Standing
from jaring.org.models import BranchArea, Office
from jaring.regions.models import Region
from jaring.rules.months import Month
from jaring.rules.programmes import parse_programmes

MODELS = [
    Region, Office, BranchArea, Partner, Outlet, Agent, Occupation, Participant, DuplicateAttempt, RateRule,
    Payer, PayerGroup, GroupMembership, Bill, BillLine, Payment, CoverageRun, Deposit,
]  # fmt: skip


@pytest.fixture
def books(world, register):
    """One of everything: participants, a refused duplicate, a payment, a deposit, a payer's bill."""
    from jaring.common.errors import DuplicateRegistration
    from jaring.members.services import participant_register

    worker = register(registered_at=jakarta(2024, 5, 3), phone="081234567890")
    with contextlib.suppress(DuplicateRegistration):
        participant_register(
            history_allowed=True,
            nik=worker.nik, name=worker.name, birth_date=worker.birth_date, sex=worker.sex,
            village_code=worker.village_id, occupation_code="PEDAGANG_PASAR", declared_income=1_000_000,
            programmes="JKK+JKM", outlet=world.bank_karawang, registered_at=jakarta(2024, 5, 10),
        )  # fmt: skip
    payment = payment_record(
        history_allowed=True,
        participant=worker,
        months=1,
        amount=16_800,
        source="test",
        idempotency_key="p1",
        paid_at=jakarta(2024, 5, 3),
    ).payment
    saver = register(registered_at=jakarta(2024, 5, 3))
    deposit_record(
        history_allowed=True,
        participant=saver,
        amount=5_000,
        source="test",
        idempotency_key="d1",
        collected_at=jakarta(2024, 5, 4),
    )
    street_sweeper = register(registered_at=jakarta(2024, 5, 3))
    payer = Payer.objects.create(code="DKI", name="Pemprov DKI", kind="APBD", outlet=world.pos_karawang)
    group = PayerGroup.objects.create(payer=payer, code="PPSU", name="PPSU")
    GroupMembership.objects.create(group=group, participant=street_sweeper, first_month=Month.of(2024, 5))
    bill = bill_issue(payer=payer, month=Month.of(2024, 5), issued_at=jakarta(2024, 5, 20))

    class Books:
        pass

    b = Books()
    b.worker, b.payment, b.saver, b.street_sweeper, b.payer, b.bill = (
        worker,
        payment,
        saver,
        street_sweeper,
        payer,
        bill,
    )
    return b


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_changelist_lists_rows_and_every_change_page_opens(admin_client, books, model):
    response = admin_client.get(changelist(model))
    assert response.status_code == 200
    cl = response.context["cl"]
    assert cl.result_count >= 1
    assert admin_client.get(change(cl.result_list[0])).status_code == 200


def test_editable_models_have_an_add_page(admin_client, world):
    for model in (
        Region,
        Office,
        BranchArea,
        Partner,
        Outlet,
        Agent,
        Occupation,
        RateRule,
        Payer,
        PayerGroup,
        GroupMembership,
    ):
        assert admin_client.get(add(model)).status_code == 200, model.__name__


def test_big_tables_skip_the_full_count(admin_client, books):
    for model in (Region, Participant, Payment, DuplicateAttempt, Deposit, BillLine, CoverageRun):
        assert admin_client.get(changelist(model)).context["cl"].show_full_result_count is False, (
            model.__name__
        )


def test_participant_list_masks_nik_and_phone(admin_client, books):
    worker = books.worker
    html = admin_client.get(changelist(Participant)).content.decode()
    assert worker.nik not in html
    assert mask_nik(worker.nik) in html
    assert "081234567890" not in html
    assert mask_phone("081234567890") in html


def test_duplicate_attempt_list_masks_nik(admin_client, books):
    attempt = DuplicateAttempt.objects.get()
    html = admin_client.get(changelist(DuplicateAttempt)).content.decode()
    assert attempt.nik not in html
    assert mask_nik(attempt.nik) in html
    html = admin_client.get(change(attempt)).content.decode()
    assert attempt.nik not in html


def test_participant_found_by_full_nik_or_number_only(admin_client, books):
    worker = books.worker
    found = admin_client.get(changelist(Participant), {"q": worker.nik}).context["cl"]
    assert [p.pk for p in found.result_list] == [worker.pk]
    spaced = " ".join(worker.nik[i : i + 4] for i in range(0, 16, 4))
    assert [
        p.pk for p in admin_client.get(changelist(Participant), {"q": spaced}).context["cl"].result_list
    ] == [worker.pk]
    by_number = admin_client.get(changelist(Participant), {"q": worker.number}).context["cl"]
    assert [p.pk for p in by_number.result_list] == [worker.pk]
    partial = admin_client.get(changelist(Participant), {"q": worker.nik[:12]}).context["cl"]
    assert partial.result_count == 0
    assert admin_client.get(changelist(Participant), {"q": "Budi"}).context["cl"].result_count == 0


def test_payments_found_by_participant_nik(admin_client, books):
    found = admin_client.get(changelist(Payment), {"q": books.worker.nik}).context["cl"]
    assert [p.pk for p in found.result_list] == [books.payment.pk]
    assert admin_client.get(changelist(Payment), {"q": books.saver.nik}).context["cl"].result_count == 0


def test_participants_are_not_added_or_deleted_in_the_back_office(admin_client, books):
    assert admin_client.get(add(Participant)).status_code == 403
    delete = reverse("admin:members_participant_delete", args=[books.worker.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Participant.objects.filter(pk=books.worker.pk).exists()


@pytest.mark.parametrize("model", [Payment, Deposit, CoverageRun, BillLine, Bill, DuplicateAttempt])
def test_ledger_is_read_only(admin_client, books, model):
    assert admin_client.get(add(model)).status_code == 403
    entry = model.objects.first()
    page = admin_client.get(change(entry))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert b'name="_continue"' not in page.content
    before = model.objects.values().get(pk=entry.pk)
    response = admin_client.post(change(entry), {"amount": "1", "months": "12", "first_month": "2030-01"})
    assert response.status_code == 403
    assert model.objects.values().get(pk=entry.pk) == before
    delete = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=entry.pk).exists()


def test_payment_change_form_refuses_posts(admin_client, books):
    payment = books.payment
    page = admin_client.get(change(payment))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = admin_client.post(
        change(payment), {"amount": "99", "months": "1", "kind": "contribution", "_save": "Save"}
    )
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.amount == 16_800


def participant_post(participant, **changes) -> dict:
    data = {
        "name": participant.name,
        "phone": participant.phone,
        "village": participant.village_id,
        "occupation": participant.occupation_id,
        "permanence": participant.permanence,
        "segment": participant.segment,
        "declared_income": str(participant.declared_income),
        "programmes": participant.programmes,
        "_save": "Save",
    }
    for prefix in ("coverage_runs", "payments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def test_participant_change_writes_only_corrections(admin_client, books):
    worker = books.worker
    page = admin_client.get(change(worker))
    assert page.status_code == 200
    for readonly in (
        "status",
        "paid_through",
        "deposit_balance",
        "outlet",
        "channel",
        "registered_at",
        "nik",
    ):
        assert f'name="{readonly}"'.encode() not in page.content
    # A payment lands between loading the form and saving it: the save must not undo it.
    payment_record(
        history_allowed=True,
        participant=worker,
        months=1,
        amount=16_800,
        source="test",
        idempotency_key="p2",
        paid_at=jakarta(2024, 6, 3),
    )
    standing = Standing.objects.values("status", "paid_through", "deposit_balance").get(pk=worker.pk)
    assert standing["paid_through"] == Month.of(2024, 6)
    response = admin_client.post(
        change(worker),
        participant_post(worker, name="  Budi   Santoso  Jr ", programmes="jkk, jkm, jht", status="new",
                         paid_through="2030-01", deposit_balance="999", nik="3215010000000000"),
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    worker.refresh_from_db()
    assert worker.name == "Budi Santoso Jr"
    assert worker.programmes == "JKK+JKM+JHT"
    assert Standing.objects.values("status", "paid_through", "deposit_balance").get(pk=worker.pk) == standing
    assert worker.nik != "3215010000000000"


def test_participant_change_applies_the_registration_rules(admin_client, books):
    worker = books.worker
    response = admin_client.post(
        change(worker),
        participant_post(worker, declared_income="500000", programmes="JKK", village="32.15.01", phone="12"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"declared_income", "programmes", "village", "phone"}


def test_moving_village_moves_the_serving_branch(admin_client, world, books):
    worker = books.worker
    balikpapan_village = Region.objects.filter(code__startswith="64.71.", level=4).order_by("code").first()
    response = admin_client.post(change(worker), participant_post(worker, village=balikpapan_village.code))
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.office == world.balikpapan


def price_2024_05() -> int:
    return (
        ratebook().price(Month.of(2024, 5), 1, income=1_000_000, programmes=parse_programmes("JKK+JKM")).total
    )


def rate_rule_post(rule, **changes) -> dict:
    data = {
        "valid_from": str(rule.valid_from),
        "valid_to": str(rule.valid_to) if rule.valid_to else "",
        "data": json.dumps(rule.data),
        "uncertain": "on" if rule.uncertain else "",
        "source": rule.source,
        "note": rule.note,
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_moving_the_pp50_window_changes_prices_at_once(admin_client, db):
    assert price_2024_05() == 16_800
    rule = RateRule.objects.get(code="PP50-2025")
    page = admin_client.get(change(rule))
    assert b'value="2025-08"' in page.content
    assert b'value="2026-01"' in page.content
    response = admin_client.post(change(rule), rate_rule_post(rule, valid_from="2024-05"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert rule.valid_from == Month.of(2024, 5)
    assert rule.valid_to == Month.of(2026, 1)
    assert price_2024_05() == 8_400


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_from": "2025-13"}, "valid_from"),
        ({"valid_from": "Agustus 2025"}, "valid_from"),
        ({"valid_to": "2025-07"}, "valid_to"),
        ({"data": json.dumps({"programmes": ["JKK", "JKM"], "factor": 0.5})}, None),
        ({"data": "[1, 2]"}, "data"),
    ],
)
def test_a_rate_rule_that_would_break_the_book_is_refused(admin_client, db, changes, field):
    rule = RateRule.objects.get(code="PP50-2025")
    response = admin_client.post(change(rule), rate_rule_post(rule, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (field or "__all__") in errors
    rule.refresh_from_db()
    assert rule.valid_from == Month.of(2025, 8)
    assert price_2024_05() == 16_800


def test_a_schedule_overlapping_another_is_refused(admin_client, db):
    schedule = RateRule.objects.get(kind="schedule")
    response = admin_client.post(
        add(RateRule),
        rate_rule_post(schedule, kind="schedule", code="BPU-TEST", valid_from="2024-01", valid_to="2024-12"),
    )
    assert response.status_code == 200
    assert "__all__" in response.context["adminform"].form.errors
    assert not RateRule.objects.filter(code="BPU-TEST").exists()


def test_group_membership_months_are_typed_as_text(admin_client, books):
    membership = GroupMembership.objects.get()
    response = admin_client.post(
        change(membership),
        {"group": membership.group_id, "participant": membership.participant_id, "first_month": "2024-05",
         "last_month": "2024-12", "_save": "Save"},
    )  # fmt: skip
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.last_month == Month.of(2024, 12)


def test_an_office_added_in_the_back_office_gets_its_path(admin_client, world):
    response = admin_client.post(
        add(Office),
        {"code": "KC-SMD", "name": "KC Samarinda", "kind": "branch", "parent": world.kalimantan.pk},
    )
    assert response.status_code == 302
    assert Office.objects.get(code="KC-SMD").path == "/KP/KW07/KC-SMD/"
    refused = admin_client.post(
        add(Office), {"code": "KC-X", "name": "KC X", "kind": "branch", "parent": world.head.pk}
    )
    assert refused.status_code == 200
    assert "parent" in refused.context["adminform"].form.errors


def test_an_outlet_added_in_the_back_office_reports_to_the_serving_branch(admin_client, world):
    response = admin_client.post(
        add(Outlet),
        {"code": "POS-BPN-2", "name": "KCP Balikpapan Kota", "partner": world.pos.pk, "region": "64.71.02",
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    outlet = Outlet.objects.get(code="POS-BPN-2")
    assert outlet.office == world.balikpapan


@pytest.mark.parametrize("model", [Participant, Payment, Deposit, CoverageRun])
def test_list_queries_do_not_grow_with_rows(admin_client, books, register, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(changelist(model)).status_code == 200
        return len(captured)

    before = queries()
    for _ in range(3):
        worker = register(registered_at=jakarta(2024, 5, 3), outlet=books.worker.outlet)
        key = str(worker.pk)
        payment_record(
            history_allowed=True,
            participant=worker,
            months=1,
            amount=16_800,
            source="more",
            idempotency_key=key,
            paid_at=jakarta(2024, 5, 3),
        )
        deposit_record(
            history_allowed=True,
            participant=worker,
            amount=5_000,
            source="more",
            idempotency_key=key,
            collected_at=jakarta(2024, 5, 4),
        )
    assert model.objects.count() >= 4
    assert queries() == before


def test_region_autocomplete_searches_by_code_prefix(admin_client, world):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "channels", "model_name": "outlet", "field_name": "region", "term": "64.71.01"},
    )
    assert response.status_code == 200
    codes = [row["id"] for row in response.json()["results"]]
    assert codes and all(code.startswith("64.71.01") for code in codes)


def test_participant_picker_popup_opens(admin_client, books):
    response = admin_client.get(changelist(Participant), {"_popup": "1", "_to_field": "id"})
    assert response.status_code == 200
    assert books.worker.nik not in response.content.decode()
