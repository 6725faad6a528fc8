"""The `jaring` command as an operator uses it (acceptance figures of the core)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.conftest import a_village

from jaring.contributions.models import Payment
from jaring.members.models import Participant


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_json(*args):
    return json.loads(run(*args, "--json"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("programmes", "month", "total", "lines"),
    [
        ("JKK,JKM", "2024-05", 16_800, {"JKK": 10_000, "JKM": 6_800}),
        ("JKK,JKM,JHT", "2024-05", 36_800, {"JKK": 10_000, "JKM": 6_800, "JHT": 20_000}),
        ("JKK,JKM", "2020-09", 168, {"JKK": 100, "JKM": 68}),
        ("JKK,JKM", "2021-02", 16_800, {"JKK": 10_000, "JKM": 6_800}),
    ],
)
def test_price_command_gives_the_acceptance_figures(programmes, month, total, lines):
    data = run_json("price", "--income", "1000000", "--programmes", programmes, "--month", month)
    assert data["total"] == total
    assert data["lines"] == lines


@pytest.mark.django_db
def test_rates_window_moves_the_pp50_cut():
    before = run_json("price", "--income", "1000000", "--programmes", "JKK,JKM", "--month", "2024-05")
    run("rates", "window", "PP50-2025", "--from", "2024-05", "--to", "2024-06")
    after = run_json("price", "--income", "1000000", "--programmes", "JKK,JKM", "--month", "2024-05")
    apbd = run_json(
        "price",
        "--income",
        "1000000",
        "--programmes",
        "JKK,JKM",
        "--month",
        "2024-05",
        "--payer-kind",
        "APBD",
    )
    assert (before["total"], after["total"], apbd["total"]) == (16_800, 8_400, 16_800)


@pytest.mark.django_db
def test_nik_check_accepts_a_female_nik_with_day_plus_forty():
    data = run_json("nik", "check", "6471054412850003")
    assert data["valid"] and data["sex"] == "F" and data["birth_date"] == "1985-12-04"
    assert data["district"]["name"] == "Balikpapan Selatan"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("647105441285000", "length"),
        ("6471053102850003", "birth_date_invalid"),
        ("64710544128500AB", "not_digits"),
    ],
)
def test_nik_check_rejects_bad_niks(nik, code):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("nik", "check", nik, "--json", stdout=out)
    assert code in [problem["code"] for problem in json.loads(out.getvalue())["problems"]]


def test_register_pay_twice_with_one_key_and_show(world):
    village = a_village("64.71.05")
    register_args = [
        "participant",
        "register",
        "--nik",
        "6471054412850003",
        "--name",
        "Dewi Lestari",
        "--birth-date",
        "1985-12-04",
        "--sex",
        "F",
        "--village",
        village,
        "--occupation",
        "PEDAGANG_PASAR",
        "--income",
        "1000000",
        "--outlet",
        "POS-BPN",
        "--registered-at",
        "2024-01-10",
    ]
    registered = run_json(*register_args)
    assert registered["ok"] and registered["office"] == "KC-BPN"
    with pytest.raises(CommandError):
        run(*register_args)
    assert Participant.objects.count() == 1

    first = run_json("pay", "6471054412850003", "--months", "1", "--paid-at", "2024-01-10", "--key", "POS-1")
    again = run_json("pay", "6471054412850003", "--months", "1", "--paid-at", "2024-01-10", "--key", "POS-1")
    assert first["created"] and not again["created"] and first["payment"] == again["payment"]
    assert Payment.objects.count() == 1

    lapsed = run_json("participant", "show", registered["number"], "--as-of", "2024-05-20")
    assert lapsed["status"] == "lapsed" and lapsed["paid_through"] == "2024-01"
    assert lapsed["nik"] != "6471054412850003"  # masked in output

    restart = run_json(
        "pay", registered["number"], "--months", "3", "--paid-at", "2024-06-03", "--key", "POS-2"
    )
    assert restart["first_month"] == "2024-06"
    shown = run_json("participant", "show", "6471054412850003", "--as-of", "2024-06-03")
    assert shown["status"] == "active" and shown["number"] == registered["number"]
    assert shown["covered"] == [
        {"first": "2024-01", "last": "2024-01"},
        {"first": "2024-06", "last": "2024-08"},
    ]


def test_lapse_run_command_reports_counts(world, register):
    register()
    data = run_json("lapse", "run", "--as-of", "2099-01-01")
    assert data["statuses"]["lapsed"] == 1
