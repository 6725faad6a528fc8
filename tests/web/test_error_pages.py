"""Error pages speak Indonesian, fit a phone and lead back home; the 500 page needs nothing to render."""

from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse


def test_a_page_outside_the_scope_is_a_404_page_in_indonesian(client, network, staff):
    client.force_login(staff("branch_staff", office=network.balikpapan))
    response = client.get(reverse("desk:participant", args=[network.karawang.number]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in page and 'name="viewport"' in page
    assert reverse("web:home") in page and network.karawang.name not in page


def test_the_404_page_follows_the_chosen_language(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page


def test_the_500_page_renders_without_a_request():
    page = get_template("500.html").render()
    assert "Terjadi gangguan" in page and 'name="viewport"' in page
