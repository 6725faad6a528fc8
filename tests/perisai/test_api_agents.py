"""Through the partner API, an agent's key registers and collects only while the agent is active."""

from datetime import date

from tests.api.conftest import Api, registration

from jaring.api.services import apikey_create
from jaring.contributions.models import Payment
from jaring.members.models import Participant
from jaring.perisai.services import agent_deactivate


def test_a_deactivated_agents_key_registers_no_one_and_takes_no_payment(perisai):
    key = apikey_create(outlet=perisai.prs_karawang, agent=perisai.prs_agent, scopes="register,pay,status")
    api = Api(key.token)
    body = registration()
    created = api.post("participants", body)
    assert created.status_code == 201, created.content
    agent_deactivate(agent=perisai.prs_agent, reason="moved away", on=date(2025, 1, 5))
    before = Participant.objects.count()

    refused = api.post("participants", registration())
    assert refused.status_code == 422
    assert "agent" in refused.content.decode()
    assert Participant.objects.count() == before

    paid = api.post(
        "payments",
        {"nik": body["nik"], "birth_date": body["birth_date"], "months": 1, "amount": 16_800},
        **{"Idempotency-Key": "p1"},
    )
    assert paid.status_code == 422
    assert "agent" in paid.content.decode()
    assert not Payment.objects.exists()
