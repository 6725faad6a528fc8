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


def test_summaries_read_in_the_language_of_the_page_and_keep_the_note(client, network, staff):
    from django.utils.translation import gettext_noop

    from jaring.accounts.audit import Said, audit

    said = Said(gettext_noop("payment of %(months)s months"), {"months": 3}).plus(
        gettext_noop("at %(outlet)s"), {"outlet": "POS-KRW"}
    )
    entry = audit(None, "create", obj=network.pay_karawang, summary=said.noted("admin"))
    assert entry.summary == "payment of 3 months, at POS-KRW; admin"  # kept in English, searched as such
    client.force_login(staff("auditor"))
    url = reverse("accounts:audit")
    page = client.get(url, {"text": "payment of 3"}).content.decode()
    assert "pembayaran 3 bulan, di POS-KRW; admin" in page
    client.cookies["django_language"] = "en"
    assert (
        "payment of 3 months, at POS-KRW; admin" in client.get(url, {"text": "payment of 3"}).content.decode()
    )
    response = client.get(reverse("accounts:audit-export"), {"text": "payment of 3"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["summary"] for row in rows] == ["payment of 3 months, at POS-KRW; admin"]


def test_a_payment_taken_at_the_desk_is_summarised_in_indonesian(client, network, staff):
    from jaring.contributions.services import payment_record

    teller = staff("outlet_teller", outlet=network.pos_karawang)
    payment_record(participant=network.karawang, months=1, amount=16_800, source="desk",
                   idempotency_key="d-1", outlet=network.pos_karawang, actor=teller)  # fmt: skip
    entry = AuditEntry.objects.filter(object_type="contributions.payment").latest("id")
    assert entry.said["message"] == "payment of %(months)s months"
    assert entry.shown_summary == "pembayaran 1 bulan, di POS-KRW"  # Indonesian by default


def test_a_summary_missing_a_value_is_shown_as_written():
    from jaring.accounts.audit import Said

    broken = Said("payment of %(months)s months", {"wrong": 1})
    assert Said.from_json(broken.as_json()) == broken
    assert broken.text(translated=True) == "payment of %(months)s months"  # shown as written, not a crash
    said = Said("payment of %(months)s months", {"months": 2})
    assert said.text(translated=True) == "pembayaran 2 bulan"
