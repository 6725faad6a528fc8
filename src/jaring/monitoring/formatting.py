"""How monitoring reports write numbers, money, dates and their words, in Indonesian (default) or English.

Reports are documents handed to partners and offices, so their wording is part of their format: the words
are kept here as one small vocabulary per language, beside the number formats they go with (Indonesian
``Rp1.234.567``, ``2.381``, ``12,5 %``, ``24 Oktober 2023``; English ``Rp1,234,567``, ``2,381``,
``12.5 %``, ``24 October 2023``). JSON output always uses the English number format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from jaring.monitoring.arithmetic import Growth

MONTHS = {
    "id": (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
        "November", "Desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ),
}  # fmt: skip

WORDS = {
    "id": {
        "leaderboard": "Papan Peringkat",
        "monev": "Monitoring dan Evaluasi",
        "targets": "Capaian Target",
        "contest": "Lomba",
        "period": "Periode",
        "dates": "Tanggal",
        "as_of": "Per tanggal",
        "through": "s.d.",
        "rank": "Peringkat",
        "outlet": "Kode kantor",
        "name": "Nama kantor",
        "value": "Nilai",
        "prize": "Hadiah",
        "total": "Total",
        "growth": "Pertumbuhan",
        "arithmetic": "Perhitungan",
        "all_outlets": "Semua kantor",
        "status": "Status",
        "office": "Kantor",
        "metric": "Ukuran",
        "segment": "Segmen",
        "target": "Target",
        "achievement": "Capaian",
        "attainment": "Persentase capaian",
        "projection": "Proyeksi akhir periode",
        "active": "Peserta aktif",
        "potential": "Potensi pasar",
        "penetration": "Penetrasi",
        "staff_figures": "angka petugas",
        "estimate": "perkiraan",
        "regencies": "kab/kota",
        "to_date": "sampai tanggal laporan",
        "whole_period": "periode penuh",
        "generated": "Dibuat oleh jaring",
        "tie_note": "Nilai sama diurutkan menurut siapa yang lebih dulu mencapainya.",
        "growth_note": "Pertumbuhan = nilai periode / nilai periode sebelumnya - 1.",
        "to_date_note": "Periode berjalan dibandingkan sampai tanggal laporan dengan periode sebelumnya "
        "secara penuh.",
        "rule_note": "Tepat waktu bila proyeksi (capaian / hari berjalan x hari periode) mencapai target; "
        "berisiko bila di bawahnya.",
        "own": "target sendiri",
        "below": "jumlah target di bawahnya",
        "n/a": "-",
        "new_registrations": "Pendaftaran baru",
        "first_paid_registrations": "Pendaftaran yang sudah membayar",
        "amount_collected": "Iuran terkumpul",
        "new_participants": "Peserta baru",
        "active_participants": "Peserta aktif",
        "active_agents": "Agen aktif",
        "acquisitions_per_agent": "Akuisisi per agen",
        "contributions": "Iuran terkumpul",
        "new_companies": "Perusahaan baru",
        "new_workers": "Pekerja penerima upah baru",
        "segments": "Peserta per segmen",
        "registered": "Terdaftar",
        "segment_note": "Terdaftar: menurut segmen pada tanggal laporan (termasuk perpindahan segmen). "
        "Aktif: menurut segmen saat mendaftar.",
        "on_track": "tepat waktu",
        "at_risk": "berisiko",
        "achieved": "tercapai",
        "missed": "tidak tercapai",
        "not_started": "belum dimulai",
        "no_data": "belum ada data",
        "no_target": "tanpa target",
        "closed": "selesai",
        "running": "berjalan",
        "upcoming": "belum dimulai",
    },
    "en": {
        "leaderboard": "Leaderboard",
        "monev": "Monitoring and Evaluation",
        "targets": "Target Status",
        "contest": "Contest",
        "period": "Period",
        "dates": "Dates",
        "as_of": "As of",
        "through": "to",
        "rank": "Rank",
        "outlet": "Outlet code",
        "name": "Outlet",
        "value": "Value",
        "prize": "Prize",
        "total": "Total",
        "growth": "Growth",
        "arithmetic": "Arithmetic",
        "all_outlets": "All outlets",
        "status": "Status",
        "office": "Office",
        "metric": "Metric",
        "segment": "Segment",
        "target": "Target",
        "achievement": "Achievement",
        "attainment": "Attainment",
        "projection": "Projection to period end",
        "active": "Active participants",
        "potential": "Potential market",
        "penetration": "Penetration",
        "staff_figures": "staff figures",
        "estimate": "estimate",
        "regencies": "regencies/cities",
        "to_date": "to the report date",
        "whole_period": "whole period",
        "generated": "Made by jaring",
        "tie_note": "Equal values are ordered by who reached the value first.",
        "growth_note": "Growth = the period's value / the previous period's value - 1.",
        "to_date_note": "A running period is compared to the report date with the whole previous period.",
        "rule_note": "On track when the projection (achievement / elapsed days x days in the period) reaches "
        "the target; at risk when it falls short.",
        "own": "own target",
        "below": "sum of the targets below",
        "n/a": "-",
        "new_registrations": "New registrations",
        "first_paid_registrations": "Registrations that have paid",
        "amount_collected": "Contributions collected",
        "new_participants": "New participants",
        "active_participants": "Active participants",
        "active_agents": "Active agents",
        "acquisitions_per_agent": "Acquisitions per agent",
        "contributions": "Contributions collected",
        "new_companies": "New companies",
        "new_workers": "New wage earners",
        "segments": "Participants by segment",
        "registered": "Registered",
        "segment_note": "Registered: by their segment on the report date (moves between segments included). "
        "Active: by the segment they registered in.",
        "on_track": "on track",
        "at_risk": "at risk",
        "achieved": "achieved",
        "missed": "missed",
        "not_started": "not started",
        "no_data": "no data yet",
        "no_target": "no target",
        "closed": "closed",
        "running": "running",
        "upcoming": "upcoming",
    },
}

MONEY_METRICS = frozenset({"amount_collected", "contributions"})


DASH = "\u2013"  # between the first and last day of a span


@dataclass(frozen=True)
class Style:
    """Number, money, date and word formats of one language (``id`` or ``en``)."""

    lang: str = "id"

    def __post_init__(self) -> None:
        if self.lang not in WORDS:
            raise ValueError(f"unknown report language {self.lang!r}: use id or en")

    def word(self, key: str) -> str:
        return WORDS[self.lang].get(key, key)

    def count(self, value: int | None) -> str:
        if value is None:
            return self.word("n/a")
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "id" else text

    def rupiah(self, value: int | None) -> str:
        if value is None:
            return self.word("n/a")
        return f"-Rp{self.count(-value)}" if value < 0 else f"Rp{self.count(value)}"

    def amount(self, value: int | None, metric: str) -> str:
        """A value of ``metric``: rupiah for money metrics, a count otherwise."""
        return self.rupiah(value) if metric in MONEY_METRICS else self.count(value)

    def percent(self, value: Decimal | None) -> str:
        if value is None:
            return self.word("n/a")
        if value == value.to_integral():
            text = str(int(value))
        elif abs(value) < 1:  # a small share keeps its digits (small_percent): 0.00084 %, not 0.0 %
            text = f"{value.normalize():f}"
        else:
            text = f"{value:.1f}"
        if self.lang == "id":
            text = text.replace(".", ",")
        return f"{text} %"

    def day(self, value: date | None) -> str:
        if value is None:
            return self.word("n/a")
        return f"{value.day} {MONTHS[self.lang][value.month - 1]} {value.year}"

    def span(self, start: date, through: date) -> str:
        """``Desember 2026`` (a whole month), ``1-7 Desember 2026``, ``1 Januari-7 Desember 2026`` (with an
        en dash), ``2026`` (a whole year)."""
        names = MONTHS[self.lang]
        whole_month = start.day == 1 and (through + timedelta(days=1)).day == 1
        if (start.year, start.month) == (through.year, through.month):
            month = f"{names[through.month - 1]} {through.year}"
            if whole_month:
                return month
            return self.day(through) if start == through else f"{start.day}{DASH}{through.day} {month}"
        if start.year == through.year:
            if (start.month, start.day, through.month, through.day) == (1, 1, 12, 31):
                return str(start.year)
            return f"{start.day} {names[start.month - 1]}{DASH}{self.day(through)}"
        return f"{self.day(start)}{DASH}{self.day(through)}"

    def growth(self, growth: Growth, metric: str = "") -> str:
        """The sum done: ``16,000 / 2,500 - 1 = 540 %`` (or why there is none)."""
        if growth.pct is None:
            return f"{self.amount(growth.current, metric)} / 0: -"
        return (
            f"{self.amount(growth.current, metric)} / {self.amount(growth.previous, metric)} - 1 = "
            f"{self.percent(growth.pct)}"
        )


JSON = Style("en")


def attainment_sum(style: Style, achievement: int | None, target: int | None, pct, metric: str) -> str:
    """``30,000 / 60,293 = 49.8 %``."""
    if achievement is None or not target:
        return style.word("n/a")
    return f"{style.amount(achievement, metric)} / {style.amount(target, metric)} = {style.percent(pct)}"


def projection_sum(
    style: Style,
    *,
    achievement: int | None,
    baseline: int,
    elapsed: int,
    total: int,
    projection: int | None,
    target: int | None,
    status: str,
    metric: str,
    level: bool,
) -> str:
    """``30,000 / 212 x 365 = 51,651 < 60,293: at risk`` (for a level, the change since the baseline is
    projected: ``b + (a - b) / elapsed x total``)."""
    if projection is None or achievement is None:
        return style.word(status)
    a, p = style.amount(achievement, metric), style.amount(projection, metric)
    if level:
        b = style.amount(baseline, metric)
        text = f"{b} + ({a} - {b}) / {elapsed} x {total} = {p}"
    else:
        text = f"{a} / {elapsed} x {total} = {p}"
    if target is not None:
        sign = ">=" if projection >= target else "<"
        text += f" {sign} {style.amount(target, metric)}"
    return f"{text}: {style.word(status)}"


def penetration_sum(style: Style, active: int, potential: int, pct) -> str:
    """``150,000 / 561,177 = 26.7 %``."""
    if not potential:
        return style.word("n/a")
    return f"{style.count(active)} / {style.count(potential)} = {style.percent(pct)}"


def estimate_sum(style: Style, population: int, share, estimated: int, employed=None) -> str:
    """``2,130,000 x 50.76 % x 57.95 % = 626,575``: population x employed per resident x informal share."""
    if share is None:
        return style.word("n/a")

    def pct(value) -> str:
        text = f"{(value * 100).normalize():f}"
        return text.replace(".", ",") if style.lang == "id" else text

    employed_text = f" x {pct(employed)} %" if employed is not None and employed != 1 else ""
    return f"{style.count(population)}{employed_text} x {pct(share)} % = {style.count(estimated)}"
