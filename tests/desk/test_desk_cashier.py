"""Taking payments and deposits at the desk: priced by the system, recorded once however often sent."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse

from jaring.accounts.models import AuditEntry
from jaring.common.clock import month_of
from jaring.contributions.models import Deposit, Payment
from jaring.contributions.services import payment_quote
from jaring.web.templatetags.jaring import bulan


def form_fields(html: str) -> dict:
    """The hidden fields of the form on the page (participant, idempotency key) and the outlet chosen."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    if "outlet" not in fields:
        select = re.search(r'<select name="outlet".*?</select>', html, re.S)[0]
        fields["outlet"] = re.search(r'<option value="([^"]+)" selected>', select)[1]
    return fields


def test_the_pay_page_shows_status_what_is_owed_and_the_price_of_each_choice(people, network, as_user):
    client = as_user(people.outlet_teller)
    participant = network.karawang
    page = client.get(reverse("desk:pay"), {"q": participant.nik})
    assert page.context["participant"] == participant
    # paid for May and June 2024 only: lapsed long ago, so a payment restarts this month
    assert page.context["status"].standing == "lapsed"
    assert page.context["owed"] == (month_of(),)
    html = page.content.decode()
    for count, price in page.context["options"]:
        _months, quote = payment_quote(participant, months=count)
        assert price.total == quote.total
        assert f'data-testid="amount-{count}" data-amount="{quote.total}"' in html
    assert 'data-testid="pay-submit"' in html


def test_a_double_submitted_payment_counts_once(people, network, as_user):
    client = as_user(people.outlet_teller)
    participant = network.karawang
    page = client.get(reverse("desk:pay"), {"q": participant.number})
    fields = form_fields(page.content.decode())
    assert fields["participant"] == participant.number and len(fields["idempotency_key"]) == 32
    before = Payment.objects.filter(participant=participant).count()

    first = client.post(reverse("desk:pay"), {**fields, "months": "3"})
    again = client.post(reverse("desk:pay"), {**fields, "months": "3"})  # a double click, a refresh

    assert first.status_code == again.status_code == 302
    payments = Payment.objects.filter(participant=participant)
    assert payments.count() == before + 1
    payment = payments.get(idempotency_key=fields["idempotency_key"])
    assert payment.months == 3 and payment.outlet == network.pos_karawang and payment.agent is None
    assert payment.first_month == month_of()
    assert AuditEntry.objects.filter(action="create", object_type="contributions.payment").count() == 1
    participant.refresh_from_db()
    assert participant.standing.status == "active"


def test_a_new_form_is_a_new_payment(people, network, as_user):
    client = as_user(people.outlet_teller)
    participant = network.karawang
    for _ in range(2):
        fields = form_fields(client.get(reverse("desk:pay"), {"q": participant.number}).content.decode())
        assert client.post(reverse("desk:pay"), {**fields, "months": "1"}).status_code == 302
    months = sorted(
        p.first_month for p in Payment.objects.filter(participant=participant, outlet__isnull=False)
    )
    assert months[-2:] == [month_of(), month_of() + 1]


def test_an_agents_payment_is_credited_to_the_agent(people, network, as_user):
    client = as_user(people.agent)
    participant = network.by_agent
    fields = form_fields(client.get(reverse("desk:pay"), {"q": participant.number}).content.decode())
    assert client.post(reverse("desk:pay"), {**fields, "months": "1"}).status_code == 302
    payment = Payment.objects.get(idempotency_key=fields["idempotency_key"])
    assert payment.agent == network.agent
    assert payment.outlet == network.pos_karawang


def test_a_month_count_outside_the_policy_is_refused_and_nothing_recorded(people, network, as_user):
    client = as_user(people.outlet_teller)
    fields = form_fields(client.get(reverse("desk:pay"), {"q": network.karawang.number}).content.decode())
    before = Payment.objects.count()
    response = client.post(reverse("desk:pay"), {**fields, "months": "2"})
    assert response.status_code == 400
    assert "months" in response.context["form"].errors
    assert Payment.objects.count() == before


def test_the_deposit_preview_shows_the_whole_months_an_amount_buys(people, network, as_user):
    client = as_user(people.outlet_teller)
    participant = network.karawang
    page = client.get(reverse("desk:deposit"), {"q": participant.number})
    month_price = page.context["month_price"].total
    preview = client.get(
        reverse("desk:deposit_preview"),
        {"participant": participant.number, "amount": f"{2 * month_price + 500}"},
    )
    assert preview.context["preview"].balance_after == 500
    assert 'data-testid="deposit-buys" data-months="2"' in preview.content.decode()
    small = client.get(
        reverse("desk:deposit_preview"), {"participant": participant.number, "amount": "5.000"}
    )
    assert 'data-months="0"' in small.content.decode()


def test_a_deposit_buys_months_once_however_often_sent(people, network, as_user):
    client = as_user(people.agent)
    participant = network.by_agent
    page = client.get(reverse("desk:deposit"), {"q": participant.number})
    month_price = page.context["month_price"].total
    fields = form_fields(page.content.decode())
    for _ in range(2):
        response = client.post(reverse("desk:deposit"), {**fields, "amount": f"Rp {month_price + 1000:,}"})
        assert response.status_code == 302
    deposit = Deposit.objects.get(participant=participant)
    assert deposit.amount == month_price + 1000
    assert deposit.agent == network.agent and deposit.outlet == network.pos_karawang
    bought = Payment.objects.filter(source=f"deposit:{deposit.pk}")
    assert bought.count() == 1
    participant.refresh_from_db()
    assert participant.standing.deposit_balance == 1000
    assert AuditEntry.objects.filter(action="create", object_type="contributions.deposit").count() == 1


def test_a_deposit_that_is_not_an_amount_is_refused(people, network, as_user):
    client = as_user(people.outlet_teller)
    fields = form_fields(client.get(reverse("desk:deposit"), {"q": network.karawang.number}).content.decode())
    response = client.post(reverse("desk:deposit"), {**fields, "amount": "seribu"})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert not Deposit.objects.exists()


def test_the_payment_message_names_a_single_month_once(people, network, as_user):
    client = as_user(people.outlet_teller)
    participant = network.karawang
    said = []
    for months in ("1", "3"):
        fields = form_fields(client.get(reverse("desk:pay"), {"q": participant.number}).content.decode())
        response = client.post(reverse("desk:pay"), {**fields, "months": months})
        said += [str(message) for message in get_messages(response.wsgi_request)]
    one, three = said
    first = month_of()
    assert one.endswith(f" untuk {bulan(first)}.") and "s.d." not in one
    assert three.endswith(f" untuk {bulan(first + 1)} s.d. {bulan(first + 3)}.")
