"""Who may use the desk: every page for each acting role, a 404 for everyone else and outside the scope."""

import pytest
from django.urls import reverse
from tests.desk.conftest import ACTING, NOT_ACTING

from jaring.accounts.models import AuditEntry
from jaring.common.privacy import mask_nik


def desk_pages(number: str) -> list[str]:
    return [
        reverse("desk:home"),
        reverse("desk:register"),
        reverse("desk:pay"),
        reverse("desk:pay") + f"?q={number}",
        reverse("desk:deposit") + f"?q={number}",
        reverse("desk:participant", args=[number]),
        reverse("desk:card", args=[number]),
        reverse("desk:nik") + "?nik=3215011201900001",
        reverse("desk:price") + "?declared_income=1000000&programmes=JKK%2BJKM",
        reverse("desk:area") + "?district=32.15.01",
    ]


@pytest.mark.parametrize("role", ACTING)
def test_every_desk_page_opens_for_each_acting_role(role, people, network, as_user):
    # the worker the agent signed up at Pos Karawang is in the scope of all four acting users
    client = as_user(getattr(people, role))
    for url in desk_pages(network.by_agent.number):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", NOT_ACTING)
def test_roles_that_do_not_act_get_404_on_every_desk_page(role, people, network, as_user):
    client = as_user(getattr(people, role))
    for url in desk_pages(network.by_agent.number):
        assert client.get(url).status_code == 404, url


def test_a_visitor_is_sent_to_sign_in(client, network):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("user", ["teller_balikpapan", "branch_balikpapan"])
def test_a_participant_of_another_outlet_or_branch_does_not_exist(user, people, network, as_user):
    client = as_user(getattr(people, user))
    number = network.karawang.number
    assert client.get(reverse("desk:participant", args=[number])).status_code == 404
    assert client.get(reverse("desk:card", args=[number])).status_code == 404
    page = client.get(reverse("desk:pay"), {"q": number})
    assert page.context["participant"] is None
    # not found among the workers the user serves: the page asks for the birth date (desk.counter)
    assert page.context["found"].ask_birth_date


def test_an_agent_sees_only_the_workers_the_agent_signed_up(people, network, as_user):
    client = as_user(people.agent)
    assert client.get(reverse("desk:participant", args=[network.by_agent.number])).status_code == 200
    assert client.get(reverse("desk:participant", args=[network.karawang.number])).status_code == 404


def test_a_mistyped_participant_number_is_a_404(people, network, as_user):
    client = as_user(people.admin)
    number = network.karawang.number
    wrong_check_digit = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert client.get(reverse("desk:participant", args=[wrong_check_digit])).status_code == 404


def test_search_finds_within_the_scope_only_and_masks_the_list(people, network, as_user):
    nik = network.karawang.nik
    teller = as_user(people.outlet_teller)
    found = teller.get(reverse("desk:home"), {"q": network.karawang.number})
    assert [p.pk for p, _nik, _phone in found.context["results"]] == [network.karawang.pk]
    # a list masks even for a teller (docs/security.md); the participant page shows the NIK, audited
    assert nik not in found.content.decode() and mask_nik(nik) in found.content.decode()
    assert not AuditEntry.objects.filter(action="view_personal_data", username="teller-krw").exists()

    elsewhere = as_user(people.teller_balikpapan).get(reverse("desk:home"), {"q": nik})
    assert elsewhere.context["results"] == []
    assert b'data-testid="no-results"' in elsewhere.content


def test_search_by_number_and_by_name(people, network, as_user):
    client = as_user(people.branch_staff)
    by_number = client.get(reverse("desk:home"), {"q": network.cikampek.number})
    assert [p.pk for p, *_ in by_number.context["results"]] == [network.cikampek.pk]
    by_name = client.get(reverse("desk:home"), {"q": "budi sant"})
    found = {p.pk for p, *_ in by_name.context["results"]}
    # everyone in the network is called Budi Santoso; the branch sees the Karawang side and its migrant
    assert network.karawang.pk in found and network.migrant.pk in found
    assert network.balikpapan_worker.pk not in found


def test_a_teller_with_child_outlets_chooses_where_to_act(people, network, as_user):
    client = as_user(people.outlet_teller)
    home = client.get(reverse("desk:home"))
    assert home.context["outlet"] == network.pos_karawang
    assert {o.code for o in home.context["outlets"]} == {"POS-KRW", "POS-CKP"}
    chosen = client.get(reverse("desk:home"), {"outlet": "POS-CKP"})
    assert chosen.context["outlet"] == network.pos_cikampek
    # an outlet outside the family cannot be chosen
    refused = client.get(reverse("desk:home"), {"outlet": "POS-BPN"})
    assert refused.context["outlet"] == network.pos_cikampek


def test_an_agent_always_works_at_the_agents_outlet(people, network, as_user):
    home = as_user(people.agent).get(reverse("desk:home"), {"outlet": "POS-BPN"})
    assert home.context["outlet"] == network.pos_karawang
    assert home.context["outlets"] is None
