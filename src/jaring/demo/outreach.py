"""The demo's outreach: MoUs with local governments and a market manager, their commitments and budget
lines, and the markets and other sites they bring in, so the /outreach/ pages have something to show.
Built through the same services as the pages and the CLI (``outreach.services``), dated in the demo's
time (``today`` and ``now`` of the load).

- DKI Jakarta (the province) pays JKK+JKM for its PPSU street workers and RT/RW heads from its APBD: the
  demo payer's groups are linked, with this year's budget line and a governor's regulation issued.
- The governor of East Kalimantan signed with Kanwil VII: markets to bring in, a regulation not yet issued.
- UPTD Pasar Kota Balikpapan (the market collector) signed with KC Balikpapan for its two markets, so
  KC Balikpapan shows 2 of 2 government-run markets; Samarinda has one (1 of 2).
- A Kota Pontianak MoU ends within the look-ahead, so the expiring list is not empty.
- The Paritrana panel interviewed DKI Jakarta, East Kalimantan and Kota Balikpapan this year, so the
  ranking (/outreach/paritrana/) has scores beyond the tallies' (``paritrana_services.interview_set``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from jaring.accounts.audit import Actor
from jaring.channels.models import Outlet
from jaring.contributions.models import Payer, PayerGroup
from jaring.org.models import Office
from jaring.outreach.models import Mou
from jaring.outreach.paritrana_services import interview_set
from jaring.outreach.services import (
    budget_line_add,
    commitment_add,
    mou_create,
    regulation_issued,
    site_create,
)
from jaring.regions.models import Region

ACTOR = Actor("demo world")
DKI_MONTHLY_PER_WORKER = 16_800  # JKK+JKM at the minimum declared income, as the bills price it


def _village(district: str) -> str | None:
    return (
        Region.objects.filter(parent_id=district, level=Region.Level.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


def outreach_demo(*, today: date, now: datetime) -> list[Mou]:
    """Registers the demo's MoUs and sites (see the module's docstring). Does nothing when MoUs exist
    already, or when the offices it signs with are missing (a world without them)."""
    if Mou.objects.exists():
        return []
    offices = {
        o.code: o for o in Office.objects.filter(code__in=["KW03", "KW07", "KC-BPN", "KC-PNK", "KC-SMD"])
    }
    if len(offices) < 5:
        return []
    made = []
    year_start = date(today.year, 1, 1)

    # DKI Jakarta: the province pays for PPSU and RT/RW heads from its APBD.
    groups = list(PayerGroup.objects.filter(payer__code="DKI-APBD").values_list("code", flat=True))
    dki = mou_create(
        number="MOU/DKI/BPJSTK/2024",
        title="Perlindungan jaminan sosial PPSU dan Ketua RT/RW dari APBD DKI",
        party="province",
        region_code="31",
        office=offices["KW03"],
        party_signatory="Gubernur DKI Jakarta",
        office_signatory="Kepala Kanwil DKI Jakarta",
        signed_on=today - timedelta(days=500),
        valid_from=today - timedelta(days=500),
        valid_to=today + timedelta(days=595),
        payer_groups=groups,
        actor=ACTOR,
        now=now,
    )
    cover = commitment_add(
        mou=dki, kind="cover_workers", target=1_000, note="PPSU dan Ketua RT/RW", actor=ACTOR
    )
    payer = Payer.objects.filter(code="DKI-APBD").first()
    if payer is not None:
        for year in (today.year - 1, today.year):
            budget_line_add(
                commitment=cover,
                payer=payer,
                year=year,
                ceiling=1_000 * 12 * DKI_MONTHLY_PER_WORKER,
                account="5.1.02.01.01.0024",
                actor=ACTOR,
            )
    pergub = commitment_add(mou=dki, kind="regulation", target=1, note="Peraturan Gubernur", actor=ACTOR)
    regulation_issued(
        commitment=pergub, done_on=today - timedelta(days=420), reference="Pergub DKI 23/2024", actor=ACTOR
    )
    made.append(dki)

    # The governor of East Kalimantan with Kanwil VII.
    kaltim = mou_create(
        number="MOU/KALTIM/KW07/2025",
        title="Perluasan kepesertaan pekerja informal Kalimantan Timur",
        party="province",
        region_code="64",
        office=offices["KW07"],
        party_signatory="Gubernur Kalimantan Timur",
        office_signatory="Kepala Kanwil VII Kalimantan",
        signed_on=max(year_start, today - timedelta(days=200)),
        valid_from=max(year_start, today - timedelta(days=200)),
        valid_to=today + timedelta(days=900),
        actor=ACTOR,
        now=now,
    )
    commitment_add(
        mou=kaltim, kind="markets", target=4, note="pasar tradisional milik pemerintah", actor=ACTOR
    )
    commitment_add(mou=kaltim, kind="regulation", target=1, note="Peraturan Daerah", actor=ACTOR)
    made.append(kaltim)

    # The market manager of Balikpapan with KC Balikpapan, for its two markets.
    pasar = mou_create(
        number="MOU/UPTD-PASAR/KC-BPN/2025",
        title="Iuran harian pedagang pasar Kota Balikpapan",
        party="market_manager",
        partner="PASAR-BPN",
        office=offices["KC-BPN"],
        party_signatory="Kepala UPTD Pasar",
        office_signatory="Kepala KC Balikpapan",
        signed_on=today - timedelta(days=250),
        valid_from=today - timedelta(days=250),
        valid_to=today + timedelta(days=480),
        actor=ACTOR,
        now=now,
    )
    commitment_add(mou=pasar, kind="markets", target=2, actor=ACTOR)
    made.append(pasar)

    # Kota Pontianak: ending soon.
    pontianak = mou_create(
        number="MOU/PNK/KC-PNK/2023",
        title="Desa Sadar Jaminan Sosial Kota Pontianak",
        party="regency",
        region_code="61.71",
        office=offices["KC-PNK"],
        signed_on=today - timedelta(days=1050),
        valid_from=today - timedelta(days=1050),
        valid_to=today + timedelta(days=45),
        actor=ACTOR,
        now=now,
    )
    commitment_add(mou=pontianak, kind="cover_workers", target=300, actor=ACTOR)
    made.append(pontianak)

    outlets = {o.code: o for o in Outlet.objects.filter(code__in=["PSR-KLD", "PSR-PDS"])}
    sites = (
        ("PSR-KLD", "Pasar Klandasan", "market_gov", "64.71.06", pasar, "PSR-KLD", 640),
        ("PSR-PDS", "Pasar Pandansari", "market_gov", "64.71.02", pasar, "PSR-PDS", 410),
        ("PSR-SGK", "Pasar Segiri Samarinda", "market_gov", "64.72.09", kaltim, None, 900),
        ("PSR-FLM", "Pasar Flamboyan (swasta)", "market_private", "61.71.05", None, None, 1_200),
        ("TRM-BPN", "Pelabuhan Semayang", "terminal", "64.71.04", None, None, None),
    )
    for code, name, kind, district, mou, outlet, traders in sites:
        village = _village(district)
        if village is None or (outlet and outlet not in outlets):
            continue
        site_create(
            code=code,
            name=name,
            kind=kind,
            village_code=village,
            mou=mou,
            outlet=outlet,
            manager_name="UPTD Pasar Kota Balikpapan" if outlet else "",
            traders=traders,
            traders_counted_on=today - timedelta(days=60) if traders else None,
            actor=ACTOR,
            now=now,
        )

    # The Paritrana panel's interviews of this year.
    for region, score in (("31", "82"), ("64", "74.5"), ("64.71", "68")):
        interview_set(region_code=region, year=today.year, score=score, actor=ACTOR, now=now)
    return made
