"""The auditor's search: free text, and a participant found by its participant number."""

import csv
import io

from django.urls import reverse

from jaring.accounts.models import AuditEntry


def summaries(response) -> list[str]:
    return [entry.summary for entry in response.context["page"]]


def test_the_auditor_finds_entries_by_a_participant_number(client, network, staff):
    participant = network.karawang
    AuditEntry.objects.create(
        username="siti", action="view_personal_data", object_type="members.participant",
        object_id=str(participant.pk), summary="opened the card",
    )  # fmt: skip
    AuditEntry.objects.create(username="siti", action="login", summary="signed in")
    client.force_login(staff("auditor"))
    url = reverse("accounts:audit")
    spaced = f"{participant.number[:4]} {participant.number[4:8]} {participant.number[8:]}"
    for typed in (participant.number, spaced, str(participant.pk)):
        found = client.get(url, {"object_type": "members.participant", "object_id": typed})
        assert summaries(found) == ["opened the card"], typed


def test_the_auditor_searches_words_in_summaries_users_and_objects(client, network, staff):
    for username, summary in (("budi", "exported members of DKI"), ("siti", "exported bills of EMP")):
        AuditEntry.objects.create(username=username, action="export", summary=summary)
    auditor = staff("auditor", username="auditor")
    client.force_login(auditor)
    url = reverse("accounts:audit")
    assert summaries(client.get(url, {"text": "dki"})) == ["exported members of DKI"]
    assert summaries(client.get(url, {"text": "exported siti"})) == ["exported bills of EMP"]
    response = client.get(reverse("accounts:audit-export"), {"text": "DKI"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["summary"] for row in rows] == ["exported members of DKI"]
    assert AuditEntry.objects.filter(
        username="auditor", action="export", summary__contains="text=DKI"
    ).exists()


def test_other_roles_do_not_find_the_audit_trail(client, network, staff):
    client.force_login(staff("branch_staff", office=network.karawang_branch))
    assert client.get(reverse("accounts:audit")).status_code == 404
