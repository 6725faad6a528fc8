"""Exact rupiah arithmetic: money is an int number of rupiah, rates are Decimal fractions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def _exact(value: Decimal | Fraction | int, name: str) -> Fraction:
    if isinstance(value, (bool, float)):
        raise TypeError(f"{name} must be a Decimal, Fraction or int, not {type(value).__name__}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{name} must be a finite number, got {value}")
        return Fraction(value)
    if isinstance(value, (Fraction, int)):
        return Fraction(value)
    raise TypeError(f"{name} must be a Decimal, Fraction or int, not {type(value).__name__}")


def round_half_up(value: Decimal | Fraction | int) -> int:
    """``value`` rounded to a whole number exactly, halves away from zero (2.5 -> 3, -2.5 -> -3).

    Floats are refused (TypeError): they cannot hold rupiah amounts or rates exactly.
    """
    exact = _exact(value, "value")
    whole, remainder = divmod(abs(exact.numerator), exact.denominator)
    if 2 * remainder >= exact.denominator:
        whole += 1
    return -whole if exact < 0 else whole


def percent_of(amount: int, rate: Decimal) -> int:
    """``amount * rate`` in whole rupiah, rounded half up; ``rate`` is a fraction (Decimal("0.01") is 1 %)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount must be an int number of rupiah, not {type(amount).__name__}")
    return round_half_up(_exact(rate, "rate") * amount)


def format_rupiah(amount: int) -> str:
    """Rupiah as Indonesians write it: ``Rp16.800``, ``Rp0``, ``-Rp1.000``."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount must be an int number of rupiah, not {type(amount).__name__}")
    digits = f"{abs(amount):,}".replace(",", ".")
    return f"-Rp{digits}" if amount < 0 else f"Rp{digits}"
