"""The review queue of probable duplicates (/duplicates/): who sees which pairs, the pair's page with the
two records side by side, deciding through the page (two people above the rule's threshold, the proposer
refused), and the export, audited as personal data."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from tests.conftest import jakarta

from jaring.accounts.models import AuditEntry
from jaring.contributions.services import payment_record
from jaring.members.models import ProbableDuplicate
from jaring.members.services.duplicates import duplicates_scan
from jaring.rules.nik import Sex, make_nik

pytestmark = pytest.mark.django_db


def registered(register, name, serial, *, district="32.15.01", outlet=None, **fields):
    birth = date(1985, 4, 12)
    return register(
        nik=make_nik(district, birth, Sex("F"), serial), name=name, birth_date=birth, sex="F",
        district=district, outlet=outlet, registered_at=jakarta(2024, 3, serial % 27 + 1), **fields,
    )  # fmt: skip


@pytest.fixture
def pairs(world, register):
    """A pair in Karawang (the same name, birth date and village: two people decide it) whose first
    record paid a month, and a pair in Balikpapan."""
    first = registered(register, "Dewi Lestari", 41, phone="081277770001")
    second = registered(register, "Dewi Lestari", 42)
    payment_record(
        history_allowed=True, participant=first, months=1, amount=16_800, source="test",
        idempotency_key="dup-pay", paid_at=jakarta(2024, 4, 2), outlet=world.pos_karawang,
    )  # fmt: skip
    registered(register, "Rina Marlina", 51, district="64.71.01", outlet=world.pos_balikpapan)
    registered(register, "Rina Marlina", 52, district="64.71.01", outlet=world.pos_balikpapan)
    duplicates_scan()
    karawang = ProbableDuplicate.objects.get(first=first, second=second)
    balikpapan = ProbableDuplicate.objects.exclude(pk=karawang.pk).get()
    return karawang, balikpapan


@pytest.fixture
def users(world, staff):
    class Users:
        krw = staff("branch_staff", office=world.karawang_branch)
        krw_2 = staff("branch_staff", office=world.karawang_branch)
        kalimantan = staff("regional_staff", office=world.kalimantan)
        analyst = staff("head_office_analyst")
        teller = staff("outlet_teller", outlet=world.pos_karawang)
        agent = staff("agent", agent=world.agent)

    return Users


def as_user(client, user):
    client.force_login(user)
    return client


def test_branch_staff_see_the_pairs_of_their_branch_and_not_the_others(client, pairs, users):
    karawang, balikpapan = pairs
    page = as_user(client, users.krw).get(reverse("duplicates:queue"))
    assert page.status_code == 200
    text = page.content.decode()
    assert f'data-testid="pair-{karawang.pk}"' in text
    assert f'data-testid="pair-{balikpapan.pk}"' not in text and "Rina Marlina" not in text
    assert karawang.first.nik not in text  # the queue shows NIKs masked
    assert karawang.first.masked_nik in text
    assert client.get(reverse("duplicates:pair", args=[karawang.pk])).status_code == 200
    assert client.get(reverse("duplicates:pair", args=[balikpapan.pk])).status_code == 404
    assert (
        client.post(reverse("duplicates:pair", args=[balikpapan.pk]), {"choice": "same"}).status_code == 404
    )


def test_regional_staff_see_their_region_and_national_roles_see_every_pair(client, pairs, users):
    karawang, balikpapan = pairs
    as_user(client, users.kalimantan)
    assert client.get(reverse("duplicates:pair", args=[balikpapan.pk])).status_code == 200
    assert client.get(reverse("duplicates:pair", args=[karawang.pk])).status_code == 404
    as_user(client, users.analyst)
    for pair in pairs:
        assert client.get(reverse("duplicates:pair", args=[pair.pk])).status_code == 200


@pytest.mark.parametrize("role", ["teller", "agent"])
def test_tellers_and_agents_have_no_queue(client, pairs, users, role):
    as_user(client, getattr(users, role))
    assert client.get(reverse("duplicates:queue")).status_code == 404
    assert client.get(reverse("duplicates:pair", args=[pairs[0].pk])).status_code == 404
    assert client.post(reverse("duplicates:pair", args=[pairs[0].pk]), {"choice": "same"}).status_code == 404


def test_payers_and_visitors_have_no_queue(client, world, pairs, staff):
    from jaring.contributions.models import Payer

    response = client.get(reverse("duplicates:queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    payer = Payer.objects.create(code="DKI", name="Pemprov DKI", kind="APBD", outlet=world.bank_karawang)
    as_user(client, staff("payer", payer=payer))
    assert client.get(reverse("duplicates:queue")).status_code == 404
    assert client.get(reverse("duplicates:pair", args=[pairs[0].pk])).status_code == 404


def test_the_pair_page_shows_both_records_with_the_reasons_and_is_audited(client, pairs, users):
    karawang, _ = pairs
    as_user(client, users.krw)
    before = AuditEntry.objects.filter(action="view_personal_data").count()
    text = client.get(reverse("duplicates:pair", args=[karawang.pk])).content.decode()
    # branch staff see personal data in full; the first record's payment and coverage are there
    assert karawang.first.nik in text and karawang.second.nik in text and "081277770001" in text
    assert "Rp16.800" in text and "April 2024" in text
    assert "Nama" in text and "nama yang sama" in text.lower()  # the reasons in Indonesian
    assert 'data-testid="pair-choices"' in text
    assert AuditEntry.objects.filter(action="view_personal_data").count() == before + 1
    entry = AuditEntry.objects.filter(action="view_personal_data").latest("pk")
    assert (entry.object_type, entry.object_id) == ("members.probableduplicate", str(karawang.pk))


def test_roles_without_personal_data_rights_see_the_nik_masked_and_cannot_decide(client, pairs, users):
    karawang, _ = pairs
    text = as_user(client, users.analyst).get(reverse("duplicates:pair", args=[karawang.pk])).content.decode()
    assert karawang.first.nik not in text and karawang.first.masked_nik in text
    assert "081277770001" not in text
    assert 'data-testid="pair-choices"' not in text
    assert client.post(reverse("duplicates:pair", args=[karawang.pk]), {"choice": "same"}).status_code == 404


def test_two_people_decide_a_pair_above_the_threshold_and_the_proposer_is_refused(client, pairs, users):
    karawang, _ = pairs
    url = reverse("duplicates:pair", args=[karawang.pk])
    as_user(client, users.krw)
    response = client.post(url, {"choice": "same"}, follow=True)
    assert "menunggu orang kedua" in response.content.decode()
    karawang.refresh_from_db()
    assert (karawang.state, karawang.proposed, karawang.proposed_by) == ("open", "same", users.krw)
    text = client.get(reverse("duplicates:queue") + "?tab=waiting").content.decode()
    assert f'data-testid="pair-{karawang.pk}"' in text

    # the proposer cannot confirm their own proposal: said in Indonesian, nothing changes
    response = client.post(url, {"choice": "same"}, follow=True)
    assert "Anda mengusulkan pilihan yang menunggu" in response.content.decode()
    karawang.refresh_from_db()
    assert karawang.state == "open"
    proposal = client.get(url).content.decode()
    assert 'data-testid="proposal"' in proposal and users.krw.username in proposal

    as_user(client, users.krw_2)
    response = client.post(url, {"choice": "same"}, follow=True)
    assert "sudah diputuskan" in response.content.decode().lower()
    karawang.refresh_from_db()
    assert (karawang.state, karawang.decided_by) == ("same", users.krw_2)
    text = client.get(reverse("duplicates:queue") + "?tab=decided").content.decode()
    assert f'data-testid="pair-{karawang.pk}"' in text
    # a decided pair is refused again
    response = client.post(url, {"choice": "different"}, follow=True)
    assert 'data-testid="pair-choices"' not in response.content.decode()
    karawang.refresh_from_db()
    assert karawang.state == "same"


def test_one_person_decides_a_pair_below_the_two_people_threshold(client, pairs, users):
    karawang, _ = pairs
    ProbableDuplicate.objects.filter(pk=karawang.pk).update(score=0.95)
    as_user(client, users.krw)
    client.post(reverse("duplicates:pair", args=[karawang.pk]), {"choice": "different"})
    karawang.refresh_from_db()
    assert (karawang.state, karawang.decided_by) == ("different", users.krw)


def test_the_queue_lists_open_pairs_by_score_and_exports_them_audited(client, pairs, users):
    karawang, balikpapan = pairs
    ProbableDuplicate.objects.filter(pk=balikpapan.pk).update(score=0.93)
    as_user(client, users.analyst)
    text = client.get(reverse("duplicates:queue")).content.decode()
    assert text.index(f"pair-{karawang.pk}") < text.index(f"pair-{balikpapan.pk}")
    before = AuditEntry.objects.filter(action="export").count()
    response = client.get(reverse("duplicates:queue") + "?format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [str(karawang.pk), str(balikpapan.pk)]
    assert karawang.first.nik not in response.content.decode() and karawang.first.masked_nik in rows[1]
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    xlsx = client.get(reverse("duplicates:queue") + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_the_menu_offers_the_queue_to_staff_only(client, pairs, users):
    text = as_user(client, users.krw).get(reverse("web:home")).content.decode()
    assert reverse("duplicates:queue") in text
    text = as_user(client, users.teller).get(reverse("web:home")).content.decode()
    assert reverse("duplicates:queue") not in text
