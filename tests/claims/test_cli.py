"""`jaring claim` from submission to the payout file, with --json; refusals per field with their reasons."""

import csv
import io
import json
from io import StringIO

from django.core.management import call_command
from tests.claims.conftest import BRI_ACCOUNT, heir
from tests.conftest import jakarta

from jaring.claims.models import Claim
from jaring.members.models import Participant, Standing

PDF = b"%PDF-1.4 a document"


def claim_cli(*args) -> tuple[int, dict]:
    """Runs ``jaring claim ARGS --json``: the exit status and the JSON printed."""
    out = StringIO()
    try:
        call_command("claim", *args, "--json", stdout=out, stderr=StringIO())
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def heir_arg(**fields) -> str:
    one = heir(**fields)
    return ",".join((one.nik, one.name, one.relation, one.bank, one.account_number, one.account_name))


def submit_death(worker, key="CLI-1", *extra):
    return claim_cli(
        "submit", "--participant", worker.nik, "--kind", "JKM", "--incident-at", "2024-09-14T10:00",
        "--place", "Karawang", "--heir", heir_arg(), "--key", key, *extra,
    )  # fmt: skip


def test_a_death_claim_goes_from_submission_to_the_payout_file(worker, pay, staff, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    pay(worker, 12, jakarta(2024, 1, 5))
    code, submitted = submit_death(worker)
    assert code == 0 and submitted["state"] == "submitted" and submitted["amount"] == 42_000_000
    number = submitted["number"]
    claim = Claim.objects.get(number=number)
    assert claim.source == "cli" and claim.channel == "cli" and claim.outlet is None
    assert submitted["cover"]["reason"] == "paid_ahead"
    # a retry with the key submits nothing new
    assert submit_death(worker)[1]["number"] == number and Claim.objects.count() == 1
    document = tmp_path / "akta.pdf"
    document.write_bytes(PDF)
    for kind in submitted["documents_missing"]:
        code, added = claim_cli("documents", number, "--kind", kind, str(document))
        assert code == 0, added
    assert added["state"] == "complete" and added["due_on"]
    maker = staff("branch_staff", office=world.karawang_branch)
    checker = staff("branch_staff", office=world.karawang_branch)
    code, verified = claim_cli("verify", number, "--as", maker.username)
    assert code == 0 and verified["state"] == "verified"
    # the same person cannot verify and decide
    code, refused = claim_cli("decide", number, "--approve", "--as", maker.username)
    assert code == 2 and refused["reasons"] == ["actor:same_person"]
    assert Claim.objects.get(number=number).state == "verified"
    code, decided = claim_cli("decide", number, "--approve", "--as", checker.username)
    assert code == 0 and decided["state"] == "approved" and decided["amount"] == 42_000_000
    assert Standing.objects.get(participant=worker).status == Participant.Status.DECEASED
    out = tmp_path / "payout.csv"
    code, paid = claim_cli("pay", "--office", "KW04", "--as", checker.username, "--out", str(out))
    assert code == 0 and paid["claims"] == 1 and paid["amount"] == 42_000_000
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows == [
        {"claim": number, "payee": "heirs", "name": "Siti Rahma", "bank": "BRI",
         "account_number": BRI_ACCOUNT, "account_name": "Siti Rahma", "amount": "42000000"},
    ]  # fmt: skip
    assert claim_cli("show", number)[1]["state"] == "paid"
    code, again = claim_cli("pay", "--as", checker.username, "--out", str(tmp_path / "again.csv"))
    assert code == 0 and again["claims"] == 0 and not (tmp_path / "again.csv").exists()


def test_show_masks_the_heirs_personal_data(worker, pay):
    pay(worker, 12, jakarta(2024, 1, 5))
    number = submit_death(worker)[1]["number"]
    out = StringIO()
    call_command("claim", "show", number, stdout=out)
    text = out.getvalue()
    assert number in text and "Rp42.000.000" in text
    assert heir().nik not in text and worker.nik not in text and BRI_ACCOUNT not in text
    assert heir().nik[:6] + "******" + heir().nik[12:] in text
    _code, shown = claim_cli("show", number)
    assert shown["heirs"][0]["nik"] == heir().nik[:6] + "******" + heir().nik[12:]
    assert heir().nik not in json.dumps(shown)


def test_bad_input_is_refused_per_field_with_the_services_reasons(worker, pay):
    pay(worker, 12, jakarta(2024, 1, 5))
    code, refused = claim_cli(
        "submit", "--participant", worker.nik, "--kind", "JKM", "--incident-at", "2024-09-14T10:00",
        "--heir", heir_arg(account_number="12345", relation="neighbour"), "--key", "BAD-1",
    )  # fmt: skip
    assert code == 2 and refused["reasons"] == ["heirs[0].account_number:format", "heirs[0].relation:invalid"]
    code, malformed = claim_cli(
        "submit", "--participant", worker.nik, "--kind", "JKM", "--incident-at", "2024-09-14T10:00",
        "--heir", "3215014302870007,Siti", "--key", "BAD-2",
    )  # fmt: skip
    assert code == 2 and malformed["reasons"] == ["heirs[0]:format"]
    code, undated = claim_cli(
        "submit", "--participant", worker.nik, "--kind", "JKM", "--incident-at", "kemarin",
        "--heir", heir_arg(), "--key", "BAD-3",
    )  # fmt: skip
    assert code == 2 and undated["reasons"] == ["incident_at:invalid"]
    code, nobody = claim_cli("verify", "KLM202400000001", "--as", "nobody")
    assert code == 2 and nobody["reasons"] == ["actor:unknown"]
    assert not Claim.objects.exists()


def test_a_jkk_claim_with_details_and_a_scholarship_child_is_read_from_the_options(world, register, pay):
    worker = register(registered_at=jakarta(2024, 1, 5))
    pay(worker, 12, jakarta(2024, 1, 5))
    details = {"medical_bill": 7_250_000, "inability_days": 30, "hospital": "RSUD Karawang",
               "bank": "BRI", "account_number": BRI_ACCOUNT, "account_name": "Budi Santoso"}  # fmt: skip
    code, jkk = claim_cli(
        "submit", "--participant", worker.number, "--kind", "jkk", "--incident-at", "2024-05-02T08:30",
        "--place", "Pasar Baru", "--details-json", json.dumps(details), "--key", "JKK-1",
    )  # fmt: skip
    assert code == 0 and jkk["amount"] == 7_250_000 + 1_000_000
    assert {line["payee"] for line in jkk["lines"]} == {"hospital", "participant"}
    code, child = claim_cli(
        "submit", "--participant", worker.nik, "--kind", "JKM", "--incident-at", "2024-09-14",
        "--heir", heir_arg(), "--child", "3215014403150001,Rina,nine,SD", "--key", "JKM-1",
    )  # fmt: skip
    assert code == 2 and child["reasons"] == ["details.children[0].age:invalid"]
    code, bad_json = claim_cli(
        "submit", "--participant", worker.nik, "--kind", "JKK", "--incident-at", "2024-05-02",
        "--details-json", "[1, 2]", "--key", "JKK-2",
    )  # fmt: skip
    assert code == 2 and bad_json["reasons"] == ["details:invalid"]


def test_an_unknown_claim_number_is_refused(db):
    code, answer = claim_cli("show", "KLM202400000099")
    assert code == 2 and answer["reasons"] == ["number:unknown"]


def test_the_jht_statement_is_printed_and_written_as_a_pdf(world, register, pay, tmp_path):
    saver = register(registered_at=jakarta(2023, 1, 5), programmes="JKK+JKM+JHT")
    pay(saver, 12, jakarta(2023, 1, 5), amount=36_800 * 12)
    pdf = tmp_path / "jht.pdf"
    code, answer = claim_cli("jht", saver.number, "--as-of", "2023-12-31", "--pdf", str(pdf))
    assert code == 0 and answer["balance"] == 240_000 + round(240_000 * 0.05 * 11 / 12)
    assert [year["year"] for year in answer["years"]] == [2023] and pdf.read_bytes().startswith(b"%PDF")
