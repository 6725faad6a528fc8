from datetime import date

import pytest
from tests.conftest import jakarta

from jaring.contributions.services import payment_record
from jaring.rules.nik import Sex, make_nik

BRI_ACCOUNT = "123456789012345"  # BRI prints 15 digits


@pytest.fixture
def worker(world, register):
    """A market trader registered on 5 January 2024 at Pos Karawang (JKK+JKM, Rp1,000,000 declared)."""
    return register(registered_at=jakarta(2024, 1, 5), name="Ahmad Yani")


@pytest.fixture
def pay(world):
    made = iter(range(1, 10_000))

    def _pay(participant, months, paid_at, *, amount=None):
        return payment_record(
            participant=participant,
            months=months,
            amount=amount if amount is not None else 16_800 * months,
            source="test",
            idempotency_key=f"pay-{next(made)}",
            paid_at=paid_at,
            outlet=world.pos_karawang,
            history_allowed=True,
        ).payment

    return _pay


def heir(relation="spouse", serial=7, **fields):
    from jaring.claims.services import HeirRequest

    values = {
        "nik": make_nik("32.15.01", date(1987, 2, 3), Sex("F"), serial),
        "name": "Siti Rahma",
        "relation": relation,
        "bank": "BRI",
        "account_number": BRI_ACCOUNT,
        "account_name": "Siti Rahma",
    }
    values.update(fields)
    return HeirRequest(**values)


@pytest.fixture
def jkm():
    """A JKM request for ``participant`` dying at ``moment``, with one heir unless told otherwise."""
    from jaring.claims.services import ClaimRequest

    made = iter(range(1, 10_000))

    def _jkm(participant, moment, *, heirs=None, details=None, key=None):
        return ClaimRequest(
            participant=participant.nik,
            kind="JKM",
            incident_at=moment,
            heirs=tuple(heirs if heirs is not None else [heir()]),
            details=details or {},
            source="test",
            idempotency_key=key or f"claim-{next(made)}",
        )

    return _jkm
