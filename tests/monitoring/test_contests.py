"""A contest the seed never saw: other outlets, other dates, registrations and payments loaded through the
bulk import with their own dates; ranks, ties, prizes, eligibility and the other metrics."""

import csv
import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from tests.conftest import a_village

from jaring.channels.services import outlet_create, partner_create
from jaring.imports.readers import COLUMNS
from jaring.imports.services import import_job_for_file, import_run
from jaring.monitoring.contests import contest_outlets
from jaring.monitoring.queries import contest_get, contest_leaderboard, contest_monev, contest_winners
from jaring.monitoring.services import contest_define
from jaring.rules.nik import Sex, make_nik
from jaring.tallies.verify import tallies_verify

pytestmark = pytest.mark.django_db

DISTRICTS = {
    "BRI-MDN": "12.71.01",
    "BRI-MKS": "73.71.01",
    "BRI-DPS": "51.71.01",
    "BRI-JYP": "91.71.01",
    "BRI-SBY": "35.78.01",
}
SPRINT = {
    "code": "bri-sprint-2024",
    "name": "BRI Sprint Februari 2024",
    "metric": "new_registrations",
    "outlets": {"codes": ["BRI-MDN", "BRI-MKS", "BRI-DPS", "BRI-JYP"]},
    "periods": [
        {
            "code": "W1",
            "start": "2024-02-01",
            "end": "2024-02-14",
            "prizes": [3_000_000, 2_000_000, 1_000_000],
        },
        {"code": "W2", "start": "2024-02-15", "end": "2024-02-29", "prizes": ["Rp1.000.000"]},
    ],
}


@pytest.fixture
def bri(db):
    bank = partner_create(code="BRI", name="Bank Rakyat Indonesia", kind="bank")
    return {
        code: outlet_create(code=code, name=f"BRI {code[4:]}", partner=bank, region_code=district)
        for code, district in DISTRICTS.items()
    }


class Files:
    """Writes registration and payment files and imports them, as an operator migrating records would."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.serial = 0
        self.niks: dict[str, list[str]] = {}

    def registrations(self, rows: list[tuple[str, str]]) -> None:
        """(outlet code, registered_at) per worker."""
        path = self.folder / f"reg-{self.serial}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS["registrations"])
            for outlet, registered_at in rows:
                self.serial += 1
                district = DISTRICTS[outlet]
                nik = make_nik(district, date(1980, 1, 1), Sex.MALE, self.serial)
                self.niks.setdefault(outlet, []).append(nik)
                writer.writerow(
                    [
                        nik, f"Pekerja {self.serial}", "1980-01-01", "M", "", a_village(district), "PETANI",
                        "1000000", "JKK+JKM", outlet, "", registered_at,
                    ]
                )  # fmt: skip
        job = import_run(import_job_for_file(path=path, kind="registrations"))
        assert (job.status, job.rejected) == ("done", 0), job.reasons

    def payments(self, rows: list[tuple[str, str, str]]) -> None:
        """(NIK, paid_at, collecting outlet code) per one-month payment of Rp16,800."""
        path = self.folder / f"pay-{len(rows)}-{self.serial}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS["payments"])
            for number, (nik, paid_at, outlet) in enumerate(rows):
                writer.writerow([nik, 1, 16_800, paid_at, outlet, f"ref-{number}"])
        job = import_run(import_job_for_file(path=path, kind="payments"))
        assert (job.status, job.rejected) == ("done", 0), job.reasons


@pytest.fixture
def files(tmp_path):
    return Files(tmp_path)


@pytest.fixture
def sprint(bri, files):
    """W1: DPS 8 first; MKS and JYP 6 each, both complete on 2 Feb (a full tie); MDN 6, complete only on
    6 Feb. Registrations outside W1, or at outlets outside the contest, must not count."""
    rows = [("BRI-DPS", f"2024-02-{day:02d}") for day in (1, 3, 5, 7, 9, 11, 13)]
    rows.append(("BRI-DPS", "2024-02-14T23:30:00+07:00"))  # still 14 February in Jakarta
    rows.append(("BRI-DPS", "2024-02-14T17:00:00+00:00"))  # midnight in Jakarta: 15 February, W2
    rows.append(("BRI-DPS", "2024-01-31"))  # before the contest
    rows += [("BRI-MKS", "2024-02-01")] * 3 + [("BRI-MKS", "2024-02-02")] * 3
    rows += [("BRI-JYP", "2024-02-01")] * 3 + [("BRI-JYP", "2024-02-02")] * 3
    rows += [("BRI-MDN", f"2024-02-0{day}") for day in range(1, 7)]
    rows += [("BRI-SBY", "2024-02-05")] * 20  # not in the contest
    rows += [("BRI-MDN", "2024-02-20")] * 2
    files.registrations(rows)
    return contest_define(spec=SPRINT)


def test_ranks_break_ties_by_who_reached_the_value_first_and_share_full_ties(sprint):
    board = contest_leaderboard(sprint, "W1", as_of=date(2024, 3, 1))
    assert board.state == "closed"
    assert [(r.rank, r.outlet, r.value, r.prize) for r in board.rows] == [
        (1, "BRI-DPS", 8, 3_000_000),
        (2, "BRI-JYP", 6, 1_500_000),  # a full tie with MKS: ranks 2 and 3 shared, prizes split
        (2, "BRI-MKS", 6, 1_500_000),
        (4, "BRI-MDN", 6, 0),  # reached 6 only on 6 February
    ]
    assert [r.reached for r in board.rows[1:]] == [date(2024, 2, 2), date(2024, 2, 2), date(2024, 2, 6)]
    assert board.rows[1].shared and not board.rows[3].shared
    assert tallies_verify() == []


def test_the_json_of_a_period_lists_every_eligible_outlet_with_a_prize_or_zero(sprint):
    out = StringIO()
    call_command("contest", "leaderboard", "bri-sprint-2024", "--period", "W2", "--as-of", "2024-03-01",
                 "--json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue()) == {
        "contest": "bri-sprint-2024",
        "period": "W2",
        "rows": [
            {"rank": 1, "outlet": "BRI-MDN", "name": "BRI MDN", "value": 2, "prize": 1_000_000},
            {"rank": 2, "outlet": "BRI-DPS", "name": "BRI DPS", "value": 1, "prize": 0},
            {"rank": 3, "outlet": "BRI-JYP", "name": "BRI JYP", "value": 0, "prize": 0},
            {"rank": 3, "outlet": "BRI-MKS", "name": "BRI MKS", "value": 0, "prize": 0},
        ],
    }


def test_a_live_leaderboard_counts_the_days_up_to_the_day_asked(sprint):
    board = contest_leaderboard(sprint, "W1", as_of=date(2024, 2, 3))
    assert board.state == "running"
    assert {r.outlet: r.value for r in board.rows} == {"BRI-DPS": 2, "BRI-MKS": 6, "BRI-JYP": 6, "BRI-MDN": 3}
    with pytest.raises(ValidationError):
        contest_winners(sprint, "W1", as_of=date(2024, 2, 3))
    with pytest.raises(ValidationError):
        contest_winners(sprint, "W1", as_of=date(2024, 2, 14))  # its last day: still running
    assert len(contest_winners(sprint, "W1", as_of=date(2024, 2, 15)).winners) == 3


def test_monev_of_the_unseen_contest(sprint):
    monev = contest_monev(sprint, as_of=date(2024, 2, 20))
    w1, w2 = monev.periods
    assert (w1.total, w2.total, w2.state) == (26, 3, "running")
    assert w2.growth.pct == round((3 / 26 - 1) * 100, 1)
    medan = next(o for o in monev.outlets if o.outlet == "BRI-MDN")
    assert medan.values == (6, 2) and str(medan.growths[1].pct) == "-66.7"


def test_eligibility_by_partner_code_or_kind_and_by_region_prefix(bri, world):
    by_code = contest_define(spec={**SPRINT, "code": "a", "outlets": {"partner": "BRI"}})
    by_kind = contest_define(spec={**SPRINT, "code": "b", "outlets": {"partner": "bank"}})
    by_region = contest_define(spec={**SPRINT, "code": "c", "outlets": {"region": "73"}})
    both = contest_define(spec={**SPRINT, "code": "d", "outlets": {"partner": "bank", "region": "32.15"}})
    assert {o.code for o in contest_outlets(by_code)} == set(DISTRICTS)
    assert {o.code for o in contest_outlets(by_kind)} == {*DISTRICTS, "BNI-KRW"}
    assert [o.code for o in contest_outlets(by_region)] == ["BRI-MKS"]
    assert [o.code for o in contest_outlets(both)] == ["BNI-KRW"]


def test_amount_collected_is_credited_to_the_collecting_outlet_and_first_paid_to_the_acquiring(sprint, files):
    medan = files.niks["BRI-MDN"]
    files.payments(
        [
            (medan[0], "2024-02-10", "BRI-MKS"),  # a Medan worker pays at the Makassar outlet
            (medan[1], "2024-02-11", "BRI-MDN"),
            (files.niks["BRI-JYP"][0], "2024-02-12", "BRI-JYP"),
        ]
    )
    collected = contest_define(spec={**SPRINT, "code": "iuran", "metric": "amount_collected"})
    board = contest_leaderboard(collected, "W1", as_of=date(2024, 3, 1))
    assert {r.outlet: r.value for r in board.rows if r.value} == {"BRI-MKS": 16_800, "BRI-MDN": 16_800,
                                                                 "BRI-JYP": 16_800}  # fmt: skip
    # Equal amounts: Makassar collected first (10 Feb), then Medan (11), then Jayapura (12).
    assert [r.outlet for r in board.rows[:3]] == ["BRI-MKS", "BRI-MDN", "BRI-JYP"]
    assert [r.prize for r in board.rows[:3]] == [3_000_000, 2_000_000, 1_000_000]
    paid = contest_define(spec={**SPRINT, "code": "bayar", "metric": "first_paid_registrations"})
    board = contest_leaderboard(paid, "W1", as_of=date(2024, 3, 1))
    assert {r.outlet: r.value for r in board.rows if r.value} == {"BRI-MDN": 2, "BRI-JYP": 1}
    assert tallies_verify() == []


def test_define_from_yaml_creates_then_updates_the_contest(bri, tmp_path):
    path = tmp_path / "sprint.yaml"
    path.write_text(
        "code: bri-sprint-2024\nname: BRI Sprint\nmetric: new_registrations\n"
        "outlets: {codes: [BRI-MDN, BRI-MKS]}\n"
        "periods:\n"
        "  - {code: W1, start: 2024-02-01, end: 2024-02-14, prizes: [3000000, 2000000]}\n"
        "  - {code: W2, start: 2024-02-15, end: 2024-02-29, prizes: [1000000]}\n",
        encoding="utf-8",
    )
    call_command("contest", "define", str(path), stdout=StringIO())
    contest = contest_get("bri-sprint-2024")
    assert [p.code for p in contest.periods.all()] == ["W1", "W2"]
    path.write_text(
        path.read_text()
        .replace("  - {code: W2, start: 2024-02-15, end: 2024-02-29, prizes: [1000000]}\n", "")
        .replace("[3000000, 2000000]", "[5000000]")
        .replace("BRI-MDN, BRI-MKS", "BRI-MDN"),
        encoding="utf-8",
    )
    call_command("contest", "define", str(path), stdout=StringIO())
    contest.refresh_from_db()
    assert [p.code for p in contest.periods.all()] == ["W1"]
    assert list(contest.periods.get().prizes.values_list("rank", "amount")) == [(1, 5_000_000)]
    assert [o.code for o in contest_outlets(contest)] == ["BRI-MDN"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": "likes"}, "metric"),
        ({"outlets": {"shop": "x"}}, "outlets"),
        ({"outlets": {"codes": ["NOPE"]}}, "outlets"),
        ({"periods": [{"code": "A", "start": "2024-02-10", "end": "2024-02-01"}]}, "periods.A"),
        (
            {"periods": [{"code": "A", "start": "2024-02-01", "end": "2024-02-10"},
                         {"code": "B", "start": "2024-02-10", "end": "2024-02-20"}]},
            "periods",
        ),
        ({"periods": [{"code": "A", "start": "2024-02-01", "end": "2024-02-10", "prizes": [-5]}]},
         "periods.A.prizes"),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_refused_field_by_field(bri, change, field):
    with pytest.raises(ValidationError) as error:
        contest_define(spec={**SPRINT, **change})
    assert field in error.value.message_dict
