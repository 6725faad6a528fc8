"""The same request gets the same outcome and the same reason whichever channel brings it: the partner API,
the command line, a file upload. Partners and operators act on the stable ``field:code`` reasons."""

import csv
import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from jaring.accounts.models import AuditEntry
from jaring.channels.models import Agent
from jaring.contributions.models import Payment
from jaring.contributions.services import payment_record
from jaring.imports.services import import_job_for_file, import_run
from jaring.members.models import Participant
from jaring.members.services import participant_register

from .conftest import registration

PAY_HEADER = "nik,months,amount,paid_at,outlet_code,reference,agent_code"
_files = iter(range(1, 1000))


def file_import(tmp_path, kind: str, header: str, *lines: str):
    """Uploads the lines as a file; the job and its rows' results."""
    path = tmp_path / f"{next(_files)}-{kind}.csv"
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    job = import_run(import_job_for_file(path=path, kind=kind))
    assert job.status == "done", job.error
    with open(job.result_path, encoding="utf-8") as handle:
        return job, list(csv.DictReader(handle))


def cli(*args) -> tuple[int, dict]:
    out = StringIO()
    try:
        call_command(*args, "--json", stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_a_wrong_amount_gets_the_same_reason_over_the_api_the_cli_and_a_file(api, register, tmp_path):
    person = register()
    body = {"nik": person.nik, "birth_date": person.birth_date.isoformat(), "months": 1, "amount": 16_900}
    response = api.post("payments", body, **{"Idempotency-Key": "W-1"})
    assert response.status_code == 422 and response.json()["reasons"] == ["amount:price_mismatch"]
    code, answer = cli("pay", person.nik, "--months", "1", "--amount", "16900")
    assert code == 2 and answer["reasons"] == ["amount:price_mismatch"]
    job, rows = file_import(tmp_path, "payments", PAY_HEADER, f"{person.nik},1,16900,,POS-KRW,W-2,")
    assert job.reasons == {"amount:price_mismatch": 1} and rows[0]["codes"] == "amount:price_mismatch"
    assert not Payment.objects.exists()


def test_an_unknown_nik_gets_the_same_reason_over_the_api_the_cli_and_a_file(api, world, tmp_path):
    nobody = "3215011204850999"
    response = api.post(
        "payments",
        {"nik": nobody, "birth_date": "1985-04-12", "months": 1, "amount": 16_800},
        **{"Idempotency-Key": "U-1"},
    )
    assert response.status_code == 422 and response.json()["reasons"] == ["nik:unknown"]
    code, answer = cli("pay", nobody, "--months", "1", "--amount", "16800")
    assert code == 2 and answer["reasons"] == ["nik:unknown"]
    job, _rows = file_import(tmp_path, "payments", PAY_HEADER, f"{nobody},1,16800,,POS-KRW,U-2,")
    assert job.reasons == {"nik:unknown": 1}


def test_a_file_payment_names_its_agent_and_is_checked_like_an_api_payment(
    world, issue, client_for, register, tmp_path
):
    person = register()
    job, rows = file_import(tmp_path, "payments", PAY_HEADER, f"{person.nik},1,16800,,POS-KRW,A-1,AG-1")
    assert rows[0]["status"] == "accepted"
    assert Payment.objects.get(idempotency_key="A-1").agent_id == world.agent.pk

    api = client_for(issue(agent=world.agent))
    agent = Agent.objects.get(pk=world.agent.pk)
    agent.status = Agent.Status.INACTIVE
    agent.save()
    response = api.post(
        "payments",
        {"nik": person.nik, "birth_date": person.birth_date.isoformat(), "months": 1, "amount": 16_800},
        **{"Idempotency-Key": "A-2"},
    )
    assert response.status_code == 422 and response.json()["reasons"] == ["agent:agent_inactive"]
    job, rows = file_import(tmp_path, "payments", PAY_HEADER, f"{person.nik},1,16800,,POS-KRW,A-3,AG-1")
    assert rows[0]["status"] == "rejected" and job.reasons == {"agent:agent_inactive": 1}
    assert Payment.objects.count() == 1


def test_a_reference_sent_again_is_a_duplicate_on_every_channel(api, register, tmp_path):
    person = register()
    body = {"nik": person.nik, "birth_date": person.birth_date.isoformat(), "months": 1, "amount": 16_800}
    first = api.post("payments", body, **{"Idempotency-Key": "D-1"})
    assert first.status_code == 201
    again = api.post("payments", body, **{"Idempotency-Key": "D-1"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    # The outlet's file holding the same payment: recorded once, the row names the first entry.
    job, rows = file_import(tmp_path, "payments", PAY_HEADER, f"{person.nik},1,16800,,POS-KRW,D-1,")
    assert rows[0]["status"] == "duplicate" and rows[0]["record_id"] == str(first.json()["payment_id"])
    assert job.reasons == {"reference:duplicate": 1}
    batch = api.post("batch", {"items": [{"type": "payment", "reference": "D-1", **body}]})
    assert batch.json()["results"][0]["status"] == "duplicate"
    # Another request under the same reference is a conflict everywhere.
    conflict = api.post("payments", {**body, "months": 3, "amount": 50_400}, **{"Idempotency-Key": "D-1"})
    assert conflict.status_code == 409 and conflict.json()["reasons"] == ["reference:conflict"]
    job, _rows = file_import(tmp_path, "payments", PAY_HEADER, f"{person.nik},3,50400,,POS-KRW,D-1,")
    assert job.reasons == {"reference:conflict": 1}
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("ahead", "accepted"), [(timedelta(minutes=3), True), (timedelta(minutes=10), False)]
)
def test_a_moment_a_little_ahead_of_the_clock_is_now_on_every_channel(
    world, register, tmp_path, ahead, accepted
):
    """Clocks of tills and partner systems drift: up to the skew in the coverage policy (5 minutes) a
    stated moment counts as now, on the single path and in files alike; later ones are refused."""
    moment = timezone.localtime() + ahead
    person, other = register(), register()
    try:
        payment_record(
            participant=person, months=1, amount=16_800, source="till", idempotency_key="S-1", paid_at=moment
        )
        single = "accepted"
    except ValidationError as error:
        single = sorted(error.message_dict)
    _job, rows = file_import(
        tmp_path, "payments", PAY_HEADER, f"{other.nik},1,16800,{moment.isoformat()},POS-KRW,S-2,"
    )
    assert (single == "accepted") is accepted
    assert (rows[0]["status"] == "accepted") is accepted
    if not accepted:
        assert single == ["paid_at"] and rows[0]["codes"] == "paid_at:future"

    body = registration()
    try:
        participant_register(
            nik=body["nik"], name="Sari", birth_date=date.fromisoformat(body["birth_date"]), sex=body["sex"],
            village_code=body["village_code"], occupation_code="PETANI", declared_income=1_000_000,
            programmes="JKK+JKM", outlet=world.pos_karawang, registered_at=moment,
        )  # fmt: skip
        registered = True
    except ValidationError as error:
        registered = False
        assert list(error.message_dict) == ["registered_at"]
    assert registered is accepted


def test_api_and_cli_writes_are_audited_with_their_actor(api, world, register):
    response = api.post("participants", registration())
    assert response.status_code == 201
    number = response.json()["participant_number"]
    participant = Participant.objects.get(pk=int(number[:-1]))
    paid = api.post(
        "payments",
        {
            "nik": participant.nik,
            "birth_date": participant.birth_date.isoformat(),
            "months": 1,
            "amount": 16_800,
        },
        **{"Idempotency-Key": "AU-1"},
    )
    assert paid.status_code == 201
    by_key = AuditEntry.objects.filter(username__startswith="API key ", action="create")
    assert {entry.object_type for entry in by_key} == {"members.participant", "contributions.payment"}
    assert all("POS-KRW" in entry.username for entry in by_key)
    # A retry records nothing and audits nothing more.
    api.post(
        "payments",
        {
            "nik": participant.nik,
            "birth_date": participant.birth_date.isoformat(),
            "months": 1,
            "amount": 16_800,
        },
        **{"Idempotency-Key": "AU-1"},
    )
    assert by_key.count() == 2

    code, answer = cli("pay", participant.nik, "--months", "1")
    assert code == 0 and answer["created"] is True
    entry = AuditEntry.objects.get(username__startswith="jaring command line")
    assert entry.object_type == "contributions.payment" and entry.object_id == str(answer["payment"])
