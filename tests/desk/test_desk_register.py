"""Registering a worker at the desk: the form, the NIK preview, the address selects and the price."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from tests.desk.conftest import worker

from jaring.accounts.models import AuditEntry
from jaring.common.clock import month_of
from jaring.contributions.queries import ratebook
from jaring.members.models import DuplicateAttempt, Participant
from jaring.rules.nik import Sex, make_nik
from jaring.rules.programmes import parse_programmes


def test_a_teller_registers_a_worker_and_lands_on_the_participant_page(people, network, as_user):
    client = as_user(people.outlet_teller)
    data = worker(network.pos_karawang)
    response = client.post(reverse("desk:register"), data)
    participant = Participant.objects.get(nik=data["nik"])
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:participant", args=[participant.number])
    assert participant.outlet == network.pos_karawang
    assert participant.agent is None
    assert participant.declared_income == 1_000_000
    assert participant.phone == "081234567890"
    entry = AuditEntry.objects.get(action="create", object_type="members.participant")
    assert entry.object_id == str(participant.pk)
    assert entry.username == "teller-krw"
    assert data["nik"] not in str(entry.after)  # the trail holds a masked NIK
    page = client.get(response["Location"])
    assert participant.number in page.content.decode()  # the success message and the page


def test_an_agents_registration_is_credited_to_the_agent_at_the_agents_outlet(people, network, as_user):
    client = as_user(people.agent)
    data = worker(network.pos_karawang)
    assert client.post(reverse("desk:register"), data).status_code == 302
    participant = Participant.objects.get(nik=data["nik"])
    assert participant.agent == network.agent
    assert participant.outlet == network.pos_karawang


def test_nobody_registers_at_an_outlet_outside_their_scope(people, network, as_user):
    for user in (people.outlet_teller, people.agent, people.branch_staff):
        data = worker(network.pos_balikpapan)
        response = as_user(user).post(reverse("desk:register"), data)
        assert response.status_code == 400
        assert "outlet" in response.context["form"].errors
        assert not Participant.objects.filter(nik=data["nik"]).exists()


def test_branch_staff_register_at_a_chosen_outlet_of_the_branch(people, network, as_user):
    data = worker(network.bank_karawang)
    assert as_user(people.branch_staff).post(reverse("desk:register"), data).status_code == 302
    assert Participant.objects.get(nik=data["nik"]).outlet == network.bank_karawang


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nik": "32150112019"}, "nik"),
        ({"nik": "3215011301900000"}, "nik"),  # serial 0000
        ({"name": "  "}, "name"),
        ({"birth_date": ""}, "birth_date"),
        ({"birth_date": "1990-01-03"}, "birth_date"),  # not the birth date in the NIK
        ({"sex": "F"}, "sex"),  # the NIK is a man's
        ({"village_code": "99.99.99.9999"}, "village_code"),
        ({"occupation": ""}, "occupation"),
        ({"declared_income": "500.000"}, "declared_income"),
        ({"declared_income": "lots"}, "declared_income"),
        ({"programmes": "JKK+JKM+JP"}, "programmes"),
        ({"phone": "12"}, "phone"),
        ({"name": "12345"}, "name"),  # a name contains letters
        ({"birth": date(2015, 3, 4)}, "birth_date"),  # 11 years old
        ({"birth": date(1930, 3, 4)}, "birth_date"),  # 96 years old
    ],
)
def test_bad_input_shows_a_per_field_error_and_saves_nothing(change, field, people, network, as_user):
    client = as_user(people.outlet_teller)
    data = worker(network.pos_karawang, **change)
    before = Participant.objects.count()
    response = client.post(reverse("desk:register"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert Participant.objects.count() == before
    assert not AuditEntry.objects.filter(action="create", object_type="members.participant").exists()
    assert f'data-testid="error-{field}"'.encode() in response.content


def test_a_missing_sex_is_asked_for_by_the_buttons_names_not_by_codes(people, network, as_user):
    response = in_english(as_user(people.outlet_teller)).post(
        reverse("desk:register"), worker(network.pos_karawang, sex="")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["sex"] == ["Choose male or female."]


def test_every_bad_field_is_named_at_once(people, network, as_user):
    data = worker(network.pos_karawang, name="", occupation="", declared_income="10")
    response = as_user(people.outlet_teller).post(reverse("desk:register"), data)
    assert {"name", "occupation", "declared_income"} <= set(response.context["form"].errors)


def test_the_form_keeps_what_was_typed_after_an_error(people, network, as_user):
    data = worker(network.pos_karawang, name="")
    response = as_user(people.outlet_teller).post(reverse("desk:register"), data)
    area = response.context["area"]
    assert (area.district, area.village) == ("32.15.01", data["village_code"])
    assert response.context["preview"]["result"].nik == data["nik"]
    assert data["nik"] in response.content.decode()


def test_errors_come_in_the_page_language(people, network, as_user):
    client = as_user(people.outlet_teller)
    data = worker(network.pos_karawang, declared_income="500.000")
    english = in_english(client).post(reverse("desk:register"), data)
    assert "below the minimum" in english.context["form"].errors["declared_income"][0]


def test_a_duplicate_nik_says_who_registered_it_and_when_and_is_reported(people, network, as_user):
    first = network.karawang  # registered at Pos Karawang on 3 May 2024
    data = worker(network.bank_karawang, nik=first.nik, birth_date=first.birth_date.isoformat())
    response = in_english(as_user(people.branch_staff)).post(reverse("desk:register"), data)
    assert response.status_code == 400
    message = response.context["form"].errors["nik"][0]
    assert first.number in message
    assert "KCU Karawang (POS-KRW)" in message
    assert "3 May 2024" in message
    # the claim by another outlet is kept for the reports, although the form was refused
    attempt = DuplicateAttempt.objects.get(nik=first.nik)
    assert attempt.outlet == network.bank_karawang
    assert Participant.objects.filter(nik=first.nik).count() == 1
    # said once, by the field; the preview beside it keeps only the button to open the participant
    assert response.content.decode().count(first.number + ",") <= 1
    assert response.content.decode().count("KCU Karawang (POS-KRW)") == 1


def test_an_age_outside_the_policy_is_refused_in_words(people, network, as_user):
    young = worker(network.pos_karawang, birth=date(2015, 3, 4))
    response = in_english(as_user(people.outlet_teller)).post(reverse("desk:register"), young)
    assert response.context["form"].errors["birth_date"] == [
        "A worker registers from the age of 15; this one is 11."
    ]


def test_a_nik_typed_with_spaces_or_dots_registers_as_its_digits(people, network, as_user):
    data = worker(network.pos_karawang)
    digits = data["nik"]
    data["nik"] = f"{digits[:4]} {digits[4:8]}.{digits[8:12]}-{digits[12:]}"
    response = as_user(people.outlet_teller).post(reverse("desk:register"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Participant.objects.filter(nik=digits).exists()


def preview(client, nik, *, english=False):
    return (in_english(client) if english else client).get(reverse("desk:nik"), {"nik": nik})


def in_english(client):
    """The client of a user who pressed the language button (pages ignore the browser's language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_nik_preview_reads_birth_date_sex_and_district(people, network, as_user):
    client = as_user(people.outlet_teller)
    nik = make_nik("64.71.01", date(1992, 8, 17), Sex.FEMALE, 21)
    response = preview(client, nik, english=True)
    html = response.content.decode()
    assert 'data-testid="nik-preview"' in html
    assert 'data-testid="nik-birth-date" data-value="1992-08-17"' in html
    assert "17 August 1992" in html
    assert 'data-testid="nik-sex" data-value="F"' in html
    district = response.context["preview"]["district"]
    assert district.code == "64.71.01"
    assert district.name in html
    assert district.parent.name in html  # the city
    assert 'data-testid="nik-duplicate"' not in html
    assert 'data-testid="use-nik-district"' in html


def test_the_nik_preview_explains_what_is_wrong(people, network, as_user):
    client = as_user(people.outlet_teller)
    short = preview(client, "3215011", english=True).content.decode()
    assert "exactly 16 digits" in short
    bad_date = preview(client, "3215013213900001", english=True).content.decode()
    assert 'data-testid="nik-errors"' in bad_date
    assert "not a real date" in bad_date
    assert preview(client, "").content.strip().endswith(b"</div>")  # empty: nothing to say


def test_the_nik_preview_shows_a_duplicate_with_outlet_and_date(people, network, as_user):
    client = as_user(people.outlet_teller)
    served = network.karawang
    html = preview(client, served.nik, english=True).content.decode()
    duplicate = re.search(r'data-testid="nik-duplicate">([^<]+)<', html)[1]
    assert "KCU Karawang (POS-KRW)" in duplicate
    assert "3 May 2024" in duplicate
    assert served.number in duplicate
    assert reverse("desk:participant", args=[served.number]) in html


def test_the_nik_preview_names_no_number_the_user_may_not_see(people, network, as_user):
    client = as_user(people.outlet_teller)
    elsewhere = network.balikpapan_worker  # registered at Pos Balikpapan, outside a Karawang teller's scope
    html = preview(client, elsewhere.nik, english=True).content.decode()
    duplicate = re.search(r'data-testid="nik-duplicate">([^<]+)<', html)[1]
    assert "KCU Balikpapan (POS-BPN)" in duplicate
    assert "3 May 2024" in duplicate
    assert elsewhere.number not in html


@pytest.mark.parametrize(("programmes", "income"), [("JKK+JKM", 1_000_000), ("JKK+JKM+JHT", 3_500_000)])
def test_the_price_fragment_is_the_rate_book_price(programmes, income, people, network, as_user):
    client = as_user(people.agent)
    response = client.get(
        reverse("desk:price"), {"declared_income": f"{income:,}".replace(",", "."), "programmes": programmes}
    )
    html = response.content.decode()
    book, month = ratebook(), month_of()
    for count in book.policy_for(month).payment_month_counts:
        expected = book.price(month, count, income=income, programmes=parse_programmes(programmes)).total
        assert f'data-testid="price-{count}" data-amount="{expected}"' in html


def test_the_price_fragment_explains_an_income_out_of_range(people, network, as_user):
    response = in_english(as_user(people.agent)).get(
        reverse("desk:price"), {"declared_income": "999999", "programmes": "JKK+JKM"}
    )
    assert response.context["pricing"]["prices"] == []
    assert "below the minimum" in response.content.decode()


def test_the_address_selects_follow_each_other(people, network, as_user):
    client = as_user(people.outlet_teller)
    # from a district alone (the NIK's) the selects fill in upwards and list its villages
    area = client.get(reverse("desk:area"), {"district": "64.71.01"}).context["area"]
    assert (area.province, area.regency, area.district) == ("64", "64.71", "64.71.01")
    assert area.villages and all(code.startswith("64.71.01.") for code, _name in area.villages)
    # changing the province drops the regency, district and village chosen under the old one
    moved = client.get(
        reverse("desk:area"),
        {"province": "32", "regency": "64.71", "district": "64.71.01", "village_code": area.villages[0][0]},
    ).context["area"]
    assert (moved.province, moved.regency, moved.district, moved.village) == ("32", "", "", "")
    assert moved.regencies and moved.districts == [] and moved.villages == []


def test_the_form_starts_at_the_outlets_area(people, network, as_user):
    page = as_user(people.outlet_teller).get(reverse("desk:register"))
    area = page.context["area"]
    assert (area.province, area.regency, area.district) == ("32", "32.15", "32.15.01")
    html = page.content.decode()
    for testid in ("register-submit", 'data-testid="nik"', "declared_income", "village_code"):
        assert testid in html
