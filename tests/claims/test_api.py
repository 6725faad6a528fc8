"""Claims over the partner API: submitted under the partner's Idempotency-Key, followed by the partner's
own outlets only, documents sent as multipart, every refusal a problem with its field:code reasons."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.api.conftest import Api
from tests.claims.conftest import BRI_ACCOUNT, heir
from tests.conftest import jakarta

from jaring.claims.models import Claim

PDF = b"%PDF-1.4 death certificate"


@pytest.fixture
def claims_key(world):
    from jaring.api.services import apikey_create

    def _key(outlet=None, scopes="claims"):
        return apikey_create(outlet=outlet or world.pos_karawang, scopes=scopes).token

    return _key


@pytest.fixture
def api(claims_key):
    return Api(claims_key())


def death_body(worker, moment=None, **fields):
    an_heir = heir()
    body = {
        "participant": worker.nik,
        "kind": "JKM",
        "incident_at": (moment or jakarta(2024, 9, 14)).isoformat(),
        "incident_place": "Karawang",
        "heirs": [
            {
                "nik": an_heir.nik,
                "name": an_heir.name,
                "relation": an_heir.relation,
                "bank": an_heir.bank,
                "account_number": an_heir.account_number,
                "account_name": an_heir.account_name,
            }
        ],
    }
    body.update(fields)
    return body


def test_a_death_claim_is_submitted_decided_and_answered_without_personal_data(api, worker, pay, world):
    pay(worker, 12, jakarta(2024, 1, 5))
    response = api.post("claims", death_body(worker), **{"Idempotency-Key": "HEIRS-1"})
    assert response.status_code == 201, response.json()
    answer = response.json()
    claim = Claim.objects.get(number=answer["number"])
    assert answer["state"] == "submitted" and answer["eligible"] and answer["amount"] == 42_000_000
    assert {line["component"]: line["amount"] for line in answer["lines"]} == {
        "lump_sum": 20_000_000, "funeral": 10_000_000, "periodic": 12_000_000,
    }  # fmt: skip
    assert answer["cover"]["reason"] == "paid_ahead" and answer["cover"]["month"] == "2024-09"
    assert answer["documents_missing"] == claim.decision["documents"]
    assert answer["outlet"] == "POS-KRW" and answer["nik"] == worker.nik[:6] + "******" + worker.nik[12:]
    assert claim.outlet == world.pos_karawang and claim.channel == "api" and claim.source == "outlet:POS-KRW"
    text = response.content.decode()
    assert heir().nik not in text and worker.nik not in text and BRI_ACCOUNT not in text
    assert "Siti Rahma" not in text and answer["heirs"][0]["name"] == "S*** R****"


def test_a_retry_answers_the_first_claim_and_another_body_under_the_key_is_a_conflict(api, worker, pay):
    pay(worker, 12, jakarta(2024, 1, 5))
    first = api.post("claims", death_body(worker), **{"Idempotency-Key": "HEIRS-2"})
    again = api.post("claims", death_body(worker), **{"Idempotency-Key": "HEIRS-2"})
    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = api.post("claims", death_body(worker, jakarta(2024, 9, 15)), **{"Idempotency-Key": "HEIRS-2"})
    assert other.status_code == 409
    assert other.json()["type"] == "/api/v1/problems/idempotency-conflict"
    assert Claim.objects.count() == 1


def test_a_claim_without_an_idempotency_key_is_refused(api, worker):
    response = api.post("claims", death_body(worker))
    assert response.status_code == 422 and "Idempotency-Key" in response.json()["errors"]


def test_bad_fields_are_refused_each_with_its_reason(api, worker, pay):
    pay(worker, 12, jakarta(2024, 1, 5))
    body = death_body(worker, kind="JKM")
    body["heirs"][0].update(account_number="12345", relation="neighbour")
    response = api.post("claims", body, **{"Idempotency-Key": "BAD-1"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/api/v1/problems/validation"
    assert problem["reasons"] == ["heirs[0].account_number:format", "heirs[0].relation:invalid"]
    assert set(problem["errors"]) == {"heirs[0].account_number", "heirs[0].relation"}
    future = api.post("claims", death_body(worker, jakarta(2031, 1, 1)), **{"Idempotency-Key": "BAD-2"})
    assert future.json()["reasons"] == ["incident_at:future"]
    nobody = api.post(
        "claims", death_body(worker, participant="3215011204850999"), **{"Idempotency-Key": "BAD-3"}
    )
    assert nobody.status_code == 422 and nobody.json()["reasons"] == ["participant:unknown"]
    english = api.post(
        "claims", death_body(worker, kind="XYZ"), language="en", **{"Idempotency-Key": "BAD-4"}
    )
    assert english.json()["errors"] == {
        "kind": ["Choose JKK, JKM, JHT or a school year of the scholarship (BEA)."]
    }
    indonesian = api.post("claims", death_body(worker, kind="XYZ"), **{"Idempotency-Key": "BAD-5"})
    assert indonesian.json()["reasons"] == ["kind:invalid"]
    assert indonesian.json()["errors"]["kind"] != [
        "Choose JKK, JKM, JHT or a school year of the scholarship (BEA)."
    ]
    assert not Claim.objects.exists()


def test_a_moment_without_its_offset_is_a_shape_error(api, worker):
    body = death_body(worker, incident_at="2024-09-14T10:00:00")
    response = api.post("claims", body, **{"Idempotency-Key": "SHAPE-1"})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["incident_at"]


def test_a_death_not_covered_is_recorded_as_rejected_with_the_cover_read(api, worker, pay):
    pay(worker, 3, jakarta(2024, 1, 5))  # January to March
    response = api.post("claims", death_body(worker, jakarta(2024, 8, 2)), **{"Idempotency-Key": "LATE-1"})
    answer = response.json()
    assert response.status_code == 201 and answer["state"] == "rejected" and not answer["eligible"]
    assert answer["amount"] == 0 and answer["lines"] == []
    assert answer["cover"] == {
        "covered": False, "reason": "unpaid", "month": "2024-08", "paid_at": None,
        "last_covered_before": "2024-03",
    }  # fmt: skip
    assert answer["reason"] and answer["reason"] != "not covered: the month of the incident was not paid"


def test_a_claim_is_shown_to_its_partner_and_to_no_one_else(api, claims_key, worker, pay, world):
    pay(worker, 12, jakarta(2024, 1, 5))
    number = api.post("claims", death_body(worker), **{"Idempotency-Key": "SEE-1"}).json()["number"]
    mine = api.get(f"claims/{number}")
    assert mine.status_code == 200 and mine.json()["number"] == number
    # another outlet of the same partner (Pos) follows it too
    assert Api(claims_key(world.pos_balikpapan)).get(f"claims/{number}").status_code == 200
    # another partner's outlet does not learn that it exists
    stranger = Api(claims_key(world.bank_karawang)).get(f"claims/{number}")
    unknown = Api(claims_key(world.bank_karawang)).get("claims/KLM202499999999")
    assert stranger.status_code == unknown.status_code == 404
    assert stranger.json()["detail"] == unknown.json()["detail"]


def test_a_key_without_the_claims_scope_is_refused(claims_key, worker):
    response = Api(claims_key(scopes="register,pay,status")).post(
        "claims", death_body(worker), **{"Idempotency-Key": "SCOPE-1"}
    )
    assert response.status_code == 403 and response.json()["type"] == "/api/v1/problems/scope-missing"


def upload(api, number, kind, content, name="file.pdf"):
    return api.client.post(
        f"/api/v1/claims/{number}/documents",
        data={"kind": kind, "file": SimpleUploadedFile(name, content)},
        headers=api.headers(),
    )


def test_documents_are_uploaded_until_the_claim_is_complete(api, worker, pay, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pay(worker, 12, jakarta(2024, 1, 5))
    answer = api.post("claims", death_body(worker), **{"Idempotency-Key": "DOC-1"}).json()
    number, needed = answer["number"], answer["documents_missing"]
    for kind in needed:
        response = upload(api, number, kind, PDF)
        assert response.status_code == 201, response.json()
    done = response.json()
    assert done["state"] == "complete" and done["documents_missing"] == [] and done["due_on"]
    assert done["content_type"] == "application/pdf" and done["size"] == len(PDF)
    assert api.get(f"claims/{number}").json()["state"] == "complete"


def test_an_upload_of_the_wrong_type_or_too_large_or_unlisted_is_refused(
    api, claims_key, worker, pay, settings, tmp_path, world
):
    settings.MEDIA_ROOT = tmp_path
    pay(worker, 12, jakarta(2024, 1, 5))
    number = api.post("claims", death_body(worker), **{"Idempotency-Key": "DOC-2"}).json()["number"]
    wrong = upload(api, number, "death_certificate", b"MZ\x90 a program", "akta.pdf")
    assert wrong.status_code == 422 and wrong.json()["reasons"] == ["file:type"]
    large = upload(api, number, "death_certificate", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    assert large.status_code == 422 and large.json()["reasons"] == ["file:too_large"]
    unlisted = upload(api, number, "selfie", PDF)
    assert unlisted.status_code == 422 and unlisted.json()["reasons"] == ["kind:invalid"]
    missing = api.client.post(
        f"/api/v1/claims/{number}/documents", data={"kind": "death_certificate"}, headers=api.headers()
    )
    assert missing.status_code == 422 and missing.json()["reasons"] == ["file:required"]
    stranger = upload(Api(claims_key(world.bank_karawang)), number, "death_certificate", PDF)
    assert stranger.status_code == 404
    assert not Claim.objects.get(number=number).documents.exists() and not any(tmp_path.rglob("*.*"))


def test_a_child_at_a_school_level_the_rule_does_not_know_is_refused_not_a_server_error(
    api, world, register, pay
):
    worker = register(registered_at=jakarta(2022, 1, 5))
    for year in (2022, 2023, 2024):
        pay(worker, 12, jakarta(year, 1, 5))  # the scholarship's 36 months by December 2024
    child = {"nik": "3215014403150001", "name": "Rina", "age": 9, "level": "KULIAH"}
    body = death_body(worker, jakarta(2024, 12, 20), details={"children": [child]})
    response = api.post("claims", body, **{"Idempotency-Key": "CHILD-1"})
    assert response.status_code == 422 and response.json()["reasons"] == ["details.children[0].level:invalid"]
    body["details"]["children"][0]["level"] = "SD"
    granted = api.post("claims", body, **{"Idempotency-Key": "CHILD-2"})
    assert granted.status_code == 201 and granted.json()["amount"] == 42_000_000 + 1_500_000
