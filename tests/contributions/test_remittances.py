"""Market collectors remit what they collected: remittances recorded once, reconciled against the deposits
the collector took, per collector and period, with the balance it still owes (issue #14)."""

import json
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone
from tests.conftest import jakarta

from jaring.accounts.audit import Actor
from jaring.accounts.models import AuditEntry
from jaring.channels.services import agent_create, outlet_create, partner_create
from jaring.common.clock import ZONE
from jaring.common.errors import IdempotencyConflict, problems_of
from jaring.contributions.models import Remittance
from jaring.contributions.remittances import Period, collector_balances
from jaring.contributions.services import deposit_record, remittance_record
from jaring.rules.months import Month

CLI = Actor("test command line")


@pytest.fixture
def market(world):
    """Two markets of one market-collector partner in Balikpapan, each with one collector on its staff."""
    partner = partner_create(code="PASAR-BPN", name="UPTD Pasar Kota Balikpapan", kind="market_collector")
    world.klandasan = outlet_create(
        code="PSR-KLD", name="Pasar Klandasan", partner=partner, region_code="64.71.01"
    )
    world.pandansari = outlet_create(
        code="PSR-PDS", name="Pasar Pandansari", partner=partner, region_code="64.71.02"
    )
    world.collector = agent_create(code="PSR-KLD-A1", name="Wati", partner=partner, outlet=world.klandasan)
    world.other_collector = agent_create(
        code="PSR-PDS-A1", name="Rudi", partner=partner, outlet=world.pandansari
    )
    return world


def remit(market, reference="SETOR-001", amount=50_000, **fields):
    values = {
        "outlet": market.klandasan,
        "agent": market.collector,
        "amount": amount,
        "remitted_at": jakarta(2024, 3, 30),
        "reference": reference,
        "actor": CLI,
    }
    values.update(fields)
    return remittance_record(**values)


def reasons(error: ValidationError) -> set[str]:
    return {problem.reason for problem in problems_of(error)}


# -- recording


def test_a_remittance_is_recorded_for_its_collector_and_audited(market):
    result = remit(market, note="setoran  minggu\nke-4")
    remittance = result.remittance
    assert result.created
    assert (remittance.outlet, remittance.agent, remittance.amount) == (
        market.klandasan,
        market.collector,
        50_000,
    )
    assert remittance.remitted_at == jakarta(2024, 3, 30)
    assert remittance.note == "setoran minggu ke-4"
    entry = AuditEntry.objects.get(object_type="contributions.remittance", object_id=str(remittance.pk))
    assert entry.username == "test command line"
    assert (
        entry.summary == "remittance of Rp50.000 by PSR-KLD, reference SETOR-001, handed over by PSR-KLD-A1"
    )


def test_an_undated_remittance_is_dated_now(market):
    before = timezone.now()
    remittance = remit(market, remitted_at=None).remittance
    assert before <= remittance.remitted_at <= timezone.now()


def test_a_retry_with_the_same_reference_and_content_returns_the_first_and_adds_nothing(market):
    first = remit(market).remittance
    retry = remit(market)
    assert not retry.created and retry.remittance.pk == first.pk
    assert Remittance.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="contributions.remittance").count() == 1


def test_the_same_reference_with_another_content_is_a_conflict_and_changes_nothing(market):
    first = remit(market).remittance
    with pytest.raises(IdempotencyConflict):
        remit(market, amount=60_000)
    with pytest.raises(IdempotencyConflict):
        remit(market, agent=None)
    assert list(Remittance.objects.values_list("pk", "amount")) == [(first.pk, 50_000)]


def test_references_are_the_collectors_own_so_two_markets_may_use_the_same_one(market):
    remit(market)
    other = remit(market, outlet=market.pandansari, agent=market.other_collector)
    assert other.created
    assert Remittance.objects.count() == 2


@pytest.mark.parametrize("amount", [0, -50_000, True, 2.5, "50000", 2**63])
def test_an_amount_that_is_not_positive_whole_rupiah_is_refused_and_nothing_is_written(market, amount):
    with pytest.raises(ValidationError) as refused:
        remit(market, amount=amount)
    assert reasons(refused.value) == {"amount:invalid"}
    assert not Remittance.objects.exists()
    assert not AuditEntry.objects.filter(object_type="contributions.remittance").exists()


def test_the_database_refuses_a_remittance_that_is_not_positive(market):
    with pytest.raises(IntegrityError), transaction.atomic():
        Remittance.objects.create(
            outlet=market.klandasan,
            amount=0,
            remitted_at=jakarta(2024, 3, 30),
            reference="R",
            fingerprint="f",
        )


def test_every_problem_is_said_per_field_and_nothing_is_written(market):
    with pytest.raises(ValidationError) as refused:
        remittance_record(
            outlet=market.pos_balikpapan,  # a Pos outlet settles its takings, it does not remit
            agent=market.other_collector,  # of another market
            amount=50_000,
            remitted_at=timezone.now() + timedelta(hours=2),
            reference="SETOR-9",
            note="x" * 201,
            actor=CLI,
        )
    assert reasons(refused.value) == {
        "outlet:not_collector",
        "agent:not_of_outlet",
        "remitted_at:future",
        "note:too_long",
    }
    for reference, reason in (("", "reference:required"), ("R\x00", "reference:control_character")):
        with pytest.raises(ValidationError) as refused:
            remit(market, reference=reference)
        assert reasons(refused.value) == {reason}
    assert not Remittance.objects.exists()


def test_a_closed_market_and_a_deactivated_collector_still_remit_what_they_owe(market):
    market.klandasan.is_active = False
    market.collector.status = "inactive"
    assert remit(market).created


# -- reconciling


def collect(market, worker, amount, when, key, outlet=None):
    return deposit_record(
        history_allowed=True,
        participant=worker,
        amount=amount,
        source="outlet:PSR-KLD",
        idempotency_key=key,
        collected_at=when,
        outlet=outlet or market.klandasan,
        agent=market.collector if outlet is None else None,
    )


def test_the_balance_owed_is_carried_from_month_to_month(market, register):
    trader = register(outlet=market.klandasan, district="64.71.01", registered_at=jakarta(2024, 2, 20))
    neighbour = register(outlet=market.klandasan, district="64.71.01", registered_at=jakarta(2024, 2, 20))
    # March: Rp5,000 a day for ten days from the trader, and a last collection just before midnight
    for day in range(1, 11):
        collect(market, trader, 5_000, jakarta(2024, 3, day), f"t{day}")
    collect(market, neighbour, 7_000, datetime(2024, 3, 31, 23, 30, tzinfo=ZONE), "n1")
    # April: just after midnight (still 31 March in UTC), then more
    collect(market, neighbour, 3_000, datetime(2024, 4, 1, 0, 30, tzinfo=ZONE), "n2")
    collect(market, trader, 20_000, jakarta(2024, 4, 15), "t11")
    # taken at the Pos counter: not the market's to remit
    collect(market, trader, 9_000, jakarta(2024, 3, 12), "pos1", outlet=market.pos_balikpapan)
    remit(market, "MAR-1", 30_000, remitted_at=jakarta(2024, 3, 20))
    remit(market, "APR-1", 25_000, remitted_at=datetime(2024, 4, 1, 8, tzinfo=ZONE))
    remit(market, "APR-2", 10_000, remitted_at=jakarta(2024, 4, 30))
    remit(market, "MAY-1", 5_000, remitted_at=jakarta(2024, 5, 2))  # after the periods asked

    def balance(period):
        (klandasan, pandansari) = collector_balances(period)
        assert (pandansari.outlet, pandansari.owed) == (market.pandansari, 0)
        return klandasan.owed_before, klandasan.collected, klandasan.remitted, klandasan.owed

    assert balance(Period.of_month(Month.of(2024, 2))) == (0, 0, 0, 0)
    assert balance(Period.of_month(Month.of(2024, 3))) == (0, 57_000, 30_000, 27_000)
    assert balance(Period.of_month(Month.of(2024, 4))) == (27_000, 23_000, 35_000, 15_000)
    assert balance(Period(date(2024, 3, 1), date(2024, 4, 30))) == (0, 80_000, 65_000, 15_000)
    assert balance(Period(date(2024, 3, 31), date(2024, 4, 1))) == (50_000 - 30_000, 10_000, 25_000, 5_000)
    assert balance(Period.of_month(Month.of(2024, 5))) == (15_000, 0, 5_000, 10_000)


def test_balances_are_read_in_three_statements_whatever_the_number_of_collectors(
    market, register, django_assert_num_queries
):
    trader = register(outlet=market.klandasan, district="64.71.01", registered_at=jakarta(2024, 2, 20))
    for day in range(1, 6):
        collect(market, trader, 5_000, jakarta(2024, 3, day), f"t{day}")
    remit(market)
    with django_assert_num_queries(3):  # the collectors, the deposits, the remittances
        balances = collector_balances(Period.of_month(Month.of(2024, 3)))
    assert [(b.outlet.code, b.owed) for b in balances] == [("PSR-KLD", 25_000 - 50_000), ("PSR-PDS", 0)]


def test_a_period_that_ends_before_it_begins_is_refused(market):
    with pytest.raises(ValidationError) as refused:
        collector_balances(Period(date(2024, 4, 1), date(2024, 3, 1)))
    assert reasons(refused.value) == {"period:invalid"}


# -- the command line


def run(*words) -> tuple[int, str, str]:
    """Runs ``jaring remittance ...``: the exit status, what it printed and what it complained."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("remittance", *words, stdout=out, stderr=err)
    except SystemExit as stop:
        return stop.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_command_line_records_and_reconciles_in_integer_rupiah(market, register):
    trader = register(outlet=market.klandasan, district="64.71.01", registered_at=jakarta(2024, 2, 20))
    for day in range(1, 5):
        collect(market, trader, 12_500, jakarta(2024, 3, day), f"t{day}")
    words = ["record", "--outlet", "PSR-KLD", "--agent", "PSR-KLD-A1", "--amount", "40.000"]
    code, out, _ = run(*words, "--reference", "KLD-0320", "--at", "2024-03-20", "--json")
    recorded = json.loads(out)
    assert code == 0
    assert recorded["created"] is True
    assert (recorded["outlet"], recorded["agent"], recorded["amount"]) == ("PSR-KLD", "PSR-KLD-A1", 40_000)
    assert datetime.fromisoformat(recorded["remitted_at"]) == jakarta(2024, 3, 20)
    code, out, _ = run(*words, "--reference", "KLD-0320", "--at", "2024-03-20", "--json")
    assert json.loads(out)["created"] is False and Remittance.objects.count() == 1

    code, out, _ = run("balance", "--month", "2024-03", "--json")
    answer = json.loads(out)
    assert (answer["from"], answer["to"]) == ("2024-03-01", "2024-03-31")
    assert answer["collectors"][0] == {
        "outlet": "PSR-KLD",
        "name": "Pasar Klandasan",
        "owed_before": 0,
        "collected": 50_000,
        "remitted": 40_000,
        "owed": 10_000,
    }
    assert answer["total"] == {"owed_before": 0, "collected": 50_000, "remitted": 40_000, "owed": 10_000}
    code, out, _ = run("balance", "--outlet", "PSR-KLD", "--from", "2024-04-01", "--to", "2024-04-30")
    assert code == 0
    (table_row,) = [line for line in out.splitlines() if line.startswith("PSR-KLD")]
    assert table_row.split() == ["PSR-KLD", "Rp10.000", "Rp0", "Rp0", "Rp10.000"]


@pytest.mark.parametrize(
    "words, reason",
    [
        (["--outlet", "PSR-KLD", "--amount", "-5000", "--reference", "R1"], "amount:invalid"),
        (["--outlet", "PSR-KLD", "--amount", "0", "--reference", "R1"], "amount:invalid"),
        (["--outlet", "PSR-KLD", "--amount", "lima ribu", "--reference", "R1"], "amount:invalid"),
        (["--outlet", "PSR-XXX", "--amount", "5000", "--reference", "R1"], "outlet:unknown"),
        (["--outlet", "POS-BPN", "--amount", "5000", "--reference", "R1"], "outlet:not_collector"),
        (
            ["--outlet", "PSR-KLD", "--agent", "AG-1", "--amount", "5000", "--reference", "R1"],
            "agent:not_of_outlet",
        ),
        (["--outlet", "PSR-KLD", "--amount", "5000"], "reference:required"),
        (
            ["--outlet", "PSR-KLD", "--amount", "5000", "--reference", "R1", "--at", "31/13/2024"],
            "remitted_at:invalid",
        ),
    ],
)
def test_bad_input_on_the_command_line_is_refused_per_field_and_writes_nothing(market, words, reason):
    code, out, _ = run("record", *words, "--json")
    assert code == 2
    assert json.loads(out)["reasons"] == [reason]
    code, _, err = run("record", *words)
    assert code == 2 and err.strip()
    assert not Remittance.objects.exists()


def test_a_conflicting_retry_on_the_command_line_exits_3(market):
    assert run("record", "--outlet", "PSR-KLD", "--amount", "5000", "--reference", "R1")[0] == 0
    with pytest.raises(CommandError) as conflict:
        run("record", "--outlet", "PSR-KLD", "--amount", "6000", "--reference", "R1")
    assert conflict.value.returncode == 3
    assert list(Remittance.objects.values_list("amount", flat=True)) == [5000]


def test_the_balance_of_an_outlet_that_is_no_collector_is_refused(market):
    code, out, _ = run("balance", "--outlet", "POS-BPN", "--json")
    assert code == 2 and json.loads(out)["reasons"] == ["outlet:not_collector"]
    code, out, _ = run("balance", "--month", "2024-13", "--json")
    assert code == 2 and json.loads(out)["reasons"] == ["month:invalid"]
