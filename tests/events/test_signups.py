"""A registration naming an event is credited to the event once, whatever the channel brings it and however
often it is sent; a worker the event finds already registered is counted as such; a bad event code is a
per-field reason on every channel and nothing is written."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from tests.api.conftest import registration
from tests.desk.conftest import worker

from jaring.events.models import EventSignup
from jaring.imports.readers import COLUMNS
from jaring.imports.services import import_job_for_file, import_run
from jaring.members.models import Participant

_files = iter(range(1, 1000))


def file_rows(tmp_path, *bodies, outlet="POS-KRW"):
    """Imports the API bodies as a registration file; the job and its rows' results."""
    path = tmp_path / f"{next(_files)}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS["registrations"])
        for body in bodies:
            writer.writerow(
                [body["nik"], body["name"], body["birth_date"], body["sex"], body["phone"],
                 body["village_code"], body["occupation"], body["declared_income"], body["programmes"],
                 outlet, "", "", body.get("event_code", "")]
            )  # fmt: skip
    job = import_run(import_job_for_file(path=path, kind="registrations"))
    with open(job.result_path, encoding="utf-8") as handle:
        return job, list(csv.DictReader(handle))


def cli_register(body, outlet="POS-KRW") -> tuple[int, dict]:
    out = StringIO()
    args = [
        "participant", "register", "--nik", body["nik"], "--name", body["name"], "--birth-date",
        body["birth_date"], "--sex", body["sex"], "--village", body["village_code"], "--occupation",
        body["occupation"], "--income", str(body["declared_income"]), "--outlet", outlet,
        "--event", body.get("event_code", ""), "--json",
    ]  # fmt: skip
    try:
        call_command(*args, stdout=out, stderr=StringIO())
        return 0, json.loads(out.getvalue())
    except CommandError as error:
        return error.returncode, json.loads(out.getvalue())
    except SystemExit as exit_:
        return exit_.code, json.loads(out.getvalue())


def signups() -> list[tuple[str, str, bool]]:
    return sorted(EventSignup.objects.values_list("event__code", "participant__nik", "new"))


def test_every_channel_credits_the_event_once_however_often_it_is_sent(
    fun_run, api, people, as_user, world, tmp_path
):
    by_api, by_batch, by_file, by_cli = (registration(event_code="FR-KRW") for _ in range(4))
    for _attempt in range(2):  # the second time is a retry
        api.post("participants", by_api)
        api.post("batch", {"items": [{"type": "registration", **by_batch}]}, **{"Idempotency-Key": "B-1"})
        file_rows(tmp_path, by_file)
        cli_register(by_cli)
    at_desk = worker(world.pos_karawang, event_code="FR-KRW")
    client = as_user(people.outlet_teller)
    assert client.post(reverse("desk:register"), at_desk).status_code == 302
    client.post(reverse("desk:register"), at_desk)
    niks = [by_api["nik"], by_batch["nik"], by_file["nik"], by_cli["nik"], at_desk["nik"]]
    assert signups() == sorted(("FR-KRW", nik, True) for nik in niks)
    assert Participant.objects.filter(nik__in=niks).count() == 5


def test_a_worker_already_registered_is_counted_once_as_such(fun_run, api, register, world, tmp_path):
    earlier = register(outlet=world.bank_karawang)
    body = registration(birth_date=earlier.birth_date, sex="M")
    body.update(nik=earlier.nik, birth_date=earlier.birth_date.isoformat(), event_code="FR-KRW")
    assert api.post("participants", body).status_code == 409
    _job, rows = file_rows(tmp_path, body)
    assert rows[0]["codes"] == "nik:duplicate"
    assert cli_register(body)[0] == 2
    assert signups() == [("FR-KRW", earlier.nik, False)]
    assert Participant.objects.filter(nik=earlier.nik).count() == 1


def test_a_registration_made_at_the_event_and_sent_again_by_another_channel_stays_new(fun_run, api, tmp_path):
    body = registration(event_code="FR-KRW")
    assert api.post("participants", body).status_code == 201
    file_rows(tmp_path, body, outlet="BNI-KRW")  # the same worker again, through another partner
    assert signups() == [("FR-KRW", body["nik"], True)]


@pytest.mark.parametrize("code, reason", [("NOPE", "event_code:unknown"), ("OLD", "event_code:not_running")])
def test_a_bad_event_code_is_the_same_reason_on_every_channel_and_nothing_is_written(
    fun_run, api, tmp_path, code, reason
):
    from datetime import date

    from jaring.events.services import event_save

    event_save(
        actor=None, code="OLD", name="Fun Run 2015", kind="fun_run", city_code="31.71",
        starts_on=date(2015, 11, 14), ends_on=date(2015, 11, 15),
    )  # fmt: skip
    bodies = [registration(event_code=code) for _ in range(3)]
    response = api.post("participants", bodies[0])
    assert response.status_code == 422 and response.json()["reasons"] == [reason]
    job, rows = file_rows(tmp_path, bodies[1])
    assert job.reasons == {reason: 1} and rows[0]["status"] == "rejected"
    status, answer = cli_register(bodies[2])
    assert status == 2 and "event_code" in answer["errors"]
    assert not Participant.objects.exists() and not EventSignup.objects.exists()
