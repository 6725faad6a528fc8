"""The auditor page: search, pages, CSV export (itself audited), reveal; a 404 to everyone else."""

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jaring.accounts.models import AuditEntry
from jaring.rules.participant_number import participant_number


def at(day: int, hour: int = 10):
    return timezone.make_aware(datetime(2025, 3, day, hour))


@pytest.fixture
def trail(db):
    """Entries by two users over three days (and Jakarta midnight edges)."""
    rows = [
        ("siti", "login", "", "", at(1)),
        ("siti", "view_personal_data", "members.participant", "7", at(2)),
        ("budi", "export", "members.participant", "", at(2, 23)),
        ("budi", "update", "channels.agent", "3", at(3, 0)),
    ]
    return [
        AuditEntry.objects.create(
            username=u, action=a, object_type=t, object_id=i, at=when, summary=f"{u} {a}"
        )
        for u, a, t, i, when in rows
    ]


@pytest.fixture
def auditor_client(client, staff, network):
    client.force_login(staff("auditor", username="auditor"))
    return client


def listed(response) -> list[str]:
    return [entry.summary for entry in response.context["page"]]


def test_the_auditor_searches_by_user_action_object_and_dates(auditor_client, trail):
    url = reverse("accounts:audit")
    assert listed(auditor_client.get(url, {"user": "siti"})) == ["siti view_personal_data", "siti login"]
    assert listed(auditor_client.get(url, {"action": "export"})) == ["budi export"]
    found = auditor_client.get(url, {"object_type": "members.participant", "object_id": "7"})
    assert listed(found) == ["siti view_personal_data"]
    # days are Jakarta days, both ends included: 23:00 on the 2nd is in, midnight of the 3rd is not
    on_the_2nd = auditor_client.get(url, {"date_from": "2025-03-02", "date_to": "2025-03-02", "user": "budi"})
    assert listed(on_the_2nd) == ["budi export"]
    page = auditor_client.get(url, {"date_from": "2025-03-03", "date_to": "2025-03-01"})
    assert "date_to" in page.context["form"].errors


def test_the_trail_comes_in_pages(auditor_client, db):
    for n in range(55):
        AuditEntry.objects.create(
            username="x", action="login", summary=f"n{n}", at=at(1, 0) + timezone.timedelta(minutes=n)
        )
    first = auditor_client.get(reverse("accounts:audit"), {"user": "x"})
    assert len(first.context["page"]) == 50 and first.context["page"].has_next()
    second = auditor_client.get(reverse("accounts:audit"), {"user": "x", "page": 2})
    assert listed(second) == [f"n{n}" for n in range(4, -1, -1)]
    assert b"user=x&amp;page=1" in second.content


def test_the_export_is_a_csv_of_the_search_and_is_itself_audited(auditor_client, trail):
    response = auditor_client.get(reverse("accounts:audit-export"), {"user": "budi"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["username"], r["action"]) for r in rows] == [("budi", "export"), ("budi", "update")]
    assert rows[0]["at"].startswith("2025-03-02T23:00:00+07:00")
    (export,) = AuditEntry.objects.filter(username="auditor", action="export")
    assert (
        export.object_type == "accounts.auditentry"
        and "user=budi" in export.summary
        and "2 rows" in export.summary
    )


def test_a_formula_in_an_exported_cell_is_defused(auditor_client, db):
    AuditEntry.objects.create(username="x", action="login", summary="=HYPERLINK(1)")
    response = auditor_client.get(reverse("accounts:audit-export"), {"user": "x"})
    assert "'=HYPERLINK(1)" in b"".join(response.streaming_content).decode()


@pytest.mark.parametrize(
    "role, where",
    [("branch_staff", "karawang_branch"), ("outlet_teller", "pos_karawang"), ("head_office_analyst", None),
     ("payer", "payer"), ("regional_staff", "java")],
)  # fmt: skip
def test_the_audit_pages_do_not_exist_for_other_roles(client, staff, network, role, where):
    column = {"karawang_branch": "office", "java": "office", "pos_karawang": "outlet", "payer": "payer"}
    scope = {column[where]: getattr(network, where)} if where else {}
    client.force_login(staff(role, **scope))
    for name in ("accounts:audit", "accounts:audit-export", "accounts:audit-reveal"):
        assert client.get(reverse(name)).status_code == 404, name
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_signed_out_visitor_is_asked_to_sign_in(client, db):
    response = client.get(reverse("accounts:audit"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_an_admin_reads_the_trail_too(admin_client, trail):
    assert admin_client.get(reverse("accounts:audit")).status_code == 200


def test_an_auditor_reveals_one_participant_with_a_reason(auditor_client, network):
    worker = network.karawang
    url = reverse("accounts:audit-reveal")
    page = auditor_client.get(url)
    assert page.status_code == 200 and worker.nik.encode() not in page.content
    response = auditor_client.post(
        url, {"number": worker.number, "reason": "complaint 2025/17 about a duplicate"}
    )
    assert response.status_code == 200 and worker.nik.encode() in response.content
    (reveal,) = AuditEntry.objects.filter(action="reveal")
    assert (reveal.username, reveal.object_type, reveal.object_id) == (
        "auditor",
        "members.participant",
        str(worker.pk),
    )
    assert reveal.summary == "complaint 2025/17 about a duplicate"
    short = auditor_client.post(url, {"number": worker.number, "reason": "why"})
    assert "reason" in short.context["form"].errors and worker.nik.encode() not in short.content
    nobody = participant_number(999_999)
    assert auditor_client.post(url, {"number": nobody, "reason": "a long enough reason"}).status_code == 404
    typo = auditor_client.post(url, {"number": worker.number[:-1] + "x", "reason": "a long enough reason"})
    assert "number" in typo.context["form"].errors


def test_the_trail_names_records_as_people_know_them_and_shows_a_change_field_by_field(auditor_client, db):
    AuditEntry.objects.create(
        username="budi",
        action="update",
        object_type="channels.agent",
        object_id="3",
        before={"name": "Siti", "status": "active", "phone": "*********123"},
        after={"name": "Siti", "status": "idle", "phone": "*********123"},
    )
    AuditEntry.objects.create(
        username="siti", action="view_personal_data", object_type="members.participant", object_id="18"
    )
    auditor_client.cookies["django_language"] = "en"
    page = auditor_client.get(reverse("accounts:audit"))
    html = page.content.decode()
    assert f'data-testid="audit-object">participant {participant_number(18)}<' in html
    assert 'data-testid="audit-object">agent #3<' in html
    (agent_entry,) = [entry for entry in page.context["page"] if entry.object_type == "channels.agent"]
    # only what changed, by its label: the status went from active to idle
    assert [(c.before, c.after) for c in agent_entry.changes] == [("active", "idle")]
    assert "{'name'" not in html and "idle" in html


def test_the_trail_speaks_indonesian_by_default(auditor_client, db):
    AuditEntry.objects.create(username="siti", action="export", object_type="members.participant")
    html = auditor_client.get(reverse("accounts:audit")).content.decode()
    assert 'data-testid="audit-object">peserta<' in html
