"""The demo's payment channel: BNI's host-to-host link, a few days of payments it reported, and the
settlement file of one of those days with one difference of each kind, so the Settlement page has
something to resolve. Built through the same services as a real channel (``settlement.services``)."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from jaring.channels.models import Partner
from jaring.channels.services import outlet_create
from jaring.common.clock import ZONE
from jaring.members.codes import participant_payment_code, payment_code_key
from jaring.members.models import Participant
from jaring.rules.payment_code import payment_code
from jaring.settlement.queries import payment_options
from jaring.settlement.services import channel_create, channel_payment, settlement_import

CODE = "BNI-H2H"
PER_DAY = 6
DAYS = 3
FEE = 2_500


def channel_build(*, today: date, now: datetime, seed: int) -> None:
    """Makes the channel, has it report ``PER_DAY`` payments on each of the ``DAYS`` days before
    ``today``, and reconciles the settlement file of the day before yesterday."""
    rng = random.Random(seed)
    bank = Partner.objects.get(code="BNI")
    outlet = outlet_create(
        code=CODE, name="BNI host-to-host (nasional)", partner=bank, region_code="31.71.01"
    )
    channel = channel_create(
        code=CODE, name="BNI host-to-host", outlet=outlet, cutoff="23:00", fee=FEE
    ).channel
    registered_before = datetime.combine(today - timedelta(days=DAYS), time(0), ZONE)
    people = list(
        Participant.objects.filter(
            standing__status__in=("active", "arrears"), registered_at__lt=registered_before
        ).order_by("pk")[:400]
    )
    chosen = rng.sample(people, min(len(people), PER_DAY * DAYS + 2))
    reported: dict[date, list[tuple[str, Participant, int, int, datetime]]] = {}
    for day_back in range(DAYS, 0, -1):
        day = today - timedelta(days=day_back)
        for number in range(PER_DAY):
            if not chosen[2:]:
                break
            person = chosen.pop()
            paid_at = min(datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)), ZONE), now)
            option = payment_options(person, at=paid_at)[0]
            reference = f"BNI{day:%Y%m%d}{number + 1:05d}"
            channel_payment(
                channel=channel, customer=participant_payment_code(person), months=option.months,
                amount=option.amount, reference=reference, paid_at=paid_at, history_allowed=True,
            )  # fmt: skip
            reported.setdefault(day, []).append((reference, person, option.months, option.amount, paid_at))
    day = today - timedelta(days=2)
    lines = reported.get(day, [])
    if len(lines) < 3 or len(chosen) < 1:
        return
    _kept_out, differing, *matched = lines  # one the bank left out of its file, one with another amount
    late = chosen.pop()
    late_at = datetime.combine(day, time(20, 15), ZONE)
    rows = [(ref, participant_payment_code(p), months, amount, at) for ref, p, months, amount, at in matched]
    ref, person, months, amount, at = differing
    rows.append((ref, participant_payment_code(person), months, amount * 3, at))
    late_option = payment_options(late, at=late_at)[0]
    rows.append(
        (
            f"BNI{day:%Y%m%d}09001",
            participant_payment_code(late),
            late_option.months,
            late_option.amount,
            late_at,
        )
    )  # reported only in the file: recorded by the settlement
    rows.append(
        (f"BNI{day:%Y%m%d}09002", payment_code(9_999_999_901, payment_code_key()), 1, 16_800, late_at)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"BNI-settlement-{day:%Y%m%d}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["reference", "payment_code", "months", "amount", "paid_at"])
            writer.writerows((r, c, m, a, at.isoformat()) for r, c, m, a, at in rows)
        total = sum(amount for _r, _c, _m, amount, _at in rows)
        settlement_import(
            channel=channel, path=path, business_date=day, funds=total - FEE * len(rows) - 5_000
        )
