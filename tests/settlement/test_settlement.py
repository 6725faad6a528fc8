"""Reconciling a channel's settlement file against what jaring recorded from it."""

import json
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from jaring.common.clock import ZONE, local_date
from jaring.contributions.models import Payment
from jaring.members.codes import participant_payment_code, payment_code_key
from jaring.rules.payment_code import payment_code
from jaring.settlement.models import Difference, SettlementFile
from jaring.settlement.services import (
    channel_payment,
    channel_terms_set,
    difference_resolve,
    settlement_funds_record,
    settlement_import,
)

HEADER = "reference,payment_code,months,amount,paid_at"


def at(day, hour, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


@pytest.fixture
def day():
    """The business date the file settles: the day before yesterday (late records are still in time)."""
    return local_date() - timedelta(days=2)


@pytest.fixture
def workers(register, day):
    return [register(registered_at=at(day - timedelta(days=3), 9), name=f"Pekerja {n}") for n in range(6)]


@pytest.fixture
def write(tmp_path):
    made = iter(range(1, 100))

    def _write(lines, header=HEADER):
        path = tmp_path / f"settlement-{next(made)}.csv"
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        return path

    return _write


def line(reference, worker, months, amount, moment):
    return f"{reference},{participant_payment_code(worker)},{months},{amount},{moment.isoformat()}"


def notify(channel, worker, reference, months, amount, moment):
    return channel_payment(
        channel=channel,
        customer=participant_payment_code(worker),
        months=months,
        amount=amount,
        reference=reference,
        paid_at=moment,
    )


def test_a_file_is_reconciled_into_exactly_its_buckets_and_again_changes_nothing(
    channel, workers, day, write
):
    first, second, not_in_file, differing, missing_from_jaring = workers[:5]
    for reference, worker in (("R1", first), ("R2", second), ("R3", not_in_file), ("R4", differing)):
        notify(channel, worker, reference, 1, 16_800, at(day, 10))
    path = write(
        [
            line("R1", first, 1, 16_800, at(day, 10)),
            line("R2", second, 1, 16_800, at(day, 10)),
            line("R4", differing, 3, 50_400, at(day, 10)),
            line("R5", missing_from_jaring, 1, 16_800, at(day, 11)),
        ]
    )
    result = settlement_import(channel=channel, path=path)
    assert result.counts == {
        "matched": 2,
        "recorded": 1,
        "queued": 0,
        "missing_from_file": 1,
        "amount_differs": 1,
        "rejected": 0,
    }
    assert result.file.business_date == day
    recorded = Payment.objects.get(source=channel.source, idempotency_key="R5")
    assert (recorded.participant_id, recorded.amount, recorded.outlet) == (
        missing_from_jaring.pk,
        16_800,
        channel.outlet,
    )
    open_ones = {(d.kind, d.reference): (d.file_amount, d.recorded_amount) for d in Difference.objects.all()}
    assert open_ones == {
        ("missing_from_file", "R3"): (None, 16_800),
        ("amount_differs", "R4"): (50_400, 16_800),
    }

    again = settlement_import(channel=channel, path=path)
    assert again.replayed and again.counts == result.counts
    assert Payment.objects.count() == 5 and Difference.objects.count() == 2
    assert SettlementFile.objects.count() == 1


def test_bad_lines_are_reported_each_and_the_good_ones_go_through(channel, workers, day, write):
    good, other = workers[:2]
    nobody = payment_code(9_999_999, payment_code_key())  # a good check digit, naming nobody
    code = participant_payment_code(other)
    mistyped = code[:-1] + str((int(code[-1]) + 1) % 10)
    path = write(
        [
            line("G1", good, 1, 16_800, at(day, 10)),
            line("G1", good, 1, 16_800, at(day, 10)),  # the same line twice
            f"N1,{code},1,-16800,{at(day, 10).isoformat()}",
            f"U1,{nobody},1,16800,{at(day, 10).isoformat()}",
            f"M1,{mistyped},1,16800,{at(day, 10).isoformat()}",
            f"P1,{code},1,16000,{at(day, 10).isoformat()}",  # not the price
        ]
    )
    result = settlement_import(channel=channel, path=path)
    assert result.counts["recorded"] == 1 and result.counts["queued"] == 2 and result.counts["rejected"] == 3
    reasons = {
        d.line: (d.kind, d.reason.split(": ")[0] if d.kind == "rejected" else "")
        for d in Difference.objects.all()
    }
    assert reasons == {
        3: ("rejected", "reference:duplicate"),
        4: ("rejected", "amount:negative"),
        5: ("queued", ""),  # a code naming nobody
        6: ("queued", ""),  # a mistyped one: its check digit fails
        7: ("rejected", "amount:price_mismatch"),
    }
    assert list(Payment.objects.values_list("idempotency_key", flat=True)) == ["G1"]


def test_a_file_with_a_wrong_column_changes_nothing(channel, workers, day, write):
    path = write(
        [line("R1", workers[0], 1, 16_800, at(day, 10))], header="reference,nik,months,amount,paid_at"
    )
    with pytest.raises(ValidationError) as refused:
        settlement_import(channel=channel, path=path)
    assert "reference,payment_code,months,amount,paid_at" in refused.value.message_dict["file"][0]
    assert not Payment.objects.exists() and not SettlementFile.objects.exists()


def test_the_cut_off_decides_the_business_date_of_what_is_missing(channel, workers, day, write):
    channel_terms_set(channel=channel, valid_from=_month_of(day) - 1, cutoff="23:00", fee=0)
    late_yesterday, late_today, in_file = workers[:3]
    notify(
        channel, late_yesterday, "L1", 1, 16_800, at(day - timedelta(days=1), 23, 30)
    )  # business date: day
    notify(channel, late_today, "L2", 1, 16_800, at(day, 23, 30))  # the next business date
    notify(channel, in_file, "F1", 1, 16_800, at(day, 12))
    result = settlement_import(channel=channel, path=write([line("F1", in_file, 1, 16_800, at(day, 12))]))
    assert result.file.business_date == day
    assert list(Difference.objects.values_list("kind", "reference")) == [("missing_from_file", "L1")]


def test_the_funds_transferred_are_reconciled_against_the_total_less_fees(channel, workers, day, write):
    channel_terms_set(channel=channel, valid_from=_month_of(day) - 1, cutoff="00:00", fee=1_000)
    path = write(
        [line("F1", workers[0], 1, 16_800, at(day, 9)), line("F2", workers[1], 1, 16_800, at(day, 9))]
    )
    result = settlement_import(channel=channel, path=path, funds=30_000)
    assert (result.file.total, result.file.fees, result.file.funds_expected) == (33_600, 2_000, 31_600)
    funds = Difference.objects.get(kind="funds")
    assert (funds.file_amount, funds.recorded_amount) == (31_600, 30_000)
    settlement_funds_record(settlement=result.file, funds=31_600)
    assert not Difference.objects.filter(kind="funds").exists()


def test_a_corrected_file_replaces_the_first_one_of_its_date(channel, workers, day, write):
    for n, worker in enumerate(workers[:2]):
        notify(channel, worker, f"C{n}", 1, 16_800, at(day, 10))
    first = settlement_import(channel=channel, path=write([line("C0", workers[0], 1, 16_800, at(day, 10))]))
    assert first.counts["missing_from_file"] == 1
    corrected = write([line(f"C{n}", worker, 1, 16_800, at(day, 10)) for n, worker in enumerate(workers[:2])])
    second = settlement_import(channel=channel, path=corrected)
    assert second.counts["matched"] == 2 and second.counts["missing_from_file"] == 0
    first.file.refresh_from_db()
    assert first.file.superseded_by == second.file
    assert not Difference.objects.filter(resolved_at__isnull=True).exists()


def test_finance_resolves_a_difference_once_with_a_reason(channel, workers, day, write):
    notify(channel, workers[0], "X1", 1, 16_800, at(day, 10))
    settlement_import(channel=channel, path=write([line("X2", workers[1], 1, 16_800, at(day, 10))]))
    difference = Difference.objects.get(kind="missing_from_file")
    with pytest.raises(ValidationError):
        difference_resolve(difference=difference, resolution="  ", actor=None)
    difference_resolve(difference=difference, resolution="in the next day's file", actor=None)
    difference.refresh_from_db()
    assert difference.resolved_at is not None and difference.resolution == "in the next day's file"
    with pytest.raises(ValidationError):
        difference_resolve(difference=difference, resolution="again", actor=None)


def test_the_command_prints_the_buckets_as_json(channel, workers, day, write):
    notify(channel, workers[0], "J1", 1, 16_800, at(day, 10))
    path = write(
        [line("J1", workers[0], 1, 16_800, at(day, 10)), line("J2", workers[1], 1, 16_800, at(day, 10))]
    )
    out = StringIO()
    call_command("settlement", "import", str(path), "--channel", "bni-h2h", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert {bucket: printed[bucket] for bucket in ("matched", "recorded", "queued")} == {
        "matched": 1,
        "recorded": 1,
        "queued": 0,
    }
    assert printed["missing_from_file"] == printed["amount_differs"] == printed["rejected"] == 0


def _month_of(day):
    from jaring.rules.months import Month

    return Month.from_date(day)
