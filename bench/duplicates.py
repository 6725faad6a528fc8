"""The probable-duplicate scan over a registry of N participants with planted near-duplicates and hard
negatives: its time and memory, its recall and precision against what was planted, next to a naive
all-pairs comparison of a sample extrapolated to N (issue #19, docs/scale.md).

    .venv/bin/python bench/duplicates.py --participants 100000 --sqlite --out duplicates-100k-sqlite.json
    .venv/bin/python bench/duplicates.py --participants 1000000 \
        --postgres postgres://postgres@127.0.0.1:5432/jaring_bench_dup --out duplicates-1m-postgres.json
    .venv/bin/python bench/duplicates.py --participants 100000 --sqlite --extra   # the kinds beyond #19

**The world** (a fresh SQLite file under a temporary JARING_HOME, or a PostgreSQL database of its own,
dropped and created as ``benchdb`` does, dropped again at the end unless ``--keep``): migrate, the regions,
Pos outlets and Perisai agents (N / 2,000 and N / 500), and N participants written with bare bulk inserts
(``common.bulk.insert_rows``: ``executemany`` on SQLite, ``COPY`` on PostgreSQL) with their standings.
People live in villages of real districts, about ``--per-village`` (100) to a village, 5 % of them in
Bali with Balinese names ("I Wayan", "Ni Made", ...); birth dates of working ages (18-60) with the heaping
on 1 January and 31 December that registries show; valid NIKs (``rules.nik.make_nik``: the village's
district, the birth date and sex, serials counted up per district, date and sex); names built from given
and second names drawn with a Zipf skew (a few names very common, a long tail), "Muhammad" before 8 % of
men's names (written four ways), "Siti" or "Nur" before 14 % of women's; phones mostly a person's own,
some shared by a couple, some left empty, and a few agents who typed their own number for everyone.

**Planted** (their ids kept in the bench's JSON):
- *duplicates*, 1 % of N: a copy of a participant registered again later (the same agent or outlet two
  times in five), the birth date, sex and village the same, the NIK changed in one of three ways (one
  digit of the first twelve, two adjacent digits swapped, the serial changed) and the name respelled in
  one of four (Muhammad/Muhamad/M./Moh., a title added or dropped: "H.", "Hj.", ", S.Pd", y/i, the old
  spellings oe/u and dj/j); the phone the same (half), another (a quarter) or none (a quarter);
- *hard negatives*, different people the scan should leave alone: twins (same birth date, sex, village,
  consecutive serials, a shared family phone, the same acquirer, different given names, the same second
  name); Balinese siblings (two to four, Wayan/Made/Nyoman/Ketut before the same second name, same
  village, often a shared phone); common names (a name starting with Siti, Nur or Muhammad, picked as
  often as it occurs, given to a second person of the same village, or to a second person born the same
  day in another village of the district: the same first twelve NIK digits).
``--extra`` plants two more kinds beyond the issue's list, reported apart: duplicates whose respelling
adds "Muhammad" to a name or drops it, and twins whose given names rhyme (Rina/Rini, Fitri/Fitra).

**Measured**: ``members.services.duplicates.duplicates_scan()`` (the real scan: read, block, score, keep),
its wall time and the process's peak memory (``resource.getrusage``; the scan runs in a process of its
own); recall (planted duplicate pairs kept / planted) and precision (kept pairs that are planted
duplicates / kept), per kind; the kept pairs among hard negatives and among the rest; why each missed
pair was missed (in no block together, or scored below the review threshold). **Reference** in the same
run: ``score_pair`` on every pair of a random sample of ``--naive-sample`` participants (2,000: about 2 M
pairs), the per-pair work the scan does, timed and extrapolated to N (N(N-1)/2 pairs).

``--variant given-name,nik-declared`` scores with variants of the matcher, patched into the measuring
process only (src/ is unchanged): names compared without a leading Muhammad/Siti/Nur, and NIKs one digit
apart that each say their own record's different birth date or sex read as "other" (docs/scale.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, combinations
from pathlib import Path

from benchdb import database_recreate

# --- Names ----------------------------------------------------------------------------------------------
# Ordered roughly from the most common down; drawn with a Zipf skew (``Draw``).

MALE_GIVEN = (
    "Budi", "Agus", "Ahmad", "Eko", "Andi", "Slamet", "Joko", "Hendra", "Rudi", "Dedi", "Bambang", "Heru",
    "Yusuf", "Rizki", "Agung", "Adi", "Arif", "Hadi", "Iwan", "Wahyu", "Fajar", "Hasan", "Rahmat", "Teguh",
    "Imam", "Anwar", "Sugeng", "Supriyadi", "Suparman", "Sutrisno", "Sukirno", "Darmawan", "Fauzi",
    "Irfan", "Ilham", "Dimas", "Bayu", "Yoga", "Dani", "Ridwan", "Syahrul", "Taufik", "Nanang", "Asep",
    "Ujang", "Dadang", "Ade", "Cecep", "Usman", "Umar", "Ali", "Hamzah", "Ismail", "Yohanes", "Petrus",
    "Markus", "Fransiskus", "Ikhsan", "Lukman", "Bagus", "Ari", "Gilang", "Reza", "Aditya", "Yudi",
    "Wawan", "Tono", "Yanto", "Mulyadi", "Sunarto", "Jumadi", "Suyanto", "Sudirman", "Kusnadi", "Rohman",
    "Zainal", "Saiful", "Syamsul", "Ruslan", "Ahmadi", "Junaidi", "Darto", "Paijo", "Tukiman", "Sarjono",
)  # fmt: skip
FEMALE_GIVEN = (
    "Sri", "Dewi", "Rina", "Wati", "Yuni", "Ani", "Lestari", "Fitri", "Ratna", "Aminah", "Fatimah",
    "Aisyah", "Rahmawati", "Wulan", "Indah", "Eka", "Yanti", "Susanti", "Suryani", "Sulastri", "Sumiati",
    "Ernawati", "Kartini", "Endang", "Tuti", "Yuliani", "Rini", "Maya", "Putri", "Ayu", "Novi", "Mega",
    "Intan", "Nurhayati", "Khadijah", "Zahra", "Annisa", "Rosita", "Maria", "Theresia", "Agustina",
    "Hartini", "Suparmi", "Sukarti", "Painem", "Tumini", "Jumiati", "Marlina", "Erna", "Lilis", "Neneng",
    "Euis", "Imas", "Tati", "Komariah", "Halimah", "Salmah", "Rohani", "Mariani", "Herlina", "Yusnita",
    "Desi", "Lina", "Siska", "Juwita", "Suwarni", "Murni", "Sumarni", "Umi", "Badriah", "Maryam",
)  # fmt: skip
SECOND_ANY = (
    "Siregar", "Lubis", "Nasution", "Harahap", "Simanjuntak", "Sitompul", "Hutapea", "Situmorang",
    "Sembiring", "Ginting", "Tarigan", "Manurung", "Panjaitan", "Daulay", "Hasibuan", "Pohan", "Rangkuti",
    "Silalahi", "Tanjung", "Pane", "Batubara", "Sinaga", "Pardede", "Sihombing", "Tambunan", "Pakpahan",
    "Wenas", "Sondakh", "Mandagi", "Pattiasina", "Latuconsina", "Tuasikal", "Kusuma", "Wijaya", "Halim",
)  # fmt: skip
SECOND_MALE = (
    "Santoso", "Saputra", "Hidayat", "Kurniawan", "Setiawan", "Pratama", "Nugroho", "Susanto", "Purnomo",
    "Wibowo", "Ramadhan", "Syahputra", "Firmansyah", "Maulana", "Hakim", "Rahman", "Putra", "Suharto",
    "Sulistyo", "Prasetyo", "Yulianto", "Haryanto", "Gunawan", "Hartono", "Sutanto", "Mahmud", "Hamid",
    "Abdullah", "Basri", "Thamrin", "Yunus", "Arsyad", "Suryadi", "Hermawan", "Iskandar", "Sofyan",
)  # fmt: skip
SECOND_FEMALE = (
    "Rahayu", "Handayani", "Wulandari", "Lestari", "Sari", "Utami", "Safitri", "Anggraini", "Puspita",
    "Hasanah", "Putri", "Permatasari", "Purnamasari", "Kurniasih", "Susilowati", "Hidayati", "Setyawati",
    "Agustin", "Novitasari", "Ramadhani", "Maharani", "Oktaviani", "Fitriani", "Yulianti", "Pertiwi",
)  # fmt: skip
MUHAMMAD_FORMS = ("Muhammad", "Muhamad", "M.", "Moh.")
MUHAMMAD_SHARE, SITI_SHARE, NUR_SHARE = 0.08, 0.10, 0.04
BALI_ORDER = {  # birth order: first, second, third, fourth child
    1: ("Wayan", "Putu", "Gede"),
    2: ("Made", "Kadek"),
    3: ("Nyoman", "Komang"),
    4: ("Ketut",),
}
BALI_MALE = (
    "Sudarma", "Suarta", "Artawan", "Wirawan", "Sukerta", "Mertayasa", "Suastika", "Budiarta", "Sudiarta",
    "Widiana", "Sutama", "Ariana", "Astawa", "Parwata", "Suardana", "Sukadana", "Adnyana", "Arsana",
    "Darmayasa", "Eka Putra", "Gunawan", "Juliawan", "Mahendra", "Wardana", "Yasa", "Suweta",
)  # fmt: skip
BALI_FEMALE = (
    "Sriani", "Suarni", "Sukarmi", "Ariani", "Wahyuni", "Sumerti", "Suartini", "Widiasih", "Kariani",
    "Darmini", "Sudiani", "Astiti", "Yuliantari", "Sutarmi", "Rusmini", "Ardani", "Suciati", "Warsiki",
)  # fmt: skip
BALI_SHARE = 0.05  # of the people, in Bali villages with Balinese names
ZIPF = 0.9


class Draw:
    """Draws from ``items`` with weights 1 / rank ** ZIPF."""

    def __init__(self, items) -> None:
        self.items = list(items)
        self.cum = list(accumulate(1 / (rank + 1) ** ZIPF for rank in range(len(self.items))))

    def __call__(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cum)[0]


GIVEN = {"M": Draw(MALE_GIVEN), "F": Draw(FEMALE_GIVEN)}
SECOND = {"M": Draw(SECOND_MALE + SECOND_ANY), "F": Draw(SECOND_FEMALE + SECOND_ANY)}
BALI = {"M": Draw(BALI_MALE), "F": Draw(BALI_FEMALE)}


def person_name(rng: random.Random, sex: str, *, second: str | None = None, given: str | None = None) -> str:
    """A name: [Muhammad | Siti | Nur] given [second]; ``second`` forces a second name."""
    given = given or GIVEN[sex](rng)
    words = []
    if sex == "M" and rng.random() < MUHAMMAD_SHARE:
        words.append(rng.choices(MUHAMMAD_FORMS, weights=(6, 2, 1, 1))[0])
    elif sex == "F":
        roll = rng.random()
        if roll < SITI_SHARE:
            words.append("Siti")
        elif roll < SITI_SHARE + NUR_SHARE:
            words.append("Nur")
    words.append(given)
    if second or rng.random() < (0.65 if sex == "M" else 0.55):
        words.append(second or SECOND[sex](rng))
    return " ".join(words)


def bali_name(rng: random.Random, sex: str, order: int | None = None, second: str | None = None) -> str:
    order = order or rng.choices((1, 2, 3, 4), weights=(45, 28, 17, 10))[0]
    words = [word for word in BALI_ORDER[order] if sex == "M" or word != "Gede"]  # Gede: a boy's
    return f"{'I' if sex == 'M' else 'Ni'} {rng.choice(words)} {second or BALI[sex](rng)}"


# --- Respellings: the same person's name as another clerk typed it ------------------------------------


def _case(word: str, like: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


def respell_muhammad(name: str, sex: str, rng: random.Random, *, toggle: bool = False) -> str | None:
    """Muhammad written another way (Muhammad, Muhamad, M., Moh., Muh.); with ``toggle``, dropped from a
    name that has it or put before one that has not (a man's)."""
    words = name.split()
    forms = {form.lower().rstrip(".") for form in MUHAMMAD_FORMS} | {"muh", "mohammad", "mhd"}
    for index, word in enumerate(words):
        if word.lower().rstrip(".") in forms:
            if toggle:
                return " ".join(words[:index] + words[index + 1 :]) if len(words) > 1 else None
            other = rng.choice([form for form in (*MUHAMMAD_FORMS, "Muh.") if form != word])
            return " ".join([*words[:index], other, *words[index + 1 :]])
    if not toggle or sex != "M" or words[0] in ("I", "Ni"):
        return None
    return f"{rng.choice(MUHAMMAD_FORMS)} {name}"


def respell_title(name: str, sex: str, rng: random.Random) -> str | None:
    words = name.split()
    if words[0] in ("H.", "Hj."):
        return " ".join(words[1:])
    if "," in name:
        return name.split(",")[0]
    if rng.random() < 0.5:
        return f"{'H.' if sex == 'M' else 'Hj.'} {name}"
    return f"{name}, {rng.choice(('S.Pd', 'S.E.', 'A.Md.', 'S.Sos'))}"


def respell_y_i(name: str, sex: str, rng: random.Random) -> str | None:
    words = name.split()
    order = list(range(len(words)))
    rng.shuffle(order)
    for index in order:
        word = words[index]
        if len(word) < 3 or word in ("I", "Ni"):
            continue
        if "y" in word[1:]:
            at = word.index("y", 1)
            words[index] = word[:at] + "i" + word[at + 1 :]
            return " ".join(words)
        if word.endswith("i"):
            words[index] = word[:-1] + "y"
            return " ".join(words)
    return None


def respell_old(name: str, sex: str, rng: random.Random) -> str | None:
    """The old spelling: "u" written "oe" (Susanto, Soesanto), "j" written "dj" (Joko, Djoko); or back."""
    words = name.split()
    order = list(range(len(words)))
    rng.shuffle(order)
    for index in order:
        word = words[index]
        if "oe" in word.lower():
            words[index] = _case(word.lower().replace("oe", "u"), word)
            return " ".join(words)
        if "u" in word.lower() and word.rstrip(".").lower() not in ("nur", "muh"):
            words[index] = _case(word.lower().replace("u", "oe"), word)
            return " ".join(words)
        if word.lower().startswith("j"):
            words[index] = "Dj" + word[1:]
            return " ".join(words)
    return None


RESPELLINGS = {
    "muhammad": respell_muhammad,
    "title": respell_title,
    "y_i": respell_y_i,
    "oe_u": respell_old,
}
NIK_KINDS = ("one_digit", "swapped", "serial")
EXTRA_RESPELLING = "muhammad_added_or_dropped"


# --- The world ------------------------------------------------------------------------------------------


class Person:
    __slots__ = ("agent", "at", "born", "channel", "name", "nik", "outlet", "phone", "pk", "sex", "village")

    def __init__(self, **values) -> None:
        for key, value in values.items():
            setattr(self, key, value)


class World:
    """Generates the people, deterministic from the seed."""

    def __init__(
        self, rng: random.Random, as_of: date, villages: list[str], bali: list[str], outlets, agents
    ) -> None:
        self.rng = rng
        self.as_of = as_of
        self.villages, self.bali = villages, bali
        self.by_district: dict[str, list[str]] = defaultdict(list)
        for village in villages + bali:
            self.by_district[village[:8]].append(village)
        self.outlets, self.agents = outlets, agents  # [(pk,)], [(pk, outlet pk, phone)]
        self.serials: dict[str, int] = {}
        self.niks: set[str] = set()
        self.people: list[Person] = []
        self.phone_serial = 0
        self.household: dict[str, tuple[str, str]] = {}  # a village's couple phone and the first one's sex
        self.lazy_agents = {agent[0] for agent in agents[: max(1, len(agents) // 100)]}

    def birth_date(self) -> date:
        rng = self.rng
        year = self.as_of.year - 18 - rng.randrange(43)
        roll = rng.random()
        if roll < 0.04:
            return date(year, 1, 1)
        if roll < 0.05:
            return date(year, 12, 31)
        return date(year, 1, 1) + timedelta(days=rng.randrange(365))

    def serial(self, district: str, born: date, sex: str) -> str:
        from jaring.rules.nik import Sex, make_nik

        probe = make_nik(district, born, Sex(sex), 1)[:12]
        serial = self.serials.get(probe) or 1 + self.rng.randrange(20)
        self.serials[probe] = serial + 1
        nik = make_nik(district, born, Sex(sex), serial)
        self.niks.add(nik)
        return nik

    def new_phone(self) -> str:
        self.phone_serial += 1
        return f"08{(self.phone_serial * 7_919_111 + 12_345) % 10**10:010d}"

    def acquirer(self) -> tuple[str, int, int | None]:
        if self.rng.random() < 0.3:
            agent_pk, outlet_pk, _phone = self.agents[self.rng.randrange(len(self.agents))]
            return "agent_network", outlet_pk, agent_pk
        return "pos", self.outlets[self.rng.randrange(len(self.outlets))][0], None

    def phone_for(self, village: str, sex: str, agent: int | None) -> str:
        rng = self.rng
        if agent in self.lazy_agents:
            return next(phone for pk, _outlet, phone in self.agents if pk == agent)
        roll = rng.random()
        if roll < 0.10:
            return ""
        if roll < 0.18:  # a couple's phone: the first of the two makes it, the second takes it
            waiting = self.household.get(village)
            if waiting is not None and waiting[1] != sex:
                del self.household[village]
                return waiting[0]
            phone = self.new_phone()
            self.household[village] = (phone, sex)
            return phone
        return self.new_phone()

    def registered_at(self, after: datetime | None = None) -> datetime:
        if after is not None:
            return after + timedelta(days=1 + self.rng.randrange(300), minutes=self.rng.randrange(600))
        day = self.as_of - timedelta(days=300 + self.rng.randrange(430))
        return datetime(day.year, day.month, day.day, 8 + self.rng.randrange(9), tzinfo=UTC)

    def add(
        self,
        *,
        name: str,
        born: date,
        sex: str,
        village: str,
        nik: str | None = None,
        phone: str | None = None,
        acquirer=None,
        at: datetime | None = None,
    ) -> Person:
        channel, outlet, agent = acquirer or self.acquirer()
        person = Person(
            pk=len(self.people) + 1,
            nik=nik or self.serial(village[:8], born, sex),
            name=name,
            born=born,
            sex=sex,
            phone=self.phone_for(village, sex, agent) if phone is None else phone,
            village=village,
            channel=channel,
            outlet=outlet,
            agent=agent,
            at=at or self.registered_at(),
        )
        if nik:
            self.niks.add(nik)
        self.people.append(person)
        return person

    def base(self) -> Person:
        rng = self.rng
        sex = "MF"[rng.randrange(2)]
        if rng.random() < BALI_SHARE:
            village = self.bali[rng.randrange(len(self.bali))]
            name = bali_name(rng, sex)
        else:
            village = self.villages[rng.randrange(len(self.villages))]
            name = person_name(rng, sex)
        return self.add(name=name, born=self.birth_date(), sex=sex, village=village)

    # -- duplicates

    def mutated_nik(self, nik: str, kind: str) -> str:
        rng = self.rng
        for _attempt in range(100):
            digits = list(nik)
            if kind == "one_digit":
                at = rng.randrange(12)
                digits[at] = rng.choice([d for d in "0123456789" if d != digits[at]])
            elif kind == "swapped":
                at = rng.randrange(12)
                if digits[at] == digits[at + 1]:
                    continue
                digits[at], digits[at + 1] = digits[at + 1], digits[at]
            else:
                digits[12:] = f"{1 + rng.randrange(9999):04d}"
            candidate = "".join(digits)
            if candidate != nik and candidate not in self.niks:
                return candidate
        raise RuntimeError(f"no {kind} variant of {nik}")

    def respelled(self, person: Person, spelling: str) -> str | None:
        if spelling == EXTRA_RESPELLING:
            return respell_muhammad(person.name, person.sex, self.rng, toggle=True)
        name = RESPELLINGS[spelling](person.name, person.sex, self.rng)
        return name if name and name != person.name else None

    def duplicate(self, people: list[Person], kind: str, spelling: str, copied: set[int]):
        """A copy of one of ``people`` not yet ``copied`` (drawn until the respelling applies to the name);
        returns the original, the copy and the kinds."""
        rng = self.rng
        name = None
        while name is None:
            original = people[rng.randrange(len(people))]
            if original.pk not in copied:
                name = self.respelled(original, spelling)
        copied.add(original.pk)
        roll = rng.random()
        phone, phone_kind = (
            (original.phone, "same")
            if roll < 0.5 and original.phone
            else ((self.new_phone(), "other") if roll < 0.75 else ("", "none"))
        )
        same_acquirer = rng.random() < 0.4
        copy = self.add(
            name=name,
            born=original.born,
            sex=original.sex,
            village=original.village,
            nik=self.mutated_nik(original.nik, kind),
            phone=phone,
            acquirer=(original.channel, original.outlet, original.agent) if same_acquirer else None,
            at=self.registered_at(original.at),
        )
        kinds = {"nik": kind, "spelling": spelling, "phone": phone_kind, "same_acquirer": same_acquirer}
        return original, copy, kinds

    # -- hard negatives

    def twins(self, rhyming: bool = False) -> tuple[Person, Person]:
        rng = self.rng
        sex = "MF"[rng.randrange(2)]
        village = self.villages[rng.randrange(len(self.villages))]
        born = self.birth_date()
        second = SECOND[sex](rng)
        if rhyming:
            first_given, other_given = rng.choice(RHYMING[sex])
        else:
            first_given = GIVEN[sex](rng)
            other_given = first_given
            while other_given == first_given:
                other_given = GIVEN[sex](rng)
        phone = self.new_phone()
        acquirer = self.acquirer()
        at = self.registered_at()
        a = self.add(
            name=person_name(rng, sex, second=second, given=first_given),
            born=born,
            sex=sex,
            village=village,
            phone=phone,
            acquirer=acquirer,
            at=at,
        )
        b = self.add(
            name=person_name(rng, sex, second=second, given=other_given),
            born=born,
            sex=sex,
            village=village,
            phone=phone,
            acquirer=acquirer,
            at=at + timedelta(minutes=5),
        )
        return a, b

    def twins_mixed(self) -> tuple[Person, Person]:
        """A boy and a girl born the same day: their NIKs differ in the day's tens digit only (a woman's
        day has 40 added), what a one-digit typo looks like."""
        rng = self.rng
        village = self.villages[rng.randrange(len(self.villages))]
        born, second = self.birth_date(), rng.choice(SECOND_ANY)
        phone, acquirer, at = self.new_phone(), self.acquirer(), self.registered_at()
        a = self.add(name=person_name(rng, "M", second=second), born=born, sex="M", village=village,
                     phone=phone, acquirer=acquirer, at=at)  # fmt: skip
        b = self.add(name=person_name(rng, "F", second=second), born=born, sex="F", village=village,
                     phone=phone, acquirer=acquirer, at=at + timedelta(minutes=5))  # fmt: skip
        return a, b

    def bali_siblings(self, count: int) -> list[Person]:
        rng = self.rng
        village = self.bali[rng.randrange(len(self.bali))]
        second = BALI["M"](rng)
        phone = self.new_phone() if rng.random() < 0.6 else None
        # the eldest old enough for the youngest, born up to 1,900 days later each, to be of working age
        born = min(self.birth_date(), self.as_of - timedelta(days=18 * 366 + (count - 1) * 1_900))
        siblings = []
        for order in range(1, count + 1):
            sex = "MF"[rng.randrange(2)]
            siblings.append(
                self.add(
                    name=bali_name(rng, sex, order, second), born=born, sex=sex, village=village, phone=phone
                )
            )
            born += timedelta(days=400 + rng.randrange(1_500))
        return siblings

    def namesake(self, common: Person, same_day: bool) -> Person:
        """Another person called exactly as ``common``: in the same village, or born the same day in
        another village of the same district (the same first twelve NIK digits)."""
        rng = self.rng
        if same_day:
            others = [v for v in self.by_district[common.village[:8]] if v != common.village]
            village = others[rng.randrange(len(others))] if others else common.village
            return self.add(name=common.name, born=common.born, sex=common.sex, village=village)
        born = common.born
        while born == common.born:
            born = self.birth_date()
        return self.add(name=common.name, born=born, sex=common.sex, village=common.village)


RHYMING = {
    "M": [
        ("Hasan", "Husen"),
        ("Rizki", "Rizal"),
        ("Dimas", "Dimas Aji"),
        ("Yoga", "Yogi"),
        ("Andi", "Andika"),
        ("Rama", "Rami"),
        ("Fajar", "Fajri"),
        ("Ari", "Arif"),
    ],
    "F": [
        ("Rina", "Rini"),
        ("Fitri", "Fitra"),
        ("Dewi", "Desi"),
        ("Nita", "Nina"),
        ("Wulan", "Wulandari"),
        ("Ani", "Ana"),
        ("Yuni", "Yuli"),
        ("Lina", "Lani"),
    ],
}


def plan_counts(n: int, extra: bool) -> dict[str, int]:
    """How many of each planted kind a world of ``n`` holds (per million: 10,000 duplicates, 2,000 twin
    pairs, 1,000 Balinese families, 2,000 + 1,000 namesakes)."""
    scale = n / 1_000_000
    counts = {
        "duplicates": max(30, round(n * 0.01)),
        "twins": max(10, round(2_000 * scale)),
        "bali_families": max(5, round(1_000 * scale)),
        "namesakes_village": max(10, round(2_000 * scale)),
        "namesakes_same_day": max(5, round(1_000 * scale)),
    }
    if extra:
        counts["duplicates_muhammad_added_or_dropped"] = max(10, round(1_000 * scale))
        counts["twins_rhyming"] = max(10, round(500 * scale))
        counts["twins_mixed_sex"] = max(10, round(500 * scale))
    return counts


def build(n: int, seed: int, per_village: int, extra: bool, planted_path: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from jaring.channels.models import Agent, Outlet
    from jaring.channels.services import partner_create
    from jaring.common.bulk import db_date, db_datetime, insert_rows
    from jaring.members.models import Occupation, Participant, Standing
    from jaring.members.services.registration import PARTICIPANT_COLUMNS, STANDING_COLUMNS
    from jaring.regions.models import Region
    from jaring.regions.services import regions_load
    from jaring.rules.months import Month

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    regions_load()
    timings["migrate_and_regions_s"] = round(time.perf_counter() - started, 1)

    rng = random.Random(seed)
    as_of = date.today()
    # Villages: whole regencies, in a seeded order, until there are N / per_village of them; Bali's drawn
    # from all of Bali's, as many as the Balinese 5 % need at the same density.
    regencies = sorted(Region.objects.filter(level=Region.Level.REGENCY).values_list("code", flat=True))
    villages_of: dict[str, list[str]] = defaultdict(list)
    for code in Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True):
        villages_of[code[:5]].append(code)
    bali_regencies = [code for code in regencies if code.startswith("51.") and villages_of[code]]
    others = [code for code in regencies if not code.startswith("51.") and villages_of[code]]
    rng.shuffle(others)
    wanted = max(20, n // per_village)
    villages: list[str] = []
    for regency in others:
        if len(villages) >= wanted * (1 - BALI_SHARE):
            break
        villages += sorted(villages_of[regency])
    bali_all = sorted(v for regency in bali_regencies for v in villages_of[regency])
    bali = sorted(rng.sample(bali_all, max(10, min(len(bali_all), round(wanted * BALI_SHARE)))))
    districts = sorted({v[:8] for v in villages})

    pos = partner_create(code="POS", name="Pos Indonesia", kind="pos")
    perisai = partner_create(code="PERISAI", name="Perisai", kind="agent_network")
    outlet_count, agent_count = max(10, n // 2_000), max(20, n // 500)
    Outlet.objects.bulk_create(
        [
            Outlet(
                code=f"POS-{k:05d}", name=f"KPC {k:05d}", partner=pos, region_id=districts[k % len(districts)]
            )
            for k in range(outlet_count)
        ]
        + [
            Outlet(
                code=f"PRS-{k:04d}",
                name=f"Perisai {k:04d}",
                partner=perisai,
                region_id=districts[(k * 7) % len(districts)],
            )
            for k in range(max(5, agent_count // 10))
        ],
        batch_size=2_000,
    )
    perisai_outlets = list(
        Outlet.objects.filter(partner=perisai).order_by("code").values_list("pk", flat=True)
    )
    Agent.objects.bulk_create(
        [
            Agent(
                code=f"PRS-{k:05d}",
                name=f"Agen {k}",
                partner=perisai,
                outlet_id=perisai_outlets[k % len(perisai_outlets)],
                phone=f"0813{k:08d}",
                status="active",
                activated_on=as_of - timedelta(days=800),
            )
            for k in range(agent_count)
        ],
        batch_size=5_000,
    )
    outlets = list(Outlet.objects.filter(partner=pos).order_by("code").values_list("pk"))
    agents = list(Agent.objects.order_by("code").values_list("pk", "outlet_id", "phone"))
    occupation, permanence = Occupation.objects.order_by("code").values_list("code", "permanence")[0]

    world = World(rng, as_of, villages, bali, outlets, agents)
    counts = plan_counts(n, extra)
    families = [2 + rng.choices((0, 1, 2), weights=(5, 3, 2))[0] for _ in range(counts["bali_families"])]
    planted_people = (
        counts["duplicates"]
        + 2 * counts["twins"]
        + sum(families)
        + counts["namesakes_village"]
        + counts["namesakes_same_day"]
        + counts.get("duplicates_muhammad_added_or_dropped", 0)
        + 2 * counts.get("twins_rhyming", 0)
        + 2 * counts.get("twins_mixed_sex", 0)
    )
    started = time.perf_counter()
    base = [world.base() for _ in range(n - planted_people)]
    duplicates, negatives = [], defaultdict(list)
    # Each kind of respelling drawn from the people whose name it applies to: a Muhammad written another
    # way from the men called Muhammad, and so on.
    has_muhammad = [p for p in base if p.name.split()[0] in MUHAMMAD_FORMS]
    pools = {"muhammad": has_muhammad, "title": base, "y_i": base, "oe_u": base}
    copied: set[int] = set()
    wanted = [
        (NIK_KINDS[i % 3], list(RESPELLINGS)[(i // 3) % len(RESPELLINGS)])
        for i in range(counts["duplicates"])
    ]
    if extra:  # "Muhammad" added to a name without it, or dropped from one with it
        men = [p for p in base if p.sex == "M" and p.name.split()[0] not in ("I", "Ni")]
        pools[EXTRA_RESPELLING] = men
        wanted += [
            (NIK_KINDS[i % 3], EXTRA_RESPELLING)
            for i in range(counts["duplicates_muhammad_added_or_dropped"])
        ]
    for kind, spelling in wanted:
        original, copy, kinds = world.duplicate(pools[spelling], kind, spelling, copied)
        duplicates.append({"pair": sorted((original.pk, copy.pk)), **kinds})
    if extra:
        for _ in range(counts["twins_rhyming"]):
            a, b = world.twins(rhyming=True)
            negatives["twins_rhyming"].append([a.pk, b.pk])
        for _ in range(counts["twins_mixed_sex"]):
            a, b = world.twins_mixed()
            negatives["twins_mixed_sex"].append([a.pk, b.pk])
    for _ in range(counts["twins"]):
        a, b = world.twins()
        negatives["twins"].append([a.pk, b.pk])
    for size in families:
        siblings = world.bali_siblings(size)
        negatives["bali_siblings"] += [[a.pk, b.pk] for a, b in combinations(siblings, 2)]
    common = [p for p in base if p.name.split()[0] in ("Siti", "Nur", *MUHAMMAD_FORMS)]
    for kind in ("namesakes_village", "namesakes_same_day"):
        for person in rng.sample(common, counts[kind]):
            other = world.namesake(person, same_day=kind == "namesakes_same_day")
            negatives[kind].append([person.pk, other.pk])
    people = world.people
    timings["generate_s"] = round(time.perf_counter() - started, 1)
    assert len(people) == n, (len(people), n)

    started = time.perf_counter()
    created = datetime.now(UTC)
    columns = ("id", *PARTICIPANT_COLUMNS)  # the registration path's own columns
    chunk = 50_000
    for first in range(0, n, chunk):
        part = people[first : first + chunk]
        with transaction.atomic():
            insert_rows(
                Participant._meta.db_table,
                columns,
                [
                    (
                        p.pk,
                        p.nik,
                        p.name,
                        db_date(p.born),
                        p.sex,
                        p.phone,
                        p.village,
                        occupation,
                        permanence,
                        "BPU",
                        1_000_000,
                        "JKK+JKM",
                        p.channel,
                        p.outlet,
                        p.agent,
                        None,
                        db_datetime(p.at),
                        Month.from_date(p.at.date()).index,
                        db_datetime(created),
                    )
                    for p in part
                ],
            )
            insert_rows(Standing._meta.db_table, STANDING_COLUMNS, [(p.pk, "new", None, 0) for p in part])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('members_participant', 'id'), %s)", [n])
            cursor.execute("VACUUM ANALYZE members_participant")
            cursor.execute("VACUUM ANALYZE members_standing")
        else:
            cursor.execute("ANALYZE")
    timings["insert_s"] = round(time.perf_counter() - started, 1)
    print(
        f"built {n:,} participants ({len(villages) + len(bali):,} villages, {len(outlets):,} outlets, "
        f"{len(agents):,} agents): {timings}",
        flush=True,
    )
    planted_path.write_text(
        json.dumps(
            {
                "counts": counts,
                "villages": len(villages) + len(bali),
                "outlets": len(outlets),
                "agents": len(agents),
                "build": timings,
                "duplicates": duplicates,
                "negatives": negatives,
            }
        )
    )


# --- Measuring ------------------------------------------------------------------------------------------

# Words that come before a given name without telling two people apart: the variant ``given-name``
# compares names without them.
LEADING = frozenset({"muhamad", "siti", "nur"})


def variant_given_name() -> None:
    """A variant of ``rules.duplicates.name_similarity``, tried in this process only (src/ unchanged):
    the names compared without "Muhammad" (every spelling), "Siti" and "Nur" when other words remain, so
    that the given-name guard looks at the given name ("Muhamad Hadi Sembiring", "Muhamad Budi Sembiring":
    "hadi" against "budi", not "muhamad" against "muhamad") and a "Muhammad" added or dropped costs
    nothing ("Andi Santoso", "M. Andi Santoso")."""
    from jaring.rules import duplicates

    original = duplicates.name_similarity

    def stripped(name: str) -> str:
        words = duplicates.name_key(name).split()
        kept = [w for w in words if w not in LEADING and w not in duplicates._MARKERS]
        return " ".join(kept) if kept else name

    def name_similarity(a: str, b: str) -> float:
        return original(stripped(a), stripped(b))

    duplicates.name_similarity = name_similarity


def nik_as_declared(record) -> bool:
    """Whether the NIK's date digits say the record's declared birth date and sex."""
    day = record.birth_date.day + (40 if record.sex == "F" else 0)
    return record.nik[6:12] == f"{day:02d}{record.birth_date.month:02d}{record.birth_date.year % 100:02d}"


def variant_nik_declared() -> None:
    """A variant of the NIK comparison, tried in this process only (src/ unchanged): two NIKs one digit
    apart or with two digits swapped count as "other" when the birth dates or sexes declared differ and
    each NIK says its own record's (a girl's day has 40 added, "Zahra" born in 1984 and in 1987): their
    NIKs differ because the people do, not because a digit was mistyped."""
    from jaring.members.services import duplicates as scan
    from jaring.rules import duplicates as rules

    explained = [False]
    relation, score = rules.nik_relation, rules.score_pair

    def nik_relation(a: str, b: str) -> str:
        found = relation(a, b)
        if found in (rules.NIK_ONE_DIGIT, rules.NIK_SWAPPED) and explained[0]:
            return rules.NIK_OTHER
        return found

    def score_pair(a, b, rule, **options):
        differ = a.birth_date != b.birth_date or a.sex != b.sex
        explained[0] = differ and nik_as_declared(a) and nik_as_declared(b)
        return score(a, b, rule, **options)

    rules.nik_relation = nik_relation
    rules.score_pair = scan.score_pair = score_pair


VARIANTS = {"given-name": variant_given_name, "nik-declared": variant_nik_declared}


def blocks_of(record, key: str) -> list[tuple]:
    """The blocks the scan puts a record in (members.services.duplicates.candidate_pairs), written out."""
    found = [("nik", record.nik[:12]), ("born", record.birth_date, record.sex, record.village)]
    if record.phone:
        found.append(("phone", record.phone))
    found.append(("name", key, record.village))
    return found


def measure(planted_path: Path, sample: int, seed: int, variant: str | None) -> dict:
    import django

    django.setup()
    for name in (variant or "").split(","):
        if name:
            VARIANTS[name]()
    from django.db import connection

    from jaring.accounts.audit import Actor
    from jaring.members.models import Participant, ProbableDuplicate
    from jaring.members.services.duplicates import (
        BLOCK_MAX,
        FREQUENCY_MIN_REGISTRY,
        duplicates_scan,
        matcher_rule,
    )
    from jaring.rules.duplicates import Record, name_key, score_pair

    planted = json.loads(planted_path.read_text())
    load_before = os.getloadavg()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    steps = {}

    def progress(step: str, done: int, total: int) -> None:
        steps[step] = time.perf_counter() - started  # the latest report of each step

    result = duplicates_scan(actor=Actor("bench/duplicates.py"), progress=progress)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load_after = os.getloadavg()
    print(
        f"scan: {result.participants:,} participants, {result.pairs_compared:,} pairs compared, "
        f"{result.pairs_kept:,} kept, {result.blocks_too_large:,} blocks too large, {seconds:.1f} s, "
        f"peak {peak_kb / 1024:.0f} MB",
        flush=True,
    )

    # What the scan kept, against what was planted.
    rule = matcher_rule()
    threshold = float(rule["review_threshold"])
    found = {
        (a, b): score
        for a, b, score in ProbableDuplicate.objects.values_list("first_id", "second_id", "score")
    }
    records = {}
    columns = ("pk", "nik", "name", "birth_date", "sex", "village_id", "phone", "outlet_id", "agent_id")
    for row in Participant.objects.order_by().values_list(*columns).iterator(chunk_size=20_000):
        pk, nik, name, birth, sex, village, phone, outlet, agent = row
        records[pk] = Record(pk, nik, name, birth, sex, str(village), phone or "", outlet, agent)
    keys = {pk: name_key(record.name) for pk, record in records.items()}
    frequency = Counter(keys.values())
    blocks: Counter = Counter()
    for pk, record in records.items():
        blocks.update(blocks_of(record, keys[pk]))
    block_sizes = {}
    for kind in ("nik", "born", "phone", "name"):
        sizes = [size for block, size in blocks.items() if block[0] == kind]
        block_sizes[kind] = {
            "blocks": len(sizes),
            "of_2_or_more": sum(1 for s in sizes if s >= 2),
            "too_large": sum(1 for s in sizes if s > BLOCK_MAX),
            "largest": max(sizes, default=0),
            "pairs": sum(s * (s - 1) // 2 for s in sizes if 2 <= s <= BLOCK_MAX),
        }

    def scored(a: int, b: int):
        ra, rb = records[a], records[b]
        same = keys[a] == keys[b] and len(records) >= FREQUENCY_MIN_REGISTRY
        share = (
            max(frequency[keys[a]] / len(records), float(rule["fields"]["name"]["exact"]["u"]))
            if same
            else None
        )
        return score_pair(ra, rb, rule, name_frequency=share)

    def why_missed(a: int, b: int) -> str:
        shared = set(blocks_of(records[a], keys[a])) & set(blocks_of(records[b], keys[b]))
        if not shared:
            return "in no block together"
        if all(blocks[block] > BLOCK_MAX for block in shared):
            return "only in blocks too large"
        return "scored below the threshold"

    dup_pairs = {tuple(d["pair"]) for d in planted["duplicates"]}
    recall: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    missed_reasons: Counter = Counter()
    missed_examples = []
    for d in planted["duplicates"]:
        pair = tuple(d["pair"])
        hit = pair in found
        extra = d["spelling"] == EXTRA_RESPELLING
        groups = [
            "extra: Muhammad added or dropped" if extra else "all (the issue's kinds)",
            f"nik: {d['nik']}",
            f"spelling: {d['spelling']}",
            f"phone: {d['phone']}",
            f"acquirer: {'same' if d['same_acquirer'] else 'other'}",
        ]
        for group in groups:
            if extra and not group.startswith("extra"):
                group = f"extra, {group}"
            recall[group]["count"][0] += 1
            recall[group]["count"][1] += hit
        if not hit:
            reason = why_missed(*pair)
            missed_reasons[f"{d['nik']}/{d['spelling']}: {reason}"] += 1
            if len(missed_examples) < 12 and not extra:
                s = scored(*pair)
                missed_examples.append(
                    {
                        "kind": d,
                        "names": [records[pair[0]].name, records[pair[1]].name],
                        "niks": [records[pair[0]].nik, records[pair[1]].nik],
                        "why": reason,
                        "probability": s.probability,
                        "reasons": [f"{r.field}:{r.level}:{r.weight}" for r in s.reasons],
                    }
                )
    order = ("all", "nik", "spelling", "phone", "acquirer", "extra:", "extra,")
    recall_table = {
        group: {"planted": v["count"][0], "found": v["count"][1], "recall": v["count"][1] / v["count"][0]}
        for group, v in sorted(
            recall.items(), key=lambda item: ([item[0].startswith(o) for o in order].index(True), item[0])
        )
    }
    negatives = {}
    negative_pairs = {}
    for kind, pairs in planted["negatives"].items():
        keyed = {tuple(sorted(p)) for p in pairs}
        negative_pairs.update(dict.fromkeys(keyed, kind))
        kept = [p for p in keyed if p in found]
        negatives[kind] = {
            "pairs": len(keyed),
            "kept": len(kept),
            "examples": [
                {
                    "names": [records[a].name, records[b].name],
                    "probability": found[a, b],
                    "reasons": [f"{r.field}:{r.level}:{r.weight}" for r in scored(a, b).reasons],
                }
                for a, b in kept[:6]
            ],
        }
    extra_dups = {tuple(d["pair"]) for d in planted["duplicates"] if d["spelling"] == EXTRA_RESPELLING}
    issue_dups = dup_pairs - extra_dups
    issue_negative_kinds = {"twins", "bali_siblings", "namesakes_village", "namesakes_same_day"}
    kept_dup = sum(1 for p in found if p in issue_dups)
    kept_extra = sum(1 for p in found if p in extra_dups)
    kept_negative = Counter(negative_pairs[p] for p in found if p in negative_pairs)
    other = [p for p in found if p not in dup_pairs and p not in negative_pairs]
    # Precision over the issue's world: the extra kinds' pairs (when planted) are left out of both sides.
    considered = (
        len(found) - kept_extra - sum(v for k, v in kept_negative.items() if k not in issue_negative_kinds)
    )
    precision = kept_dup / considered if considered else float("nan")

    def nik_level(a: int, b: int) -> str:
        return next(r.level for r in scored(a, b).reasons if r.field == "nik")

    not_duplicates = [p for p in found if p not in dup_pairs]
    false_kept = {
        "by_nik_relation": dict(Counter(nik_level(*p) for p in not_duplicates)),
        "niks_as_declared_and_dates_or_sexes_differ": sum(
            1
            for a, b in not_duplicates
            if (records[a].birth_date != records[b].birth_date or records[a].sex != records[b].sex)
            and nik_as_declared(records[a])
            and nik_as_declared(records[b])
        ),
    }
    other_examples = [
        {
            "names": [records[a].name, records[b].name],
            "niks": [records[a].nik, records[b].nik],
            "probability": found[a, b],
            "reasons": [f"{r.field}:{r.level}:{r.weight}" for r in scored(a, b).reasons],
        }
        for a, b in other[:8]
    ]

    # The reference: every pair of a sample scored as the scan scores a pair, extrapolated to N.
    rng = random.Random(seed + 1)
    picked = rng.sample(sorted(records), min(sample, len(records)))
    naive_started = time.perf_counter()
    compared = kept_naive = 0
    for i, a in enumerate(picked):
        for b in picked[i + 1 :]:
            compared += 1
            if scored(a, b).probability >= threshold:
                kept_naive += 1
    naive_seconds = time.perf_counter() - naive_started
    n = len(records)
    per_pair = naive_seconds / compared
    extrapolated = per_pair * n * (n - 1) / 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {
        "participants": n,
        "variant": variant,
        "database": connection.vendor,
        "database_version": version,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
        },
        "planted_counts": planted["counts"],
        "world": {k: planted[k] for k in ("villages", "outlets", "agents", "build")},
        "scan": {
            **result.as_json(),
            "wall_s": round(seconds, 1),
            "read_s": round(steps.get("read", 0), 1),
            "peak_rss_mb": round(peak_kb / 1024),
            "rss_before_scan_mb": round(rss_before / 1024),
            "per_pair_us": round(seconds / max(1, result.pairs_compared) * 1e6, 1),
        },
        "blocks": block_sizes,
        "recall": recall_table,
        "precision": {
            "kept": len(found),
            "kept_planted_duplicates": kept_dup,
            "kept_extra_duplicates": kept_extra,
            "kept_hard_negatives": dict(kept_negative),
            "kept_other": len(other),
            "precision": precision,
        },
        "hard_negatives": negatives,
        "kept_not_duplicates": false_kept,
        "missed": dict(missed_reasons.most_common()),
        "missed_examples": missed_examples,
        "other_examples": other_examples,
        "naive": {
            "sample": len(picked),
            "pairs": compared,
            "kept": kept_naive,
            "seconds": round(naive_seconds, 1),
            "per_pair_us": round(per_pair * 1e6, 2),
            "pairs_at_n": n * (n - 1) // 2,
            "extrapolated_hours": round(extrapolated / 3600, 1),
        },
    }


def report(result: dict) -> None:
    scan, naive, precision = result["scan"], result["naive"], result["precision"]
    machine = result["machine"]
    print(
        f"\n{result['database']} {result['database_version']}, {result['participants']:,} participants"
        + (f", matcher variant {result['variant']}" if result.get("variant") else "")
        + "; "
        f"load average {machine['load_average_before'][0]} before, {machine['load_average_after'][0]} after "
        f"({machine['cpus']} cores)"
    )
    print(
        f"  duplicates_scan: {scan['wall_s']:,.1f} s (read ~{scan['read_s']:.1f} s), "
        f"peak {scan['peak_rss_mb']:,} MB, "
        f"{scan['pairs_compared']:,} pairs compared ({scan['per_pair_us']} µs a pair all in), "
        f"{scan['pairs_kept']:,} kept, {scan['blocks_too_large']:,} blocks too large"
    )
    print(
        f"  reference: naive all pairs of {naive['sample']:,} ({naive['pairs']:,} pairs) "
        f"{naive['seconds']} s, {naive['per_pair_us']} µs a pair; "
        f"naive, extrapolated to N: {naive['extrapolated_hours']:,} hours"
    )
    print(f"  {'recall':<40}{'planted':>9}{'found':>9}{'recall':>9}   (goal 95 %)")
    for group, row in result["recall"].items():
        print(f"  {group:<40}{row['planted']:>9,}{row['found']:>9,}{row['recall']:>9.1%}")
    print(
        f"  precision: {precision['kept_planted_duplicates']:,} planted of {precision['kept']:,} kept "
        f"= {precision['precision']:.1%} (goal 90 %); "
        f"hard negatives kept {precision['kept_hard_negatives']}, "
        f"other pairs kept {precision['kept_other']:,}"
    )
    for kind, row in result["hard_negatives"].items():
        print(f"  hard negatives {kind:<22}{row['pairs']:>8,} pairs, {row['kept']:>6,} kept")
    print(f"  kept pairs not planted as duplicates: {result['kept_not_duplicates']}")
    print(
        "  blocks:",
        {
            k: (v["of_2_or_more"], v["largest"], v["too_large"], v["pairs"])
            for k, v in result["blocks"].items()
        },
        "(blocks of 2+, largest, too large, pairs)",
    )
    if result["missed"]:
        print("  missed, why:")
        for reason, count in list(result["missed"].items())[:15]:
            print(f"    {count:>6,}  {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=1_000_000)
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--sqlite", action="store_true", help="a bench SQLite file under a temporary JARING_HOME"
    )
    target.add_argument("--postgres", help="PostgreSQL URL of the bench's own database (dropped and created)")
    parser.add_argument("--out", help="write the figures to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the database (and JARING_HOME)")
    parser.add_argument("--per-village", type=int, default=100, help="people per village (default 100)")
    parser.add_argument("--naive-sample", type=int, default=2_000, help="participants of the naive reference")
    parser.add_argument("--extra", action="store_true", help="plant the kinds beyond the issue's list too")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--variant", help=f"score with variants of the matcher, this run only: {','.join(VARIANTS)}"
    )
    parser.add_argument("--worker", choices=("build", "measure"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        home = Path(os.environ["JARING_HOME"])
        if args.worker == "build":
            build(args.participants, args.seed, args.per_village, args.extra, home / "planted.json")
        else:
            result = measure(home / "planted.json", args.naive_sample, args.seed, args.variant)
            (home / "measured.json").write_text(json.dumps(result, indent=1, default=str))
        return
    if not (args.sqlite or args.postgres):
        parser.error("one of --sqlite and --postgres is required")
    home = tempfile.mkdtemp(prefix="jaring-bench-dup-")
    env = {
        **os.environ,
        "JARING_HOME": home,
        "DJANGO_SETTINGS_MODULE": "jaring.settings",
        "JARING_LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DATABASE_REPLICA_URL", None)
    if args.postgres:
        database_recreate(args.postgres)
        env["DATABASE_URL"] = args.postgres
    common = [sys.executable, __file__, "--participants", str(args.participants), "--seed", str(args.seed)]
    try:
        started = time.perf_counter()
        subprocess.run(
            [*common, "--worker", "build", "--per-village", str(args.per_village)]
            + (["--extra"] if args.extra else []),
            env=env,
            check=True,
        )
        built = time.perf_counter() - started
        subprocess.run(
            [*common, "--worker", "measure", "--naive-sample", str(args.naive_sample)]
            + (["--variant", args.variant] if args.variant else []),
            env=env,
            check=True,
        )
        result = json.loads((Path(home) / "measured.json").read_text())
        result["command"] = " ".join(["bench/duplicates.py", *sys.argv[1:]])
        result["world"]["build_wall_s"] = round(built, 1)
        report(result)
        if args.out:
            Path(args.out).write_text(json.dumps(result, indent=1, default=str) + "\n")
            print(f"figures written to {args.out}")
    finally:
        if args.keep:
            print(f"kept: JARING_HOME={home}" + (f", database {args.postgres}" if args.postgres else ""))
        else:
            shutil.rmtree(home, ignore_errors=True)
            if args.postgres:
                import psycopg

                base, name = args.postgres.rsplit("/", 1)
                with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
