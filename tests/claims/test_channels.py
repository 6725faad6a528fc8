"""The channels agree: the same claim brought by the partner API, the command line and the service itself
is decided the same (state, amount, cover, reason), refused for the same field:code reasons, and read
back the same."""

import pytest
from django.core.exceptions import ValidationError
from tests.api.conftest import Api
from tests.claims.conftest import heir
from tests.claims.test_cli import claim_cli, heir_arg
from tests.conftest import jakarta

from jaring.claims.models import Claim
from jaring.claims.services import claim_document_add, claim_submit

DEATH = jakarta(2024, 8, 2)


@pytest.fixture
def api(world):
    from jaring.api.services import apikey_create

    return Api(apikey_create(outlet=world.pos_karawang, scopes="claims").token)


def by_api(api, worker, key, **heir_fields):
    one = heir(**heir_fields)
    body = {
        "participant": worker.nik, "kind": "JKM", "incident_at": DEATH.isoformat(),
        "heirs": [{"nik": one.nik, "name": one.name, "relation": one.relation, "bank": one.bank,
                   "account_number": one.account_number, "account_name": one.account_name}],
    }  # fmt: skip
    return api.post("claims", body, **{"Idempotency-Key": key})


def by_cli(worker, key, **heir_fields):
    return claim_cli(
        "submit", "--participant", worker.nik, "--kind", "JKM", "--incident-at", DEATH.isoformat(),
        "--heir", heir_arg(**heir_fields), "--key", key,
    )  # fmt: skip


def decision(claim: Claim) -> dict:
    cover = claim.decision["cover"]
    return {
        "state": claim.state,
        "eligible": claim.eligible,
        "amount": claim.amount,
        "reason": claim.reason,
        "cover": {name: cover[name] for name in ("covered", "reason", "month", "last_covered_before")},
        "lines": sorted((line.component, line.amount) for line in claim.lines.all()),
    }


def test_a_death_in_a_lapsed_month_is_refused_alike_by_the_api_the_cli_and_the_service(api, worker, pay, jkm):
    pay(worker, 3, jakarta(2024, 1, 5))  # January to March: August is not covered
    served = claim_submit(request=jkm(worker, DEATH), actor=None)
    response = by_api(api, worker, "SAME-1")
    code, printed = by_cli(worker, "SAME-2")
    assert response.status_code == 201 and code == 0
    through_api = Claim.objects.get(number=response.json()["number"])
    through_cli = Claim.objects.get(number=printed["number"])
    assert decision(served) == decision(through_api) == decision(through_cli)
    assert decision(served)["state"] == "rejected" and decision(served)["cover"]["reason"] == "unpaid"
    assert {served.channel, through_api.channel, through_cli.channel} == {"", "api", "cli"}
    # and the two answers say what the record says
    answer = response.json()
    for shown in (answer, printed):
        assert (shown["state"], shown["amount"], shown["eligible"]) == ("rejected", 0, False)
        assert shown["cover"]["reason"] == "unpaid" and shown["cover"]["last_covered_before"] == "2024-03"
    assert answer["reason"] == printed["reason"]


def test_a_bad_account_gets_the_same_reason_over_the_api_the_cli_and_the_service(api, worker, pay, jkm):
    pay(worker, 12, jakarta(2024, 1, 5))
    with pytest.raises(ValidationError) as refused:
        claim_submit(request=jkm(worker, DEATH, heirs=[heir(account_number="12345")]), actor=None)
    reasons = sorted(
        f"{field}:{e.code}" for field, errors in refused.value.error_dict.items() for e in errors
    )
    response = by_api(api, worker, "BAD-1", account_number="12345")
    code, printed = by_cli(worker, "BAD-2", account_number="12345")
    assert reasons == response.json()["reasons"] == printed["reasons"] == ["heirs[0].account_number:format"]
    assert response.status_code == 422 and code == 2
    assert response.json()["errors"] == printed["errors"]
    assert not Claim.objects.exists()


def test_a_claim_sent_by_api_and_decided_on_the_command_line_reads_the_same_everywhere(
    api, worker, pay, staff, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    pay(worker, 12, jakarta(2024, 1, 5))
    number = by_api(api, worker, "FLOW-1").json()["number"]
    claim = Claim.objects.get(number=number)
    for kind in claim.decision["documents"]:
        claim_document_add(claim=claim, kind=kind, content=b"%PDF-1.4", actor=None)
    maker = staff("branch_staff", office=world.karawang_branch)
    checker = staff("branch_staff", office=world.karawang_branch)
    assert claim_cli("verify", number, "--as", maker.username)[0] == 0
    assert claim_cli("decide", number, "--approve", "--as", checker.username)[0] == 0
    _code, printed = claim_cli("show", number)
    answer = api.get(f"claims/{number}").json()
    claim.refresh_from_db()
    assert printed.pop("ok") is True and printed == answer
    assert (answer["state"], answer["amount"]) == (claim.state, claim.amount) == ("approved", 42_000_000)
    assert answer["documents_missing"] == []
