"""A contest the seed never saw: other outlets, other dates, registrations and payments loaded through the
bulk import with their own dates; ranks, ties, prizes, eligibility and the other metrics."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from tests.monitoring.conftest import DISTRICTS, SPRINT

from jaring.common.clock import local_date
from jaring.monitoring.contests import contest_outlets
from jaring.monitoring.queries import contest_get, contest_leaderboard, contest_monev, contest_winners
from jaring.monitoring.services import contest_define
from jaring.tallies.verify import tallies_verify

pytestmark = pytest.mark.django_db


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


def test_registrations_that_have_paid_as_of_a_past_day_count_the_payments_made_by_then(sprint, files):
    from jaring.common.clock import at_ten
    from jaring.contributions.models import Payment
    from jaring.contributions.services import payment_reverse
    from jaring.monitoring import readings
    from jaring.monitoring.closing import paid_by_outlet

    medan, jayapura = files.niks["BRI-MDN"], files.niks["BRI-JYP"]
    files.payments(
        [
            (medan[0], "2024-02-10", "BRI-MDN"),
            (medan[1], "2024-03-05", "BRI-MDN"),  # registered in W1, paid after it ended
            (jayapura[0], "2024-02-12", "BRI-JYP"),
        ]
    )
    paid = contest_define(spec={**SPRINT, "code": "bayar-asof", "metric": "first_paid_registrations"})

    def values(as_of):
        board = contest_leaderboard(paid, "W1", as_of=as_of)
        return {r.outlet: r.value for r in board.rows if r.value}

    assert values(date(2024, 2, 11)) == {"BRI-MDN": 1}  # Jayapura's worker paid on the 12th
    assert values(date(2024, 3, 1)) == {"BRI-MDN": 1, "BRI-JYP": 1}
    assert values(date(2024, 3, 6)) == {"BRI-MDN": 2, "BRI-JYP": 1}
    first = Payment.objects.get(participant__nik=jayapura[0])
    payment_reverse(payment=first, reason="salah input", source="test", idempotency_key="rev-1",
                    reversed_at=at_ten(date(2024, 3, 8)), history_allowed=True)  # fmt: skip
    assert values(date(2024, 3, 7)) == {"BRI-MDN": 2, "BRI-JYP": 1}  # not reversed yet on the 7th
    assert values(date(2024, 3, 9)) == {"BRI-MDN": 2}
    # today the ledger's answer and the tally's agree
    outlets = contest_outlets(paid)
    today = paid_by_outlet(date(2024, 2, 1), date(2024, 2, 14), paid_by=local_date(), outlets=outlets,
                           segment="BPU")  # fmt: skip
    tally = readings.totals_by_outlet(
        readings.FIRST_PAID_REGISTRATIONS, date(2024, 2, 1), date(2024, 2, 14), outlets=outlets, segment="BPU"
    )
    assert today == {pk: n for pk, n in tally.items() if n} and sum(today.values()) == 2
    assert values(None) == {"BRI-MDN": 2}
