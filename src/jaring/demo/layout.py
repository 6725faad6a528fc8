"""What the demo world is made of, as data: offices and the regencies/cities their branches serve,
partners, outlets (with how many workers each brings and what work they do), agents and the DKI payer.

Region codes are real Kemendagri codes; office, partner and outlet codes are made up for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD_OFFICE = ("KP", "Kantor Pusat")


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    regencies: tuple[str, ...]


@dataclass(frozen=True)
class RegionalSpec:
    code: str
    name: str
    branches: tuple[BranchSpec, ...]


@dataclass(frozen=True)
class PartnerSpec:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class OutletSpec:
    """An outlet and the workers it brings.

    ``weight`` is its share of the participants; ``work`` names an occupation mix in ``OCCUPATION_MIXES``;
    ``area`` lists the regencies/cities its workers live in (default: the outlet's own); an event
    outlet registers everyone on the one day of the event, ``event_days_ago`` days before today.
    """

    code: str
    name: str
    partner: str
    district: str
    weight: float
    work: str = "urban"
    parent: str | None = None
    area: tuple[str, ...] = ()
    event_days_ago: int | None = None

    @property
    def regencies(self) -> tuple[str, ...]:
        return self.area or (self.district[:5],)


REGIONAL_OFFICES = (
    RegionalSpec(
        "KW03",
        "Kanwil DKI Jakarta",
        (
            BranchSpec("KC-JKP", "KC Jakarta Pusat", ("31.71", "31.72", "31.01")),
            BranchSpec("KC-JKS", "KC Jakarta Selatan", ("31.74", "31.73")),
            BranchSpec("KC-JKT", "KC Jakarta Timur", ("31.75",)),
        ),
    ),
    RegionalSpec(
        "KW04",
        "Kanwil Jawa Barat",
        (
            BranchSpec("KC-KRW", "KC Karawang", ("32.15",)),
            BranchSpec("KC-BKS", "KC Bekasi", ("32.16", "32.75")),
            BranchSpec("KC-BDG", "KC Bandung", ("32.73", "32.04", "32.17")),
        ),
    ),
    RegionalSpec(
        "KW05",
        "Kanwil Jawa Tengah dan DIY",
        (
            BranchSpec("KC-SMG", "KC Semarang", ("33.74", "33.22")),
            BranchSpec("KC-SKA", "KC Surakarta", ("33.72",)),
            BranchSpec("KC-YGY", "KC Yogyakarta", ("34.71", "34.04")),
        ),
    ),
    RegionalSpec(
        "KW07",
        "Kanwil VII Kalimantan",
        (
            BranchSpec("KC-BPN", "KC Balikpapan", ("64.71", "64.09")),
            BranchSpec("KC-SMD", "KC Samarinda", ("64.72", "64.02")),
            BranchSpec("KC-PNK", "KC Pontianak", ("61.71", "61.72")),
            BranchSpec("KC-KTP", "KC Ketapang", ("61.04",)),
            BranchSpec("KC-BJM", "KC Banjarmasin", ("63.71",)),
            BranchSpec("KC-PLK", "KC Palangkaraya", ("62.71",)),
            BranchSpec("KC-TRK", "KC Tarakan", ("65.71", "65.01")),
        ),
    ),
)

PARTNERS = (
    PartnerSpec("POS", "Pos Indonesia", "pos"),
    PartnerSpec("BNI", "Bank Negara Indonesia (BNI)", "bank"),
    PartnerSpec("KMPD", "Koperasi Mitra Pengemudi Daring", "aggregator"),
    PartnerSpec("PASAR-BPN", "UPTD Pasar Kota Balikpapan", "market_collector"),
    PartnerSpec("BPJSTK", "BPJS Ketenagakerjaan", "bpjs_branch"),
    PartnerSpec("PEMPROV-DKI", "Pemerintah Provinsi DKI Jakarta", "local_government"),
    PartnerSpec("FUNRUN", "Fun Run 5K BPJS Ketenagakerjaan", "event"),
    PartnerSpec("PERISAI", "Perisai (Penggerak Jaminan Sosial Indonesia)", "agent_network"),
)

JAKARTA = ("31.71", "31.72", "31.73", "31.74", "31.75")
KALTIM, KALBAR = ("64.71", "64.72"), ("61.71", "61.04")
JABAR, JATENG = ("32.15", "32.16"), ("33.74", "33.22")

# Parents come before their children. The three Pos outlets that led the Racing Contest get the largest
# shares, so the demo's contest pages have a recognisable top three.
OUTLETS = (
    OutletSpec("POS-KRW", "KCU Karawang", "POS", "32.15.01", 10, "rural"),
    OutletSpec("POS-CKP", "KC Cikampek", "POS", "32.15.13", 3, "rural", parent="POS-KRW"),
    OutletSpec("POS-PNK", "KCU Pontianak", "POS", "61.71.05", 4),
    OutletSpec("POS-KTP", "KC Ketapang", "POS", "61.04.16", 9, "rural", parent="POS-PNK"),
    OutletSpec("POS-SMG", "KCU Semarang", "POS", "33.74.01", 9),
    OutletSpec("POS-UNG", "KC Ungaran", "POS", "33.22.18", 2, "rural", parent="POS-SMG"),
    OutletSpec("POS-BPN", "KCU Balikpapan", "POS", "64.71.06", 5),
    OutletSpec("POS-SMD", "KCU Samarinda", "POS", "64.72.09", 3),
    OutletSpec("POS-BJM", "KCU Banjarmasin", "POS", "63.71.05", 2),
    OutletSpec("POS-JKP", "KCU Jakarta Pusat", "POS", "31.71.02", 3),
    OutletSpec("POS-BDG", "KCU Bandung", "POS", "32.73.19", 3),
    OutletSpec("POS-YGY", "KCU Yogyakarta", "POS", "34.71.10", 2),
    OutletSpec("BNI-BPN", "BNI KC Balikpapan", "BNI", "64.71.06", 2),
    OutletSpec("BNI-SMG", "BNI KC Semarang", "BNI", "33.74.01", 2),
    OutletSpec("BNI-KRW", "BNI KC Karawang", "BNI", "32.15.01", 2, "rural"),
    OutletSpec("KMPD-JKS", "KMPD Jakarta Selatan", "KMPD", "31.74.07", 4, "drivers", area=JAKARTA),
    OutletSpec("KMPD-BDG", "KMPD Bandung", "KMPD", "32.73.19", 2, "drivers"),
    OutletSpec("KMPD-BKS", "KMPD Bekasi", "KMPD", "32.16.09", 2, "drivers"),
    OutletSpec("PSR-KLD", "Pasar Klandasan", "PASAR-BPN", "64.71.06", 4, "market"),
    OutletSpec("PSR-PDS", "Pasar Pandansari", "PASAR-BPN", "64.71.02", 3, "market"),
    OutletSpec("BPJS-BPN", "Loket KC Balikpapan", "BPJSTK", "64.71.04", 2),
    OutletSpec("BPJS-SMD", "Loket KC Samarinda", "BPJSTK", "64.72.09", 2),
    OutletSpec("BPJS-PNK", "Loket KC Pontianak", "BPJSTK", "61.71.05", 1),
    OutletSpec("BPJS-KRW", "Loket KC Karawang", "BPJSTK", "32.15.01", 1, "rural"),
    OutletSpec("DKI-BK", "Balai Kota DKI Jakarta", "PEMPROV-DKI", "31.71.01", 4, "city", area=JAKARTA),
    OutletSpec("FR-JKT", "Fun Run 5K Jakarta", "FUNRUN", "31.71.01", 2, area=JAKARTA, event_days_ago=96),
    OutletSpec("FR-BPN", "Fun Run 5K Balikpapan", "FUNRUN", "64.71.04", 1.5, event_days_ago=201),
    OutletSpec("FR-SMG", "Fun Run 5K Semarang", "FUNRUN", "33.74.01", 1, event_days_ago=299),
    OutletSpec("PRS-KALTIM", "Perisai Kalimantan Timur", "PERISAI", "64.71.04", 5, area=KALTIM),
    OutletSpec("PRS-KALBAR", "Perisai Kalimantan Barat", "PERISAI", "61.71.05", 4, "rural", area=KALBAR),
    OutletSpec("PRS-JABAR", "Perisai Jawa Barat", "PERISAI", "32.15.01", 4, "rural", area=JABAR),
    OutletSpec("PRS-JATENG", "Perisai Jawa Tengah", "PERISAI", "33.74.01", 3, area=JATENG),
)  # fmt: skip

# Field agents per outlet: Perisai agents, the market collectors' staff, a few Pos agents.
AGENTS = {
    "POS-KRW": 1,
    "POS-KTP": 1,
    "POS-SMG": 1,
    "PSR-KLD": 1,
    "PSR-PDS": 1,
    "PRS-KALTIM": 3,
    "PRS-KALBAR": 2,
    "PRS-JABAR": 2,
    "PRS-JATENG": 2,
}

# Occupation code -> relative weight, per kind of work an outlet reaches.
OCCUPATION_MIXES = {
    "urban": {
        "PEDAGANG_KELILING": 12, "WARUNG": 12, "PEDAGANG_PASAR": 8, "OJEK": 10, "SOPIR": 6, "KURIR": 6,
        "TUKANG": 8, "BURUH_HARIAN": 10, "PRT": 7, "PENJAHIT": 4, "PENGRAJIN": 3, "PARKIR": 4,
        "PEKERJA_SENI": 2, "GURU_NONFORMAL": 3, "MARBOT": 2, "LAINNYA": 3,
    },
    "rural": {
        "PETANI": 20, "BURUH_TANI": 16, "NELAYAN": 6, "PETERNAK": 6, "PEDAGANG_PASAR": 8, "WARUNG": 8,
        "TUKANG": 6, "BURUH_HARIAN": 10, "OJEK": 5, "PENGRAJIN": 3, "GURU_NONFORMAL": 3, "MARBOT": 3,
        "LAINNYA": 3,
    },
    "market": {"PEDAGANG_PASAR": 70, "WARUNG": 8, "PARKIR": 8, "BURUH_HARIAN": 8, "PENJAHIT": 6},
    "drivers": {"OJEK": 75, "KURIR": 25},
    "city": {"PPSU": 80, "RT_RW": 20},
}  # fmt: skip

# Share of women, by occupation (default DEFAULT_FEMALE_SHARE).
FEMALE_SHARE = {
    "PRT": 0.9, "PENJAHIT": 0.7, "PEDAGANG_PASAR": 0.6, "WARUNG": 0.6, "OJEK": 0.06, "SOPIR": 0.04,
    "KURIR": 0.15, "TUKANG": 0.02, "NELAYAN": 0.05, "PARKIR": 0.1, "MARBOT": 0.05, "PPSU": 0.3,
    "RT_RW": 0.25,
}  # fmt: skip
DEFAULT_FEMALE_SHARE = 0.4

PAYER = {
    "code": "DKI-APBD",
    "name": "Pemprov DKI Jakarta (APBD)",
    "kind": "APBD",
    "programmes": "JKK+JKM",
    "region": "31",
    "outlet": "DKI-BK",
}

# Payer group code, name, and the occupation that makes a DKI registrant a member.
PAYER_GROUPS = (
    ("PPSU", "Petugas Prasarana dan Sarana Umum (PPSU)", "PPSU"),
    ("RT-RW", "Ketua RT/RW", "RT_RW"),
)
