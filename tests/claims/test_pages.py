"""The claims pages: branch staff record a claim from the claimant's papers (bad input refused per field,
a double submit recorded once), the queue shows what is late in working days, documents are opened only
within the scope, maker-checker shows its refusal as a message, finance pays and takes the payout file,
and the participant's desk page lists the claims."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from tests.claims.conftest import BRI_ACCOUNT
from tests.conftest import jakarta
from tests.desk import conftest as desk

from jaring.claims.models import Claim, ClaimDocument
from jaring.claims.services import ClaimRequest, claim_document_add, claim_submit
from jaring.common.clock import local_date
from jaring.reminders.queries import holidays_in
from jaring.rules.nik import Sex, make_nik
from jaring.rules.workdays import working_days_between

PDF = b"%PDF-1.4 a scanned paper"
# a user per role, the client signed in as one, quick passwords: the desk tests' fixtures
people, as_user, quick_passwords = desk.people, desk.as_user, desk.quick_passwords


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def covered(worker, pay):
    pay(worker, 12, jakarta(2024, 1, 5))
    return worker


def jkm_form(who, **changes) -> dict:
    data = {
        "idempotency_key": "form-1",
        "participant": who.number,
        "kind": "JKM",
        "incident_on": "2024-09-14",
        "incident_time": "08:30",
        "heir-0-nik": make_nik("32.15.01", date(1987, 2, 3), Sex("F"), 7),
        "heir-0-name": "Siti Rahma",
        "heir-0-relation": "spouse",
        "heir-0-bank": "BRI",
        "heir-0-account_number": BRI_ACCOUNT,
        "heir-0-account_name": "Siti Rahma",
    }
    data.update(changes)
    return data


def complete(claim, now=None):
    for kind in claim.decision["documents"]:
        claim_document_add(
            claim=claim, kind=kind, content=PDF, actor=None, now=now or jakarta(2025, 3, 28, 9)
        )
    claim.refresh_from_db()
    return claim


@pytest.fixture
def submitted(covered, jkm):
    return claim_submit(request=jkm(covered, jakarta(2024, 9, 14)), actor=None)


def test_each_page_opens_for_its_roles_and_answers_404_to_the_others(submitted, people, as_user, staff):
    number = submitted.number
    client = as_user(people.branch_staff)
    for url in ("claims:home", "claims:new", "claims:dashboard"):
        assert client.get(reverse(url)).status_code == 200, url
    page = client.get(reverse("claims:claim", args=[number]))
    assert page.status_code == 200 and submitted.participant.nik not in page.content.decode()
    assert client.get(reverse("claims:payouts")).status_code == 404
    finance = as_user(staff("finance"))
    assert finance.get(reverse("claims:payouts")).status_code == 200
    assert finance.get(reverse("claims:claim", args=[number])).status_code == 200
    assert finance.get(reverse("claims:new")).status_code == 404  # finance pays, it does not record
    for outsider in (people.outlet_teller, people.agent, people.payer):
        client = as_user(outsider)
        assert client.get(reverse("claims:home")).status_code == 404
        assert client.get(reverse("claims:claim", args=[number])).status_code == 404
    other_branch = as_user(people.branch_balikpapan)
    assert other_branch.get(reverse("claims:claim", args=[number])).status_code == 404
    assert number not in other_branch.get(reverse("claims:home")).content.decode()


def test_the_queue_shows_a_late_claim_with_its_working_days_late_and_exports_it(submitted, people, as_user):
    claim = complete(submitted)
    assert claim.due_on == date(2025, 4, 4)
    today = local_date()
    late = working_days_between(claim.due_on, today, set(holidays_in(range(2025, today.year + 1))))
    client = as_user(people.branch_staff)
    body = client.get(reverse("claims:home")).content.decode()
    section = body.split('data-testid="section-late"')[1].split("</section>")[0]
    assert f'data-testid="queue-{claim.number}"' in section
    assert late > 100 and f'data-testid="late-days">{late}<' in section
    to_verify = body.split('data-testid="section-to_verify"')[1].split("</section>")[0]
    assert claim.number in to_verify
    assert claim.number not in client.get(reverse("claims:home"), {"kind": "JKK"}).content.decode()
    export = client.get(reverse("claims:home"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]].count(claim.number) == 2  # late, and to verify


def test_the_form_refuses_bad_input_per_field_and_saves_nothing(covered, people, as_user):
    client = as_user(people.branch_staff)
    bad = jkm_form(covered, **{"incident_on": "2030-01-01", "heir-0-account_number": "12345"})
    response = client.post(reverse("claims:new"), bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-incident_on"' in body
    bad = jkm_form(covered, **{"heir-0-account_number": "12345", "heir-1-name": "Budi", "child-0-age": "x"})
    body = client.post(reverse("claims:new"), bad).content.decode()
    heir = body.split('data-testid="heir-0"')[1].split("</fieldset>")[0]
    assert 'data-testid="error-account_number"' in heir  # the service's heirs[0].account_number
    second = body.split('data-testid="heir-1"')[1].split("</fieldset>")[0]
    assert 'data-testid="error-nik"' in second and 'data-testid="error-relation"' in second
    assert 'data-testid="error-age"' in body.split('data-testid="child-0"')[1].split("</fieldset>")[0]
    nobody = client.post(reverse("claims:new"), jkm_form(covered, participant="1234"))
    assert 'data-testid="error-participant"' in nobody.content.decode()
    assert not Claim.objects.exists()


def test_a_participant_outside_the_scope_is_answered_like_an_unknown_one(covered, people, as_user):
    client = as_user(people.branch_balikpapan)
    response = client.post(reverse("claims:new"), jkm_form(covered))
    assert response.status_code == 400 and 'data-testid="error-participant"' in response.content.decode()
    assert not Claim.objects.exists()


def test_a_double_submit_with_the_same_key_records_the_claim_once(covered, people, as_user):
    client = as_user(people.branch_staff)
    form = client.get(reverse("claims:new")).content.decode()
    assert 'name="idempotency_key"' in form
    first = client.post(reverse("claims:new"), jkm_form(covered))
    again = client.post(reverse("claims:new"), jkm_form(covered))
    claim = Claim.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == reverse("claims:claim", args=[claim.number])
    assert claim.amount == 42_000_000 and claim.heirs.get().recipient
    page = client.get(first["Location"]).content.decode()
    assert "jkm-pp82-2019" in page and 'data-testid="cover-reason"' in page


def test_a_jkk_claim_from_the_form_pays_the_hospital_and_the_worker(covered, people, as_user):
    client = as_user(people.branch_staff)
    data = {
        "idempotency_key": "jkk-1", "participant": covered.nik, "kind": "JKK", "incident_on": "2024-05-02",
        "incident_place": "Pasar Baru", "hospital": "RSUD Karawang", "medical_bill": "7.250.000",
        "inability_days": "30", "bank": "BRI", "account_number": BRI_ACCOUNT, "account_name": "Ahmad Yani",
    }  # fmt: skip
    response = client.post(reverse("claims:new"), data)
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.amount == 8_250_000 and claim.details["hospital"] == "RSUD Karawang"


def test_documents_are_uploaded_on_the_page_and_opened_only_within_the_scope(
    submitted, people, as_user, staff
):
    client = as_user(people.branch_staff)
    url = reverse("claims:claim", args=[submitted.number])
    refused = client.post(
        url, {"action": "document", "d-kind": "death_certificate", "d-file": io.BytesIO(b"MZ")}
    )
    assert refused.status_code == 400 and 'data-testid="error-file"' in refused.content.decode()
    upload = io.BytesIO(PDF)
    upload.name = "akta.pdf"
    assert (
        client.post(url, {"action": "document", "d-kind": "death_certificate", "d-file": upload}).status_code
        == 302
    )
    document = ClaimDocument.objects.get()
    link = reverse("claims:document", args=[submitted.number, document.pk])
    assert link in client.get(url).content.decode()
    opened = client.get(link)
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == PDF
    for outsider in (people.branch_balikpapan, people.outlet_teller, staff("head_office_analyst")):
        assert as_user(outsider).get(link).status_code == 404
    assert as_user(people.auditor).get(link).status_code == 200


def test_the_verifier_cannot_decide_and_is_told_so_then_finance_pays_and_takes_the_file(
    submitted, people, as_user, staff, world
):
    claim = complete(submitted)
    maker = people.branch_staff
    url = reverse("claims:claim", args=[claim.number])
    client = as_user(maker)
    assert client.post(url, {"action": "verify"}).status_code == 302
    refused = client.post(url, {"action": "approve"}, follow=True)
    with translation.override("id"):
        told = gettext("The person who verified a claim cannot also decide it.")
    assert 'class="error"' in refused.content.decode() and told in refused.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.VERIFIED
    checker = as_user(staff("branch_staff", office=world.karawang_branch))
    no_reason = checker.post(url, {"action": "reject", "r-reason": ""})
    assert no_reason.status_code == 400 and 'data-testid="error-reason"' in no_reason.content.decode()
    assert checker.post(url, {"action": "approve"}).status_code == 302
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.APPROVED
    finance = as_user(staff("finance"))
    page = finance.get(reverse("claims:payouts")).content.decode()
    assert claim.number in page
    paid = finance.post(reverse("claims:payouts"), {"claim": [str(claim.pk)]})
    assert paid.status_code == 302
    claim.refresh_from_db()
    assert claim.state == Claim.State.PAID and claim.payout is not None
    csv_file = finance.get(reverse("claims:payout_file", args=[claim.payout.pk]))
    rows = list(csv.reader(io.StringIO(csv_file.content.decode())))
    assert rows[1] == [claim.number, "heirs", "Siti Rahma", "BRI", BRI_ACCOUNT, "Siti Rahma", "42000000"]
    dashboard = finance.get(reverse("claims:dashboard")).content.decode()
    assert 'data-testid="kind-JKM"' in dashboard and "kinds-data" in dashboard


def test_a_verify_by_someone_without_the_role_or_scope_changes_nothing(submitted, people, as_user, staff):
    claim = complete(submitted)
    url = reverse("claims:claim", args=[claim.number])
    assert as_user(staff("head_office_analyst")).post(url, {"action": "verify"}).status_code == 404
    assert as_user(people.branch_balikpapan).post(url, {"action": "verify"}).status_code == 404
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.COMPLETE


def test_the_participant_page_of_the_desk_lists_the_claims(submitted, people, as_user):
    url = reverse("desk:participant", args=[submitted.participant.number])
    staff_page = as_user(people.branch_staff).get(url).content.decode()
    assert 'data-testid="participant-claims"' in staff_page
    assert reverse("claims:claim", args=[submitted.number]) in staff_page
    teller_page = as_user(people.outlet_teller).get(url).content.decode()
    assert submitted.number in teller_page
    assert reverse("claims:claim", args=[submitted.number]) not in teller_page


def test_a_service_error_about_a_child_or_an_heir_lands_on_the_row_it_came_from(db):
    from django.core.exceptions import ValidationError

    from jaring.claims.forms import ClaimForm, child_forms, errors_spread, heir_forms

    data = {"child-1-name": "Ani", "child-1-age": "9", "child-1-level": "SD", "heir-2-name": "Siti"}
    form, heirs, children = ClaimForm(data), heir_forms(data, relations=[]), child_forms(data)
    form.is_valid()
    for row in (*heirs, *children):
        row.is_valid()
    error = ValidationError({
        "details.children[0].level": [ValidationError("level", code="invalid")],
        "heirs[0].nik": [ValidationError("nik", code="invalid")],
        "details.stopped_on": [ValidationError("day", code="invalid")],
        "heirs": [ValidationError("heirs", code="required")],
    })  # fmt: skip
    errors_spread(error, form, heirs, [2], children, [1])
    assert children[1].errors["level"] == ["level"] and heirs[2].errors["nik"] == ["nik"]
    assert form.errors["stopped_on"] == ["day"] and form.non_field_errors() == ["heirs"]


def test_a_school_year_of_the_scholarship_is_recorded_from_the_form_after_the_death_claim(
    covered, people, as_user
):
    client = as_user(people.branch_staff)
    child = {
        "child-0-nik": "3215014403150001",
        "child-0-name": "Rina",
        "child-0-age": "9",
        "child-0-level": "SD",
    }
    school_year = jkm_form(covered, kind="BEA", incident_on="2025-07-14", idempotency_key="bea-1", **child)
    refused = client.post(reverse("claims:new"), school_year)
    assert 'data-testid="error-participant"' in refused.content.decode() and not Claim.objects.exists()
    death = claim_submit(
        request=ClaimRequest(**{**_jkm_request(covered), "idempotency_key": "death"}), actor=None
    )
    Claim.objects.filter(pk=death.pk).update(state=Claim.State.APPROVED)  # decided by two people elsewhere
    assert client.post(reverse("claims:new"), school_year).status_code == 302
    year = Claim.objects.get(kind="BEA")  # 12 months paid: recorded, refused for the period, with its heir
    assert year.heirs.get().recipient and year.decision["scholarship"]["refusal"] == "period"


def _jkm_request(who) -> dict:
    from tests.claims.conftest import heir

    return {
        "participant": who.nik, "kind": "JKM", "incident_at": jakarta(2024, 9, 14), "heirs": (heir(),),
        "source": "test", "idempotency_key": "x",
    }  # fmt: skip
