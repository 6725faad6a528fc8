"""Probable duplicates: two participant records that may be one person (a NIK typed with one digit wrong,
two digits swapped, a made-up serial), scored from what they share, with the reasons shown.

Pure: names are normalised for Indonesian spelling (titles dropped, "Muhammad/Muhamad/M." as one, the
old spellings "oe" for "u", "dj" for "j", "tj" for "c", "y" and "i" alike inside a word, doubled letters
once), NIKs compared digit by digit, and the evidence weighed in the Fellegi-Sunter way: each compared
field adds the log-likelihood weight of its level (data: ``rules/data/duplicates.json``), a name's
agreement is worth less the more common the name is. String similarity is ``rapidfuzz``'s Jaro-Winkler.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz.distance import OSA, Hamming, JaroWinkler

# Titles and forms of address that come and go on the same person's records.
TITLES = frozenset(
    {
        "h", "hj", "haji", "hajjah", "dr", "drs", "dra", "ir", "prof", "st", "se", "sh", "sag", "spd", "skm",
        "skom", "sos", "sip", "ssos", "amd", "bpk", "bapak", "ibu", "ib", "sdr", "sdri", "tn", "ny", "nn",
        "kh", "ust", "ustadz", "hjh", "apt", "mm", "mpd", "msi", "ssi", "sst", "ak",
    }
)  # fmt: skip
# Ways of writing Muhammad, and its initial.
MUHAMMAD = frozenset(
    {
        "muhammad",
        "muhamad",
        "muhammed",
        "mohammad",
        "mohamad",
        "mohammed",
        "muhamed",
        "moh",
        "muh",
        "mhd",
        "m",
    }
)
# Old spellings made new; then "j" and "y" (and "y" and "i") are read alike: in the old spelling "j" was
# today's "y" (Joesoef, Yusuf) and "dj" today's "j" (Djoko, Joko), and a record does not say which it uses.
_OLD_SPELLINGS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("ch", "kh"), ("sj", "sy"), ("j", "y"))
_DOUBLED = re.compile(r"(.)\1+")
NAMES_REMEMBERED = 100_000
_NOT_LETTER = re.compile(r"[^a-z ]+")


@lru_cache(maxsize=NAMES_REMEMBERED)
def name_key(name: str) -> str:
    """The name as compared: lower case without marks, titles and punctuation, the old spellings made
    new, a "y" inside a word read as "i", doubled letters once, every way of writing Muhammad as "muhamad".
    "H. Muhammad Joesoef, S.Pd" and "M. Yusuf" compare as "muhamad iusuf" and "muhamad iusuf".
    Remembered for the most recent names: a scan meets each name once per block it is in and once per
    pair it is scored in, and people share names."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = text.split(",")[0]  # academic titles follow a comma: "Budi Santoso, S.Pd"
    text = _NOT_LETTER.sub(" ", text.replace(".", ". "))
    words = []
    for written in text.split():
        word = _spelled_new(written)
        if written in TITLES or word in TITLES:
            continue
        words.append("muhamad" if written in MUHAMMAD or word in MUHAMMAD else word)
    return " ".join(words)


def _spelled_new(word: str) -> str:
    for old, new in _OLD_SPELLINGS:
        word = word.replace(old, new)
    word = word.replace("y", "i")
    return _DOUBLED.sub(r"\1", word)


@lru_cache(maxsize=NAMES_REMEMBERED)
def _compact(name: str) -> str:
    """The name as compared, without its spaces."""
    return name_key(name).replace(" ", "")


# Leading words that say a person's sex, not who they are (Balinese "I" and "Ni"), and words so common
# before a given name that they tell no one apart (Muhammad, Siti, Nur): names are compared without them
# while other words remain, so that "Muhamad Hadi Sembiring" and "Muhamad Budi Sembiring" differ in their
# given names and a "Muhammad" added or dropped ("Andi Santoso", "M. Andi Santoso") costs nothing.
_MARKERS = frozenset({"i", "ni"})
_LEADING = frozenset({"muhamad", "siti", "nur"})


@lru_cache(maxsize=NAMES_REMEMBERED)
def _words(name: str) -> tuple[str, ...]:
    words = name_key(name).split()
    return tuple(
        [w for w in words if w not in _MARKERS and w not in _LEADING]
        or [w for w in words if w not in _MARKERS]
        or words
    )


def name_similarity(a: str, b: str) -> float:
    """How alike two names are (0..1): the Jaro-Winkler similarity of the names as compared (``name_key``)
    without their spaces ("Nur Aini" and "Nuraini" alike), but no more than that of the given names (the
    first words) when both have several: twins and Balinese siblings share the family name ("Wayan
    Sudarma", "Made Sudarma") and differ in the given name. Names written alike but for their spaces are
    alike whatever their words."""
    if JaroWinkler.similarity(_compact(a), _compact(b)) >= 0.99:
        return 1.0
    words_a, words_b = _words(a), _words(b)
    whole = JaroWinkler.similarity("".join(words_a), "".join(words_b))
    if whole < 0.99 and len(words_a) > 1 and len(words_b) > 1:
        return min(whole, JaroWinkler.similarity(words_a[0], words_b[0]))
    return whole


# How two NIKs relate.
NIK_SAME = "same"
NIK_SERIAL = "serial"  # the first twelve digits agree (district, birth date and sex), the serial differs
NIK_ONE_DIGIT = "one_digit"  # one digit differs
NIK_SWAPPED = "swapped"  # two adjacent digits are swapped
NIK_OTHER = "other"


def nik_relation(a: str, b: str) -> str:
    """How NIK ``b`` relates to NIK ``a``: the same; the serial changed (the first twelve digits, the
    district, birth date and sex, the same: a typo in the serial, a made-up one, or a sibling born the
    same day, which only the other fields tell apart); one digit changed or two adjacent digits swapped
    in the first twelve (a typo: two people differ there in more than one place); or otherwise."""
    if a == b:
        return NIK_SAME
    if len(a) != len(b):
        return NIK_OTHER
    if a[:12] == b[:12]:
        return NIK_SERIAL
    # counted in C: a scan compares NIKs of a million pairs
    differ = Hamming.distance(a, b)  # the places where the digits differ
    if differ == 1:
        return NIK_ONE_DIGIT
    if differ == 2 and OSA.distance(a, b) == 1:  # one edit, and of two places: two adjacent digits swapped
        return NIK_SWAPPED
    return NIK_OTHER


@dataclass(frozen=True)
class Record:
    """A participant as the matcher compares it."""

    pk: int
    nik: str
    name: str
    birth_date: date
    sex: str
    village: str
    phone: str = ""
    outlet: int | None = None
    agent: int | None = None


@dataclass(frozen=True)
class Reason:
    """One compared field: its level of agreement and the weight that level adds (log2 of m/u)."""

    field: str
    level: str
    weight: float


@dataclass(frozen=True)
class Scored:
    a: int
    b: int
    probability: float
    weight: float
    reasons: tuple[Reason, ...]

    @property
    def score(self) -> float:
        return self.probability


def _weight(m: float, u: float) -> float:
    return math.log2(max(m, 1e-9) / max(u, 1e-9))


def nik_says(record: Record) -> bool:
    """Whether the record's NIK says its declared birth date and sex (40 added to a woman's day)."""
    born = record.birth_date
    day = born.day + (40 if record.sex == "F" else 0)
    return record.nik[6:12] == f"{day:02d}{born.month:02d}{born.year % 100:02d}"


def _told_apart(a: Record, b: Record) -> bool:
    """Two records whose declared birth dates or sexes differ and whose NIKs each say their own: a digit
    that differs between their NIKs is not a typo (a boy and a girl born the same day, two namesakes born
    three years apart)."""
    return (a.birth_date != b.birth_date or a.sex != b.sex) and nik_says(a) and nik_says(b)


def name_level(similarity: float, levels: list[dict]) -> str:
    """The first of ``levels`` ({"level", "min"}, highest first) the similarity reaches, or "different"."""
    for level in levels:
        if similarity >= float(level["min"]):
            return level["level"]
    return "different"


@dataclass(frozen=True)
class _Prepared:
    """A rule's numbers as ``score_pair`` uses them, worked out once per rule."""

    prior: float
    reasons: dict[tuple[str, str], Reason]
    fields: dict
    name_levels: list[dict]


_PREPARED: dict[int, tuple[dict, _Prepared]] = {}


def _prepared(rule: dict) -> _Prepared:
    """``rule``'s reasons (each field's level with its weight, log2 of m/u), remembered for the rule
    object itself: a scan scores many pairs with one rule."""
    known = _PREPARED.get(id(rule))
    if known is not None and known[0] is rule:
        return known[1]
    fields = rule["fields"]
    prepared = _Prepared(
        prior=_weight(float(rule["prior"]), 1 - float(rule["prior"])),
        reasons={
            (field, level): Reason(field, level, round(_weight(float(table["m"]), float(table["u"])), 3))
            for field, levels in fields.items()
            for level, table in levels.items()
        },
        fields=fields,
        name_levels=rule["name_levels"],
    )
    if len(_PREPARED) >= 16:
        _PREPARED.clear()
    _PREPARED[id(rule)] = (rule, prepared)
    return prepared


def score_pair(a: Record, b: Record, rule: dict, *, name_frequency: float | None = None) -> Scored:
    """The pair's match weight and probability, with a reason per field. ``rule`` holds the prior and
    each field's levels with their m and u probabilities; ``name_frequency`` (the share of the registry
    with this normalised name) replaces the name's u probability when the names agree exactly, so that
    two people called Siti Rahayu weigh less than two called Sekar Ayuningtyas."""
    prepared = _prepared(rule)
    known = prepared.reasons
    level = name_level(name_similarity(a.name, b.name), prepared.name_levels)
    if level == "exact" and name_frequency:
        table = prepared.fields["name"][level]
        reasons = [Reason("name", level, round(_weight(float(table["m"]), name_frequency), 3))]
    else:
        reasons = [known["name", level]]
    relation = nik_relation(a.nik, b.nik)
    if relation in (NIK_ONE_DIGIT, NIK_SWAPPED) and _told_apart(a, b):
        relation = NIK_OTHER  # the NIKs differ because the people do: each says its own birth date and sex
    reasons.append(known["nik", relation])
    if relation != NIK_SERIAL:  # the first twelve digits hold the birth date: not counted twice
        reasons.append(known["birth_date", "same" if a.birth_date == b.birth_date else "different"])
    reasons.append(known["village", "same" if a.village == b.village else "different"])
    if a.phone and b.phone:
        reasons.append(known["phone", "same" if a.phone == b.phone else "different"])
    if a.agent and b.agent:
        reasons.append(known["acquired_by", "same_agent" if a.agent == b.agent else "different"])
    elif a.outlet and b.outlet:
        reasons.append(known["acquired_by", "same_outlet" if a.outlet == b.outlet else "different"])
    weight = prepared.prior + sum(reason.weight for reason in reasons)
    probability = 1 / (1 + 2 ** (-weight))
    low, high = sorted((a.pk, b.pk))
    return Scored(low, high, round(probability, 6), round(weight, 3), tuple(reasons))
