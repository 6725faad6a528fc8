"""Registering a NIK cannot be used to learn whose number it is: a duplicate sent by the partner that
registered the worker names the registration (number, outlet, date); one sent by another partner hears only
that the NIK is registered, on every channel (docs/security.md, "What each channel may say")."""

from tests.api.conftest import Api, registration

from jaring.members.models import DuplicateAttempt, Participant


def test_another_partner_hears_only_that_the_nik_is_registered(world, api, issue):
    body = registration()
    first = api.post("participants", body, **{"Idempotency-Key": "D-1"})
    assert first.status_code == 201
    number = first.json()["participant_number"]

    bank = Api(issue(outlet=world.bank_karawang))
    again = bank.post("participants", body, **{"Idempotency-Key": "D-2"})

    assert again.status_code == 409 and again.json()["reasons"] == ["nik:duplicate"]
    said = again.content.decode()
    assert number not in said and "KCU Karawang" not in said and "POS-KRW" not in said
    batch = bank.post("batch", {"items": [{"type": "registration", "reference": "D-3", **body}]})
    (result,) = batch.json()["results"]
    assert (result["status"], result["participant_number"]) == ("duplicate", None)
    assert number not in batch.content.decode()
    # The claim is still kept for the reports, and nothing new is registered.
    assert DuplicateAttempt.objects.filter(outlet=world.bank_karawang).count() == 2
    assert Participant.objects.count() == 1


def test_the_partner_that_registered_the_worker_is_told_which_registration(world, api, issue):
    body = registration()
    number = api.post("participants", body, **{"Idempotency-Key": "D-4"}).json()["participant_number"]
    sister = Api(issue(outlet=world.pos_balikpapan))  # another outlet of Pos
    again = sister.post("participants", body, **{"Idempotency-Key": "D-5"})
    assert again.status_code == 409 and number in again.content.decode()
    batch = sister.post("batch", {"items": [{"type": "registration", "reference": "D-6", **body}]})
    assert batch.json()["results"][0]["participant_number"] == number
