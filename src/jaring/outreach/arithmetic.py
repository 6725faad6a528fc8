"""The outreach rules that are plain arithmetic (no Django): a budget forecast and a target's attainment.
Each answer carries the figures it was made from, so a page can show its arithmetic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Forecast:
    """Next year's budget for a group: ``members`` x ``months`` x ``monthly_price`` rupiah. ``ceiling`` is
    this year's pagu (None when unknown); ``change`` the forecast minus it."""

    members: int
    months: int
    monthly_price: int
    ceiling: int | None = None

    def __post_init__(self) -> None:
        for name in ("members", "months", "monthly_price"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} is never negative")

    @property
    def total(self) -> int:
        return self.members * self.months * self.monthly_price

    @property
    def change(self) -> int | None:
        return None if self.ceiling is None else self.total - self.ceiling

    def as_dict(self) -> dict:
        return {
            "members": self.members,
            "months": self.months,
            "monthly_price": self.monthly_price,
            "total": self.total,
            "ceiling": self.ceiling,
            "change": self.change,
            "arithmetic": self.arithmetic(),
        }

    def arithmetic(self) -> str:
        """``1.200 x 12 x Rp16.800 = Rp241.920.000``: the figures in Indonesian notation."""
        return (
            f"{_thousands(self.members)} x {self.months} x Rp{_thousands(self.monthly_price)} "
            f"= Rp{_thousands(self.total)}"
        )


@dataclass(frozen=True)
class Attainment:
    """``count`` reached of ``required``: met when the count is at least the requirement."""

    count: int
    required: int

    @property
    def met(self) -> bool:
        return self.count >= self.required

    @property
    def short(self) -> int:
        """How many are still missing (0 once met)."""
        return max(self.required - self.count, 0)

    @property
    def percent(self) -> int | None:
        """The count per requirement in whole percent, rounded down and capped at 100; None when nothing is
        required."""
        if self.required <= 0:
            return None
        return min(100, self.count * 100 // self.required)

    def as_dict(self) -> dict:
        return {"count": self.count, "required": self.required, "met": self.met, "short": self.short}


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")
