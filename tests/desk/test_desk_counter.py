"""Serving a worker at any counter: a teller finds a worker registered elsewhere by the exact NIK or
number with the birth date, sees them masked, takes their payment and hands over a receipt; a form
that went stale is refused with the new quote."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import PASSWORD
from tests.desk.test_desk_cashier import form_fields
from tests.desk.test_desk_register import in_english

from jaring.accounts.models import AuditEntry
from jaring.common.clock import month_of
from jaring.common.privacy import mask_nik
from jaring.contributions.models import Deposit, Payment
from jaring.desk.receipt import receipt_of, receipt_pdf_bytes
from jaring.desk.templatetags.desk import initials
from jaring.rules.nik import Sex, make_nik


@pytest.fixture(autouse=True)
def fresh_limits():
    """The lookup limit counts per user in the cache; each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


def lookups(**filters):
    return AuditEntry.objects.filter(
        action="view_personal_data", summary__startswith="counter lookup", **filters
    )


def found_elsewhere(client, worker, page="desk:pay"):
    return client.get(reverse(page), {"q": worker.number, "born": worker.birth_date.isoformat()})


def test_a_worker_registered_elsewhere_is_asked_for_the_birth_date_whether_or_not_registered(
    people, network, as_user
):
    client = as_user(people.teller_balikpapan)
    registered = client.get(reverse("desk:pay"), {"q": network.karawang.nik})
    unknown_nik = make_nik("64.71.01", network.karawang.birth_date, Sex.MALE, 9999)
    unknown = client.get(reverse("desk:pay"), {"q": unknown_nik})
    for page in (registered, unknown):
        assert page.status_code == 200 and page.context["participant"] is None
        assert page.context["found"].ask_birth_date
        assert 'data-testid="find-born"' in page.content.decode()
    # nothing on the page tells a registered NIK from an unknown one
    strip = lambda page, nik: page.content.decode().replace(nik, "").split("csrfmiddlewaretoken")[0]  # noqa: E731
    assert strip(registered, network.karawang.nik) == strip(unknown, unknown_nik)
    assert not lookups().exists()  # asking costs nothing and reads nothing


def test_a_wrong_birth_date_finds_nobody_and_is_audited(people, network, as_user):
    client = as_user(people.teller_balikpapan)
    page = in_english(client).get(reverse("desk:pay"), {"q": network.karawang.number, "born": "1970-01-01"})
    assert page.context["participant"] is None
    assert "No participant has this NIK or participant number with this birth date" in page.content.decode()
    miss = lookups().get()
    assert miss.username == "teller-bpn" and miss.object_id == "" and "no match" in miss.summary


def test_the_birth_date_finds_a_worker_registered_elsewhere_shown_masked(people, network, as_user):
    client = as_user(people.teller_balikpapan)
    worker = network.karawang
    page = found_elsewhere(client, worker)
    html = page.content.decode()
    assert page.context["participant"] == worker and page.context["found"].elsewhere
    assert page.context["owed"] == (month_of(),)
    assert 'data-testid="pay-submit"' in html
    # masked: initials, no NIK, no phone, no link to the participant page (which stays scoped)
    assert f'data-testid="participant-name">{initials(worker.name)}<' in html
    assert worker.name not in html and worker.nik not in html
    assert reverse("desk:participant", args=[worker.number]) not in html
    assert client.get(reverse("desk:participant", args=[worker.number])).status_code == 404
    assert lookups(object_id=str(worker.pk)).count() == 1


def test_a_teller_takes_a_payment_from_a_worker_registered_elsewhere_and_hands_a_receipt(
    people, network, as_user
):
    client = as_user(people.teller_balikpapan)
    worker = network.karawang
    fields = form_fields(found_elsewhere(client, worker).content.decode())
    response = client.post(reverse("desk:pay"), {**fields, "months": "3"})

    payment = Payment.objects.get(participant=worker, idempotency_key=fields["idempotency_key"])
    assert payment.outlet == network.pos_balikpapan and payment.months == 3
    assert response.status_code == 302 and response.url == reverse("desk:receipt", args=[payment.pk])
    receipt = client.get(response.url)
    html = receipt.content.decode()
    assert f'data-testid="receipt-amount" data-amount="{payment.amount}"' in html
    assert f'data-testid="receipt-name">{initials(worker.name)}<' in html
    assert client.get(reverse("desk:receipt_pdf", args=[payment.pk]))["Content-Type"] == "application/pdf"

    # the day's list at the counter: the payment with its receipt, every link it shows answers
    home = client.get(reverse("desk:home")).content.decode()
    assert reverse("desk:receipt", args=[payment.pk]) in home
    assert reverse("desk:participant", args=[worker.number]) not in home
    assert worker.name not in home
    for link in set(re.findall(r'href="(/desk/[^"?]*)"', home)):
        assert client.get(link).status_code == 200, link


def test_a_receipt_is_shown_only_to_whoever_may_see_its_entry(people, network, as_user):
    client = as_user(people.teller_balikpapan)
    fields = form_fields(found_elsewhere(client, network.karawang).content.decode())
    client.post(reverse("desk:pay"), {**fields, "months": "1"})
    payment = Payment.objects.get(idempotency_key=fields["idempotency_key"])

    # the worker's own outlet sees the receipt with the full name; an outlet that neither took it nor
    # serves the worker does not see it at all
    home_outlet = as_user(people.outlet_teller).get(reverse("desk:receipt", args=[payment.pk]))
    assert f'data-testid="receipt-name">{network.karawang.name}<' in home_outlet.content.decode()
    other = people.agent  # an agent of Karawang who neither took the payment nor acquired the worker
    assert as_user(other).get(reverse("desk:receipt", args=[payment.pk])).status_code == 404


def test_a_posted_payment_without_a_lookup_goes_back_to_the_search(people, network, as_user):
    client = as_user(people.teller_balikpapan)
    before = Payment.objects.count()
    post = {"participant": network.karawang.number, "idempotency_key": "x" * 32, "months": "1"}
    response = client.post(reverse("desk:pay"), {**post, "outlet": "POS-BPN"})
    assert response.status_code == 302 and response.url == f"/desk/pay/?q={network.karawang.number}"
    assert Payment.objects.count() == before


def test_a_deposit_from_a_worker_registered_elsewhere_returns_to_their_masked_summary(
    people, network, as_user
):
    client = as_user(people.teller_balikpapan)
    worker = network.karawang
    fields = form_fields(found_elsewhere(client, worker, "desk:deposit").content.decode())
    preview = client.get(reverse("desk:deposit_preview"), {"participant": worker.number, "amount": "20000"})
    assert preview.status_code == 200
    response = client.post(reverse("desk:deposit"), {**fields, "amount": "20.000"})
    assert Deposit.objects.get(participant=worker).amount == 20_000
    again = client.get(response.url)
    assert again.context["participant"] == worker and again.context["found"].elsewhere


def test_lookups_of_workers_registered_elsewhere_are_limited_per_user(people, network, as_user, settings):
    settings.JARING_COUNTER_LOOKUPS_PER_HOUR = 2
    client = as_user(people.teller_balikpapan)
    for born in ("1970-01-01", "1970-01-02"):
        client.get(reverse("desk:pay"), {"q": network.karawang.number, "born": born})
    refused = found_elsewhere(in_english(client), network.karawang)
    assert refused.context["participant"] is None
    assert "Too many lookups" in refused.content.decode()
    assert lookups().count() == 2  # the refused one looked nobody up
    # another teller has a limit of their own
    assert found_elsewhere(as_user(people.outlet_teller), network.balikpapan_worker).status_code == 200


def test_a_stale_payment_form_is_refused_with_the_new_quote(people, network, as_user):
    client = as_user(people.outlet_teller)
    worker = network.karawang
    first_tab = form_fields(client.get(reverse("desk:pay"), {"q": worker.number}).content.decode())
    second_tab = form_fields(client.get(reverse("desk:pay"), {"q": worker.number}).content.decode())
    assert first_tab["quoted"] == second_tab["quoted"] == str(month_of())
    assert client.post(reverse("desk:pay"), {**first_tab, "months": "1"}).status_code == 302

    stale = in_english(client).post(reverse("desk:pay"), {**second_tab, "months": "1"})
    assert stale.status_code == 400
    assert "a payment changed what this worker owes; nothing was recorded" in stale.content.decode()
    assert Payment.objects.filter(participant=worker, first_month=month_of() + 1).count() == 0
    # the page quotes again from the next month, under a new reference, and that form records
    fresh = form_fields(stale.content.decode())
    assert (
        fresh["quoted"] == str(month_of() + 1) and fresh["idempotency_key"] != second_tab["idempotency_key"]
    )
    assert client.post(reverse("desk:pay"), {**fresh, "months": "1"}).status_code == 302
    assert Payment.objects.filter(participant=worker, first_month=month_of() + 1).count() == 1


def test_receipt_and_card_pdfs_embed_their_font(people, network, as_user, rf):
    client = as_user(people.outlet_teller)
    fields = form_fields(client.get(reverse("desk:pay"), {"q": network.karawang.number}).content.decode())
    client.post(reverse("desk:pay"), {**fields, "months": "1"})
    payment = Payment.objects.get(idempotency_key=fields["idempotency_key"])
    request = rf.get("/")
    request.user = people.outlet_teller
    receipt = receipt_of(request, payment.pk)
    body = receipt_pdf_bytes(receipt)
    assert b"/FontFile2" in body  # a TrueType font, embedded
    card = client.get(reverse("desk:card", args=[network.karawang.number])).content
    assert b"/FontFile2" in card and b"Helvetica" not in card


@given(st.lists(st.text(alphabet="abcdefghij XYZ", min_size=1, max_size=8), min_size=1, max_size=4))
def test_initials_show_one_capital_per_word_and_nothing_else(words):
    name = " ".join(words)
    shown = initials(name)
    expected = [word[0].upper() for word in name.split()]
    assert shown.replace(".", "").split() == expected
    assert all(len(part) == 2 for part in shown.split())


def paid_today(client, worker, months="1"):
    fields = form_fields(client.get(reverse("desk:pay"), {"q": worker.number}).content.decode())
    client.post(reverse("desk:pay"), {**fields, "months": months})
    return Payment.objects.get(idempotency_key=fields["idempotency_key"])


def test_a_payment_taken_by_mistake_is_voided_the_same_day_with_a_supervisors_approval(
    people, network, as_user, staff
):
    from jaring.members.models import Standing

    staff("branch_staff", username="spv-krw", office=network.karawang_branch)
    client = as_user(people.outlet_teller)
    payment = paid_today(client, network.karawang)
    assert Standing.objects.get(participant=network.karawang).paid_through == month_of()
    receipt = client.get(reverse("desk:receipt", args=[payment.pk]))
    assert receipt.context["receipt"].voidable and 'data-testid="void-form"' in receipt.content.decode()

    void = reverse("desk:void", args=[payment.pk])
    # a wrong password, or the teller approving their own void, changes nothing
    client.post(void, {"reason": "salah peserta", "supervisor": "spv-krw", "supervisor_password": "nope"})
    client.post(void, {"reason": "salah peserta", "supervisor": "teller-krw", "supervisor_password": "x"})
    assert not Payment.objects.filter(reverses=payment).exists()

    client.post(void, {"reason": "salah peserta", "supervisor": "spv-krw", "supervisor_password": PASSWORD})
    reversal = Payment.objects.get(reverses=payment)
    assert (
        reversal.amount == -payment.amount
        and "spv-krw" in reversal.reason
        and "salah peserta" in reversal.reason
    )
    assert Standing.objects.get(participant=network.karawang).paid_through != month_of()
    again = client.get(reverse("desk:receipt", args=[payment.pk]))
    assert again.context["receipt"].voided_by and not again.context["receipt"].voidable
    assert AuditEntry.objects.filter(
        action="create", summary__contains=f"reversal of ledger entry {payment.pk}"
    ).exists()
    # voided once: a second approval is refused
    assert (
        client.post(
            void, {"reason": "lagi", "supervisor": "spv-krw", "supervisor_password": PASSWORD}
        ).status_code
        == 404
    )


def test_a_supervisor_of_another_branch_does_not_approve_a_void(people, network, as_user, staff):
    staff("branch_staff", username="spv-bpn", office=network.balikpapan)
    client = as_user(people.outlet_teller)
    payment = paid_today(client, network.karawang)
    client.post(
        reverse("desk:void", args=[payment.pk]),
        {"reason": "salah", "supervisor": "spv-bpn", "supervisor_password": PASSWORD},
    )
    assert not Payment.objects.filter(reverses=payment).exists()


def test_a_teller_closes_the_till_against_what_was_recorded_and_a_difference_is_explained(
    people, network, as_user, staff
):
    from jaring.desk.models import TillClosing

    client = as_user(people.outlet_teller)
    kept = paid_today(client, network.karawang, months="3")
    voided = paid_today(client, network.by_agent)
    staff("branch_staff", username="spv-krw", office=network.karawang_branch)
    approval = {"reason": "salah", "supervisor": "spv-krw", "supervisor_password": PASSWORD}
    client.post(reverse("desk:void", args=[voided.pk]), approval)
    page = client.get(reverse("desk:till"))
    figures = page.context["figures"]
    assert (figures.payments, figures.voids) == (2, 1)
    assert figures.expected == kept.amount  # the voided payment is taken back out

    # a count that differs needs a note; nothing is kept without one
    refused = in_english(client).post(reverse("desk:till"), {"counted": f"{kept.amount + 5000}"})
    assert refused.status_code == 400 and "note" in refused.context["errors"]
    assert not TillClosing.objects.exists()
    client.post(
        reverse("desk:till"), {"counted": f"Rp {kept.amount + 5000:,}".replace(",", "."), "note": "kembalian"}
    )
    closing = TillClosing.objects.get()
    assert (closing.counted, closing.recorded, closing.difference) == (kept.amount + 5000, kept.amount, 5000)
    assert closing.outlet == network.pos_karawang and closing.closed_by == people.outlet_teller
    assert AuditEntry.objects.filter(action="create", object_type="desk.tillclosing").exists()
    english = in_english(client).get(reverse("desk:till")).content.decode()
    assert "more than recorded" in english


def test_a_lookup_by_a_nik_typed_with_spaces_is_audited_with_the_nik_masked(people, network, as_user):
    nik = network.karawang.nik
    spaced = " ".join(nik[i : i + 4] for i in range(0, 16, 4))
    as_user(people.teller_balikpapan).get(reverse("desk:pay"), {"q": spaced, "born": "1970-01-01"})
    summary = lookups().get().summary
    assert mask_nik(nik) in summary and nik[6:12] not in summary.replace(" ", "")


def test_the_payment_code_is_on_the_card_the_receipt_the_page_and_the_cli(people, network, as_user):
    import json
    from io import StringIO

    from django.core.management import call_command
    from tests.conftest import pdf_text

    from jaring.members.codes import participant_by_payment_code, participant_payment_code
    from jaring.rules.payment_code import payment_code_shown

    person = network.karawang
    code = participant_payment_code(person)
    assert participant_by_payment_code(code) == person
    assert participant_by_payment_code(code[:-1] + str((int(code[-1]) + 1) % 10)) is None
    shown = payment_code_shown(code)
    client = as_user(people.outlet_teller)
    assert shown in client.get(reverse("desk:participant", args=[person.number])).content.decode()
    assert shown in pdf_text(client.get(reverse("desk:card", args=[person.number])).content)
    fields = form_fields(client.get(reverse("desk:pay"), {"q": person.number}).content.decode())
    client.post(reverse("desk:pay"), {**fields, "months": "1"})
    payment = Payment.objects.get(idempotency_key=fields["idempotency_key"])
    page = client.get(reverse("desk:receipt", args=[payment.pk])).content.decode()
    assert f'data-testid="receipt-payment-code">{shown}<' in page
    assert shown in pdf_text(client.get(reverse("desk:receipt_pdf", args=[payment.pk])).content)
    out = StringIO()
    call_command("participant", "show", person.number, "--json", stdout=out)
    assert json.loads(out.getvalue())["payment_code"] == code


def test_the_payment_code_key_is_kept_and_made_again_only_when_missing(db):
    from jaring.members.codes import payment_code_key
    from jaring.members.models import PaymentCodeKey

    made = payment_code_key()  # made by the migration
    assert len(made) == 32 and payment_code_key() == made
    PaymentCodeKey.objects.all().delete()  # an emptied database, as a test's flush leaves it
    again = payment_code_key()
    assert again != made and payment_code_key() == again and PaymentCodeKey.objects.count() == 1
