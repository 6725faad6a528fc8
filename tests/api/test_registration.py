"""Registering through the API: credited to the key's outlet, refused per field, duplicates named."""

from tests.api.conftest import registration

from jaring.members.models import DuplicateAttempt, Participant


def test_registration_is_credited_to_the_keys_outlet_and_agent(world, issue, client_for):
    api = client_for(issue(outlet=world.pos_balikpapan, agent=world.agent, scopes="register"))
    body = registration(outlet="BNI-KRW", outlet_id=world.bank_karawang.pk, agent="someone", channel="bank")
    response = api.post("participants", body)
    assert response.status_code == 201, response.content
    data = response.json()
    participant = Participant.objects.get(nik=body["nik"])
    assert participant.outlet == world.pos_balikpapan and participant.agent == world.agent
    assert participant.channel == "pos"
    assert data["participant_number"] == participant.number
    assert data["nik"] == participant.masked_nik != participant.nik
    assert data["outlet"] == "POS-BPN" and data["agent"] == "AG-1" and data["status"] == "new"


def test_bad_fields_answer_422_problem_per_field_in_indonesian_by_default(api):
    body = registration(
        nik="12345", village_code="99.99.99.9999", occupation="ASTRONAUT", programmes="JKK+JP"
    )
    response = api.post("participants", body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response["Content-Language"] == "id"
    problem = response.json()
    assert problem["type"] == "/api/v1/problems/validation" and problem["status"] == 422
    assert problem["title"] == "Permintaan tidak valid"
    errors = problem["errors"]
    assert "NIK harus terdiri atas tepat 16 digit." in errors["nik"]
    assert errors["village_code"] == ["Kode desa/kelurahan 99.99.99.9999 tidak dikenal."]
    assert errors["occupation"] == ["Kode pekerjaan ASTRONAUT tidak dikenal."]
    assert errors["programmes"] == ["Program JP (Jaminan Pensiun) tidak tersedia bagi peserta BPU."]
    assert not Participant.objects.exists()


def test_bad_fields_answer_in_english_with_accept_language(api):
    body = registration(nik="12345", occupation="ASTRONAUT")
    problem = api.post("participants", body, language="en").json()
    assert problem["title"] == "Invalid request"
    assert "A NIK has exactly 16 digits." in problem["errors"]["nik"]
    assert problem["errors"]["occupation"] == ["Unknown occupation ASTRONAUT."]


def test_shape_errors_are_per_field_and_translated_too(api):
    body = {"nik": "3215016107900001", "birth_date": "21-07-1990", "sex": "X", "declared_income": "banyak"}
    problem = api.post("participants", body).json()
    errors = problem["errors"]
    assert errors["name"] == ["Isian ini wajib diisi."]
    assert errors["birth_date"] == ["Masukkan tanggal dengan format YYYY-MM-DD."]
    assert errors["declared_income"] == ["Masukkan bilangan bulat."]
    assert "M" in errors["sex"][0] and "F" in errors["sex"][0]
    english = api.post("participants", body, language="en").json()["errors"]
    assert english["name"] == ["This field is required."]


def test_malformed_json_answers_400_problem(api):
    response = api.client.post(
        "/api/v1/participants", data="{not json", content_type="application/json", headers=api.headers()
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/v1/problems/malformed"


def test_duplicate_nik_answers_409_naming_the_registration_without_personal_data(world, issue, client_for):
    first = client_for(issue(outlet=world.pos_karawang))
    body = registration(name="Rahmawati Kusuma", phone="081299887766")
    number = first.post("participants", body).json()["participant_number"]

    other = client_for(issue(outlet=world.pos_balikpapan))  # another outlet of the same partner
    again = {**body, "name": "Someone Else", "phone": "081311112222"}
    response = other.post("participants", again)
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/api/v1/problems/duplicate-registration"
    assert number in problem["detail"] and "POS-KRW" in problem["detail"]
    assert problem["errors"] == {"nik": [problem["detail"]]}
    text = response.content.decode()
    for personal in ("Rahmawati", "081299887766", body["birth_date"], body["village_code"]):
        assert personal not in text
    assert Participant.objects.filter(nik=body["nik"]).count() == 1
    assert DuplicateAttempt.objects.get().outlet == world.pos_balikpapan
