"""What a browser shows of jaring before the page itself: the tab's title and the icon."""

import re

from django.urls import reverse


def test_the_sign_in_page_names_jaring_once(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r"<title>(.*?)</title>", html)[1] == "Masuk · jaring"


def test_the_icon_is_served_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".svg")
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'<link rel="icon" href="{response["Location"]}"' in html
