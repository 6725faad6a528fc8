"""Lists always mask: no list page or export shows a full NIK or phone number, to any role.

The walk of tests/test_every_url.py (its ``town`` world, its routes and its registry of objects in scope),
this time looking for the participants *inside* the user's scope: every page without arguments, every
page of an object in scope, every CSV/XLSX export those pages link to and every search form on them
(filled with the name of a participant the user may see) is read as HTML, CSV, XLSX cells or PDF text,
and none may hold a full NIK or a full phone number of any participant.

Where a full NIK and phone may appear (docs/security.md, "Personal data on screen and in files"):

- ``desk:participant``, the participant's own page at the desk, and ``desk:card``, the participant's
  card: to roles with personal-data rights (``Scope.sees_personal_data``), who may open them only for
  participants in their scope; opening the page is audited as ``view_personal_data``. To every other
  role they mask as a list does.
- ``/audit/reveal``, an auditor's reveal for a stated reason: a POST, audited as ``reveal``, not walked.
- The Django admin's change page of one participant (not walked: admins only, audited).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse
from tests.test_every_url import (  # noqa: F401 (town is a fixture used by name)
    REGISTRY,
    WALKERS,
    body_text,
    page_parts,
    town,
    walked_routes,
)

from jaring.accounts.models import AuditEntry
from jaring.accounts.scope import scope_for
from jaring.members.models import Participant

pytestmark = pytest.mark.django_db

# the pages of one participant that may show the full NIK and phone to roles with personal-data rights
# pages of one record (or one pair of records, compared digit by digit) for roles that see personal data;
# every view of them is audited
FULL_VALUES_ALLOWED = frozenset({"desk:participant", "desk:card", "duplicates:pair"})
# files of nobody's data: the import templates' example row may match a test participant by chance
NOBODYS_DATA = frozenset({"imports:template"})


def full_values() -> dict[str, str]:
    """``{digits: what}`` for the NIK and phone number of every participant."""
    found = {}
    for pk, nik, phone in Participant.objects.values_list("pk", "nik", "phone"):
        found[nik] = f"full NIK of participant {pk}"
        if phone:
            found[re.sub(r"\D", "", phone)] = f"full phone of participant {pk}"
    return found


def shown_in_full(text: str, values: dict[str, str]) -> list[str]:
    """The full values found in ``text``, also written with spaces, dots or dashes between digits."""
    squeezed = re.sub(r"(?<=\d)[\s.\-](?=\d)", "", text)
    return sorted(what for value, what in values.items() if value in text or value in squeezed)


class MaskWalk:
    def __init__(self, client, user):
        self.client, self.user = client, user
        self.scope = scope_for(user) if user.is_authenticated else None
        self.values = full_values()
        self.problems: list[str] = []
        self.read: set[str] = set()

    def read_url(self, url: str, *, may_show_full: bool = False):
        if url in self.read:
            return None
        self.read.add(url)
        response = self.client.get(url)
        if response.status_code != 200:
            return None
        text = body_text(response)
        found = shown_in_full(text, self.values)
        if found and not may_show_full:
            self.problems.append(f"{url} shows {', '.join(found)}")
        return text if "html" in response.get("Content-Type", "") else None

    def page(self, url: str, *, may_show_full: bool = False):
        html = self.read_url(url, may_show_full=may_show_full)
        if html is None:
            return
        parts = page_parts(html)
        for link in dict.fromkeys(parts.links):
            if re.search(r"[?&]format=(csv|xlsx)\b", link) and not urlsplit(link).netloc:
                self.read_url(link if link.startswith("/") else urlsplit(url).path + link)  # exports mask
        insider = self.scope.participants().order_by("pk").first() if self.scope else None
        if insider is None:
            return
        for form in parts.forms:
            if form["method"] != "get":
                continue
            action = form["action"] or urlsplit(url).path
            for field in form["inputs"]:
                # a search lists what it finds: masked, even when the user typed the full NIK
                self.read_url(f"{action}?{urlencode({field: insider.name})}")


@pytest.mark.parametrize("username", WALKERS)
def test_no_list_or_export_shows_a_full_nik_or_phone_to(username, request, client):
    world = request.getfixturevalue("town")  # the world of tests/test_every_url.py
    user = world.people[username]
    if user.is_authenticated:
        client.force_login(user)
    walk = MaskWalk(client, user)
    sees_personal_data = walk.scope is not None and walk.scope.sees_personal_data
    for route in walked_routes():
        if not route.arguments and route.name:
            walk.page(reverse(route.name))
        elif route.name in REGISTRY and route.name not in NOBODYS_DATA:
            inside, _outside = REGISTRY[route.name](world, user)
            if inside is not None:
                allowed = route.name in FULL_VALUES_ALLOWED and sees_personal_data
                walk.page(reverse(route.name, kwargs=inside), may_show_full=allowed)
    assert not walk.problems, (
        f"{len(walk.problems)} lists or files show in full as {username}:\n" + "\n".join(walk.problems)
    )


def test_the_participant_page_shows_the_full_nik_to_the_teller_and_audits_it(request, client):
    """The one place a list's masked NIK leads to: shown in full to a role that needs it, and audited."""
    world = request.getfixturevalue("town")
    teller = world.people["demo.teller-krw"]
    client.force_login(teller)
    participant = world.marked_karawang
    page = client.get(reverse("desk:participant", args=[participant.number])).content.decode()
    assert participant.nik in page and participant.phone in page
    assert AuditEntry.objects.filter(
        action="view_personal_data", username=teller.username, object_id=str(participant.pk)
    ).exists()
    listed = client.get(reverse("desk:home"), {"q": participant.name}).content.decode()
    assert participant.number in listed and participant.nik not in listed and participant.phone not in listed


def test_the_walk_reads_the_lists_it_must_check(request, client):
    """A walk that missed the lists of the hardening issue would pass: they must be among the read."""
    world = request.getfixturevalue("town")
    expected = {
        "demo.agent-krw": {"/agents/AG-1/participants/", "/agents/AG-1/participants/?format=xlsx"},
        "demo.payer-dki": {
            "/payers/DKI/",
            "/payers/DKI/?table=members&format=csv",
            "/payers/DKI/bills/2024-05/",
            "/payers/DKI/bills/2024-05/?format=xlsx",
        },
    }
    for username, urls in expected.items():
        user = world.people[username]
        client.force_login(user)
        walk = MaskWalk(client, user)
        for route in walked_routes():
            if route.name in ("perisai:participants", "web:payer", "web:bill"):
                inside, _outside = REGISTRY[route.name](world, user)
                if inside is not None:
                    walk.page(reverse(route.name, kwargs=inside))
        assert urls <= walk.read, f"{username} read {sorted(walk.read)}"
    nik = world.marked_karawang.nik
    assert shown_in_full(f"<td>{nik[:6]}.{nik[6:12]}.{nik[12:]}</td>", full_values())
    assert not shown_in_full(f"<td>{world.marked_karawang.masked_nik}</td>", full_values())
