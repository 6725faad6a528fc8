"""Probable duplicates found over the registry: participants read once, grouped into blocks of records
that could be one person, every pair within a block scored (``rules.duplicates``), the pairs at or above
the review threshold kept in ``ProbableDuplicate``. A pair already decided is never scored again.

Blocks: the NIK's first twelve digits (district, birth date, sex: a serial typed wrong or made up, and
twins); the declared birth date, sex and village (a NIK typed wrong in its district or date); the phone;
the name as compared and the village. A block larger than ``BLOCK_MAX`` (a phone an agent typed for
everyone, a very common name) is left out and counted: its pairs say nothing a smaller block does not.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, reduce
from importlib import resources
from itertools import combinations
from operator import or_

from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.common.errors import Problem, problems_error
from jaring.common.privacy import mask_nik
from jaring.common.rows import as_date, plain_rows
from jaring.common.rules import entry_in_force, rule_entries
from jaring.members.models import DuplicateRule, Participant, ProbableDuplicate
from jaring.org.models import Office
from jaring.org.queries import office_subtree
from jaring.rules.duplicates import Record, Scored, name_key, score_pair
from jaring.rules.months import Month

BLOCK_MAX = 50
READ_CHUNK = 20_000
# A name's share of the registry stands for its u probability only in a registry this large: in a small
# one (an office's first months) a name's share says nothing about how common it is.
FREQUENCY_MIN_REGISTRY = 1_000


def matcher_rule(day=None) -> dict:
    """The matcher's weights and thresholds in force (``DuplicateRule``); the rule as shipped
    (``rules/data/duplicates.json``) when no row is in force, so that a registration never fails for
    want of one."""
    return duplicate_rule("matcher", day)


def duplicate_rule(kind: str, day=None) -> dict:
    """The ``DuplicateRule`` of ``kind`` in force on ``day`` (today), or the rule as shipped when no row
    is in force (a database a browser test empties between cases)."""
    month = Month.from_date(day or timezone.localdate())
    entry = entry_in_force(rule_entries(DuplicateRule.objects.all()).get(kind, []), month)
    return entry if entry is not None else shipped_rule(kind)


@cache
def shipped_rule(kind: str) -> dict:
    shipped = json.loads(resources.files("jaring.rules.data").joinpath("duplicates.json").read_text("utf-8"))
    rule = next(rule for rule in shipped["rules"] if rule["kind"] == kind)
    return {**rule["data"], "code": rule["code"], "uncertain": rule["uncertain"], "source": rule["source"]}


@dataclass
class ScanResult:
    participants: int = 0
    pairs_compared: int = 0
    pairs_kept: int = 0
    pairs_new: int = 0
    blocks_too_large: int = 0
    seconds: float = 0.0
    by_reason: Counter = field(default_factory=Counter)

    def as_json(self) -> dict:
        return {
            "participants": self.participants,
            "pairs_compared": self.pairs_compared,
            "pairs_kept": self.pairs_kept,
            "pairs_new": self.pairs_new,
            "blocks_too_large": self.blocks_too_large,
            "seconds": round(self.seconds, 1),
            "nik_relations": dict(self.by_reason),
        }


def _records(office: Office | None, progress: Callable[[int, int], None] | None) -> list[Record]:
    people = Participant.objects.all()
    if office is not None:
        people = people.filter(office__in=office_subtree(office))
    total = people.count()
    records = []
    for row in people.order_by().values_list(*_COLUMNS).iterator(chunk_size=READ_CHUNK):
        records.append(_record(row))
        if progress and len(records) % READ_CHUNK == 0:
            progress(len(records), total)
    return records


def candidate_pairs(records: list[Record], keys: dict[int, str]) -> tuple[set[tuple[int, int]], int]:
    """The pairs of positions in ``records`` that share a block, and the number of blocks too large to
    pair. ``keys`` holds each record's name as compared, by position. The blocks: the NIK's first twelve
    digits; the birth date, sex and village; the phone; the name as compared and the village."""
    by_nik: dict[str, list[int]] = defaultdict(list)
    by_birth: dict[tuple, list[int]] = defaultdict(list)
    by_phone: dict[str, list[int]] = defaultdict(list)
    by_name: dict[tuple, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        by_nik[record.nik[:12]].append(index)
        by_birth[record.birth_date, record.sex, record.village].append(index)
        if record.phone:
            by_phone[record.phone].append(index)
        by_name[keys[index], record.village].append(index)
    pairs: set[tuple[int, int]] = set()
    too_large = 0
    for blocks in (by_nik, by_birth, by_phone, by_name):
        for members in blocks.values():
            if len(members) < 2:
                continue
            if len(members) > BLOCK_MAX:
                too_large += 1
                continue
            pairs.update(combinations(members, 2))
    return pairs, too_large


def duplicates_scan(
    *,
    office: Office | None = None,
    actor=None,
    progress: Callable[[str, int, int], None] | None = None,
    now: datetime | None = None,
) -> ScanResult:
    """Scans the registry (or an office's subtree) for probable duplicates and keeps the pairs at or above
    the review threshold: new pairs added, open ones rescored, decided ones left as decided. Audited."""
    started = time.perf_counter()
    now = now or timezone.now()
    rule = matcher_rule()
    threshold = float(rule["review_threshold"])
    result = ScanResult()
    records = _records(office, (lambda done, total: progress("read", done, total)) if progress else None)
    result.participants = len(records)
    keys = {index: name_key(record.name) for index, record in enumerate(records)}
    frequency = Counter(keys.values())
    pairs, result.blocks_too_large = candidate_pairs(records, keys)
    result.pairs_compared = len(pairs)
    kept: list[Scored] = []
    for done, (i, j) in enumerate(pairs, start=1):
        a, b = records[i], records[j]
        same_name = keys[i] == keys[j] and len(records) >= FREQUENCY_MIN_REGISTRY
        share = (
            max(frequency[keys[i]] / len(records), float(rule["fields"]["name"]["exact"]["u"]))
            if same_name
            else None
        )
        scored = score_pair(a, b, rule, name_frequency=share)
        if scored.probability >= threshold:
            kept.append(scored)
            nik = next(reason.level for reason in scored.reasons if reason.field == "nik")
            result.by_reason[nik] += 1
        if progress and done % 50_000 == 0:
            progress("score", done, len(pairs))
    result.pairs_kept = len(kept)
    result.pairs_new = _keep(kept, now)
    result.seconds = time.perf_counter() - started
    summary = Said(
        gettext_noop(
            "probable duplicates scanned: %(pairs)s pairs kept, %(new)s new, over %(people)s participants"
        ),
        {"pairs": result.pairs_kept, "new": result.pairs_new, "people": result.participants},
    )
    audit(actor, "create", obj=ProbableDuplicate, summary=summary)
    return result


@transaction.atomic
def _keep(kept: list[Scored], now: datetime) -> int:
    """Adds the new pairs and rescores the open ones; returns how many were new."""
    existing = {}
    for chunk_start in range(0, len(kept), 5_000):
        chunk = kept[chunk_start : chunk_start + 5_000]
        firsts = {scored.a for scored in chunk}
        for pair in ProbableDuplicate.objects.filter(first_id__in=firsts).only(
            "pk", "first_id", "second_id", "state"
        ):
            existing[pair.first_id, pair.second_id] = pair
    new, changed = [], []
    for scored in kept:
        reasons = [{"field": r.field, "level": r.level, "weight": r.weight} for r in scored.reasons]
        pair = existing.get((scored.a, scored.b))
        if pair is None:
            new.append(
                ProbableDuplicate(
                    first_id=scored.a,
                    second_id=scored.b,
                    score=scored.probability,
                    weight=scored.weight,
                    reasons=reasons,
                    found_at=now,
                    scored_at=now,
                )
            )
        elif pair.state == ProbableDuplicate.State.OPEN:
            pair.score, pair.weight, pair.reasons, pair.scored_at = (
                scored.probability,
                scored.weight,
                reasons,
                now,
            )
            changed.append(pair)
    ProbableDuplicate.objects.bulk_create(new, batch_size=5_000)
    ProbableDuplicate.objects.bulk_update(
        changed, ["score", "weight", "reasons", "scored_at"], batch_size=5_000
    )
    return len(new)


@dataclass(frozen=True)
class Decision:
    pair: ProbableDuplicate
    decided: bool  # False: a proposal waiting for a second person


@transaction.atomic
def duplicate_decide(*, pair: ProbableDuplicate, same: bool, actor, now: datetime | None = None) -> Decision:
    """Decides an open pair: the same person, or different people (kept for good: the pair is never asked
    about again). A pair scored at or above the rule's ``two_people_threshold`` takes two people: the first
    choice is a proposal, decided when someone else chooses the same (a different choice replaces the
    proposal). Raises ``ValidationError`` for a pair already decided or a second choice by the proposer."""
    now = now or timezone.now()
    pair = ProbableDuplicate.objects.select_for_update().get(pk=pair.pk)
    user = user_of(actor)
    if pair.state != ProbableDuplicate.State.OPEN:
        raise problems_error([Problem("pair", "decided", _("This pair was decided already."))])
    if not getattr(user, "pk", None):
        raise problems_error(
            [Problem("actor", "required", _("A pair is decided by a signed-in member of staff."))]
        )
    choice = ProbableDuplicate.State.SAME if same else ProbableDuplicate.State.DIFFERENT
    two_people = pair.score >= float(matcher_rule()["two_people_threshold"])
    if two_people and pair.proposed_by_id == user.pk:
        raise problems_error(
            [Problem("actor", "same_person", _("Someone else confirms what you proposed for this pair."))]
        )
    decided = not two_people or pair.proposed == choice
    if decided:
        pair.state, pair.decided_by, pair.decided_at = choice, user, now
        pair.save(update_fields=["state", "decided_by", "decided_at"])
        message = gettext_noop("probable duplicate %(pair)s decided: %(choice)s")
    else:
        pair.proposed, pair.proposed_by, pair.proposed_at = choice, user, now
        pair.save(update_fields=["proposed", "proposed_by", "proposed_at"])
        message = gettext_noop("probable duplicate %(pair)s: %(choice)s proposed")
    what = {"first": pair.first_id, "second": pair.second_id, "choice": choice}
    audit(
        actor, "update", obj=pair, after=what, summary=Said(message, {"pair": str(pair.pk), "choice": choice})
    )
    return Decision(pair, decided=decided)


# -- at registration ----------------------------------------------------------------------------------------
# A registration is compared, as it is checked, with the participants whose NIK shares its first twelve
# digits (district, birth date, sex: a serial typed wrong or made up), read for the whole list at once by
# ranges of the NIK's own index; a pair at or above the review threshold is a warning (never a refusal),
# kept as a probable duplicate for the branch to review. NIKs typed wrong in their district or date are
# found by the scan.
NEIGHBOURS_CHUNK = 300


@dataclass(frozen=True)
class Neighbour:
    record: Record
    number: str
    nik: str


def neighbours_load(niks: Iterable[str]) -> dict[str, list[Neighbour]]:
    """The participants whose NIK shares the first twelve digits of one of ``niks``, by those digits."""
    prefixes = sorted({nik[:12] for nik in niks if len(nik) == 16 and nik.isdigit()})
    found: dict[str, list[Neighbour]] = defaultdict(list)
    columns = ("pk", "nik", "name", "birth_date", "sex", "village_id", "phone", "outlet_id", "agent_id")
    for start in range(0, len(prefixes), NEIGHBOURS_CHUNK):
        ranges = Q()
        for prefix in prefixes[start : start + NEIGHBOURS_CHUNK]:
            ranges |= Q(nik__gte=prefix + "0000", nik__lte=prefix + "9999")
        # No ORDER BY: the model's default order by id made SQLite walk the whole table in id order
        # instead of reading the NIK index's ranges.
        for row in Participant.objects.filter(ranges).order_by().values_list(*columns):
            pk, nik, name, birth, sex, village, phone, outlet, agent = row
            record = Record(pk, nik, name, birth, sex, str(village), phone or "", outlet, agent)
            found[nik[:12]].append(Neighbour(record, Participant(pk=pk).number, nik))
    return found


def probable_duplicates(record: Record, candidates: Iterable, rule: dict) -> list[tuple[object, Scored]]:
    """Of ``candidates`` ((record, what it stands for) pairs), those scored with ``record`` at or above
    the review threshold, with their score."""
    threshold = float(rule["review_threshold"])
    kept = []
    for other, who in candidates:
        scored = score_pair(record, other, rule)
        if scored.probability >= threshold:
            kept.append((who, scored))
    return kept


def duplicate_warning(number: str, nik: str) -> str:
    """The warning a registration gives when it may be a person registered before (the NIK masked)."""
    return _(
        "This may be the same person as participant %(number)s (NIK %(nik)s): registered all the same, "
        "and kept for the branch to review."
    ) % {"number": number, "nik": mask_nik(nik)}


def duplicate_pairs_write(pairs: list[tuple[int, int, Scored]], now: datetime) -> None:
    """Keeps the probable duplicates found at registration (ids of the two participants and the score)."""
    rows = []
    for one, other, scored in pairs:
        first, second = sorted((one, other))
        reasons = [{"field": r.field, "level": r.level, "weight": r.weight} for r in scored.reasons]
        rows.append(
            ProbableDuplicate(
                first_id=first,
                second_id=second,
                score=scored.probability,
                weight=scored.weight,
                reasons=reasons,
                found_at=now,
                scored_at=now,
            )
        )
    ProbableDuplicate.objects.bulk_create(rows, ignore_conflicts=True)


# -- after a file's import ----------------------------------------------------------------------------------
# A file's chunks of thousands are not compared as they are checked (that made an import 13 times slower):
# once the file's rows are all in, its new participants are compared at once, with one another on every
# block of the scan and with the registry on the blocks an index finds: the NIK's first twelve digits (the
# NIK's own index, as at registration) and the declared birth date, sex and village (the village's index).
# A registry participant sharing only a phone, or only a name and a village, is left to the scan.
_COLUMNS = ("pk", "nik", "name", "birth_date", "sex", "village_id", "phone", "outlet_id", "agent_id")
RANGES_PER_QUERY = 300
PARAMETERS_PER_QUERY = 900
COMPARED_BATCH = 100_000


@dataclass
class Compared:
    """What comparing new participants found: each new pair (not kept before) with the participant it
    warns about (the newcomer; of two newcomers the later) and the other one's record."""

    participants: int = 0
    pairs_compared: int = 0
    blocks_too_large: int = 0
    pairs: list[tuple[int, Record, Scored]] = field(default_factory=list)


def _record(row) -> Record:
    """A participant's row as read (``plain_rows``: a day may come as SQLite's text) made a ``Record``."""
    pk, nik, name, birth, sex, village, phone, outlet, agent = row
    return Record(pk, nik, name, as_date(birth), sex, str(village), phone or "", outlet, agent)


def _records_of(ids: set[int]) -> list[Record]:
    """The participants ``ids`` names, read by runs of consecutive ids (a file's registrations take
    consecutive ids, so a chunk of them is one range of the primary key)."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(ids):
        if runs and runs[-1][1] == pk - 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    records = []
    for start in range(0, len(runs), RANGES_PER_QUERY):
        ranges = Q()
        for low, high in runs[start : start + RANGES_PER_QUERY]:
            ranges |= Q(pk__gte=low, pk__lte=high)
        records.extend(
            map(_record, plain_rows(Participant.objects.filter(ranges).order_by().values_list(*_COLUMNS)))
        )
    return records


def _nik_alike(newcomers: list[Record], ids: set[int]) -> set[int]:
    """The participants other than ``ids`` whose NIK shares its first twelve digits with one of
    ``newcomers``: their ids, read from the NIK's own index by ranges, a few hundred to a query, in no
    order (an order makes SQLite read the whole table rather than the index's ranges)."""
    prefixes = sorted({record.nik[:12] for record in newcomers if len(record.nik) == 16})
    nik = f"{connection.ops.quote_name(Participant._meta.db_table)}.{connection.ops.quote_name('nik')}"
    found: set[int] = set()
    for start in range(0, len(prefixes), RANGES_PER_QUERY):
        some = prefixes[start : start + RANGES_PER_QUERY]
        # written out: Django builds a condition of a few hundred ranges slower than the database reads them
        ranges = RawSQL(
            " OR ".join([f"({nik} >= %s AND {nik} <= %s)"] * len(some)),
            [bound for prefix in some for bound in (prefix + "0000", prefix + "9999")],
            output_field=BooleanField(),
        )
        rows = Participant.objects.filter(ranges).order_by().values_list("pk")
        found.update(pk for (pk,) in plain_rows(rows) if pk not in ids)
    return found


def _born_alike(newcomers: list[Record], ids: set[int]) -> set[int]:
    """The participants other than ``ids`` declared born on the day, of the sex and in the village of one
    of ``newcomers``: their ids, read from the index of villages and birth dates, each village with its
    own days, a few hundred days to a query."""
    wanted = {(record.village, record.birth_date, record.sex) for record in newcomers}
    days_by_village: dict[str, set] = defaultdict(set)
    for village, born, _sex in wanted:
        days_by_village[village].add(born)
    found: set[int] = set()
    asked: list[Q] = []
    parameters = 0

    def read() -> None:
        rows = Participant.objects.filter(reduce(or_, asked)).order_by()
        for pk, village, born, sex in plain_rows(rows.values_list("pk", "village_id", "birth_date", "sex")):
            if pk not in ids and (str(village), as_date(born), sex) in wanted:
                found.add(pk)

    for village, days in sorted(days_by_village.items()):
        if asked and parameters + 1 + len(days) > PARAMETERS_PER_QUERY:
            read()
            asked, parameters = [], 0
        asked.append(Q(village_id=village, birth_date__in=sorted(days)))
        parameters += 1 + len(days)
    if asked:
        read()
    return found


def _records_listed(pks: set[int]) -> list[Record]:
    """The participants ``pks`` names (a few: those of the registry a file's participants may duplicate)."""
    ordered = sorted(pks)
    records = []
    for start in range(0, len(ordered), PARAMETERS_PER_QUERY):
        rows = Participant.objects.filter(pk__in=ordered[start : start + PARAMETERS_PER_QUERY]).order_by()
        records.extend(map(_record, plain_rows(rows.values_list(*_COLUMNS))))
    return records


def _kept_before(found: list[Scored]) -> set[tuple[int, int]]:
    """Of the pairs ``found``, those kept before (at registration, or decided)."""
    kept: set[tuple[int, int]] = set()
    wanted = {(scored.a, scored.b) for scored in found}
    firsts = sorted({scored.a for scored in found})
    for start in range(0, len(firsts), PARAMETERS_PER_QUERY):
        rows = ProbableDuplicate.objects.filter(first_id__in=firsts[start : start + PARAMETERS_PER_QUERY])
        kept.update(pair for pair in rows.order_by().values_list("first_id", "second_id") if pair in wanted)
    return kept


def duplicates_compare(*, participant_ids: Iterable[int], rule: dict | None = None) -> Compared:
    """Compares participants just registered (a file's) with one another and with the registry, blocked
    and scored as the scan does (``candidate_pairs``, ``score_pair``; a block of more than ``BLOCK_MAX``
    left out), and answers the pairs at or above the review threshold not kept before. Reads only: the
    caller keeps the pairs (``duplicate_pairs_write``) and gives the warnings. A few queries for any
    number of participants: theirs by runs of ids, the registry's by ranges of NIKs and by villages and
    birth dates, a few hundred to a query.

    The participants are taken ``COMPARED_BATCH`` at a time, so that a file of a million rows is held in
    memory a part at a time: participants of two parts are compared on the NIK and birth blocks (each
    part reads the others from the registry) but not on the phone or the name alone."""
    ids = set(participant_ids)
    compared = Compared()
    rule = rule or matcher_rule()
    threshold = float(rule["review_threshold"])
    found: dict[tuple[int, int], tuple[Scored, dict[int, Record]]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), COMPARED_BATCH):
        part = set(ordered[start : start + COMPARED_BATCH])
        newcomers = _records_of(part)
        compared.participants += len(newcomers)
        records = newcomers + _records_listed(_nik_alike(newcomers, part) | _born_alike(newcomers, part))
        keys = {index: name_key(record.name) for index, record in enumerate(records)}
        pairs, too_large = candidate_pairs(records, keys)
        compared.blocks_too_large += too_large
        for i, j in pairs:
            if i >= len(newcomers) and j >= len(newcomers):
                continue  # neither is of this part: the scan's, or another part's
            compared.pairs_compared += 1
            scored = score_pair(records[i], records[j], rule)
            if scored.probability >= threshold:
                found[scored.a, scored.b] = (scored, {records[i].pk: records[i], records[j].pk: records[j]})
    kept = _kept_before([scored for scored, _records in found.values()])
    for pair in sorted(found):
        if pair in kept:
            continue
        scored, records = found[pair]
        # the newcomer is warned: of two newcomers, the later registered (the higher id)
        newcomer, other = (scored.b, scored.a) if scored.b in ids else (scored.a, scored.b)
        compared.pairs.append((newcomer, records[other], scored))
    return compared
