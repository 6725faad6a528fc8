"""`jaring mou` and `jaring site`: list, add and report with --json, bad input told per field with exit
status 2 and nothing saved; the CLI and the pages read the same queries."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from tests.outreach.conftest import an_mou

from jaring.common.clock import local_date
from jaring.outreach.models import Mou, Site


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_mou_add_commit_and_report(markets):
    added = run("mou", "add", "--number", "MOU/PROV/61", "--title", "Gubernur Kalbar", "--party", "province",
                "--region", "61", "--office", "KW07", "--signed", "2026-01-05", "--from", "2026-01-05",
                "--to", "2029-01-04")  # fmt: skip
    assert added["ok"] and added["mou"]["party_name"] and added["mou"]["office"] == "KW07"
    assert run("mou", "commit", "MOU/PROV/61", "--kind", "markets", "--target", "4")["target"] == 4
    report = run("mou", "report", "MOU/PROV/61")
    assert report["commitments"] == [
        {"kind": "markets", "target": 4, "reached": 0, "basis": "sites", "met": False, "note": None,
         "done_on": None, "reference": None},
    ]  # fmt: skip
    assert [m["number"] for m in run("mou", "list")["mous"]] == ["MOU/PROV/61"]


def test_mou_add_with_bad_input_exits_2_and_saves_nothing(markets, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("mou", "add", "--number", "X", "--title", "T", "--party", "regency",
                     "--region", "99.99", "--office", "KC-BPN", "--signed", "2026-01-01",
                     "--from", "2026-02-01", "--to", "2026-01-01", "--json")  # fmt: skip
    assert exit_.value.code == 2
    answer = json.loads(capsys.readouterr().out)
    assert answer["reasons"] == ["region:unknown", "valid_to:before_start"]
    assert not Mou.objects.exists()


def test_mou_list_expiring_reads_the_lookahead(markets):
    today = local_date()
    an_mou(
        markets,
        signed_on=today - timedelta(days=1),
        valid_from=today - timedelta(days=1),
        valid_to=today + timedelta(days=10),
    )
    answer = run("mou", "list", "--expiring")
    assert answer["lookahead"]["value"] == 90 and len(answer["mous"]) == 1


def test_site_add_and_the_market_target_report(markets):
    today = local_date()
    an_mou(
        markets,
        signed_on=today - timedelta(days=1),
        valid_from=today - timedelta(days=1),
        valid_to=today + timedelta(days=300),
    )
    added = run("site", "add", "--code", "psr-kld", "--name", "Pasar Klandasan", "--kind", "market_gov",
                "--village", markets.bpn_village, "--mou", "MOU/001/KC-BPN/2026", "--outlet", "PSR-KLD",
                "--traders", "420", "--counted", "2026-02-01")  # fmt: skip
    assert added["site"]["code"] == "PSR-KLD" and added["site"]["office"] == "KC-BPN"
    report = run("site", "report")
    assert report["required"]["value"] == 2
    (bpn,) = [b for b in report["branches"] if b["office"] == "KC-BPN"]
    assert (bpn["count"], bpn["required"], bpn["met"]) == (1, 2, False)
    assert run("site", "report", "PSR-KLD")["site"]["traders"] == 420
    assert [s["code"] for s in run("site", "list")["sites"]] == ["PSR-KLD"]
    assert Site.objects.count() == 1
