"""Registering many workers at once (file imports, batches): the same checks as ``participant_register``,
written set-based.

Each row is judged by ``registration_clean`` with a ``RegistrationContext`` whose lookups are in-memory
maps; the accepted rows of a chunk are inserted with one ``COPY``/``executemany``, existing NIKs are found
with one query per chunk, and refused duplicates are recorded like single refusals. The caller runs a
chunk in one transaction, so a chunk is applied whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaring.channels.models import Agent, Outlet
from jaring.common.bulk import db_date, db_datetime, insert_rows, reserve_ids
from jaring.common.clock import ZONE, parse_day, parse_moment
from jaring.members.models import DuplicateAttempt, Occupation, Participant
from jaring.members.services import duplicate_message
from jaring.members.validation import RegistrationContext, registration_clean
from jaring.monitoring.tallies import REGISTERED, TallyBatch, Who
from jaring.org.queries import branch_map
from jaring.regions.models import Region
from jaring.rules.participant_number import participant_number


@dataclass
class RegistrationRow:
    """One registration as it arrived (text fields, as in a file)."""

    row: int
    nik: str
    name: str
    birth_date: str
    sex: str
    phone: str
    village_code: str
    occupation: str
    declared_income: str
    programmes: str
    outlet_code: str
    agent_code: str = ""
    registered_at: str = ""


@dataclass
class RowResult:
    """What became of one row: accepted (with the participant number) or rejected with its reasons.

    ``codes`` are stable ``field:code`` pairs (``nik:duplicate``) for counting rejections by reason;
    ``errors`` are the messages for people, per field.
    """

    row: int
    status: str = "rejected"  # or "accepted"
    errors: dict[str, list[str]] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    number: str = ""
    record_id: int | None = None

    def fail(self, field_name: str, message: str, code: str = "invalid") -> None:
        self.status = "rejected"
        self.errors.setdefault(field_name, []).append(str(message))
        self.codes.append(f"{field_name}:{code}")

    def fail_with(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.fail("row", message)
            return
        for field_name, problems in error.error_dict.items():
            for problem in problems:
                for message in problem.messages:
                    self.fail(field_name, message, problem.code or "invalid")

    @property
    def reason(self) -> str:
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.errors.items())


@dataclass
class BulkRegistrationContext(RegistrationContext):
    """Lookups for many rows: every village code and every outlet and agent in memory."""

    villages: frozenset[str] = frozenset()
    outlets: dict[str, Outlet] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    branches: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, *, ratebook) -> BulkRegistrationContext:
        context = cls(ratebook=ratebook)
        context.villages = frozenset(
            Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True)
        )
        context.outlets = {outlet.code: outlet for outlet in Outlet.objects.select_related("partner")}
        context.agents = {agent.code: agent for agent in Agent.objects.all()}
        context.branches = branch_map()
        context.__dict__["occupations"] = {o.code: o for o in Occupation.objects.all()}
        return context

    def village_exists(self, code: str) -> bool:
        return code in self.villages


_SEX = {"M": "M", "L": "M", "F": "F", "P": "F"}


PARTICIPANT_COLUMNS = (
    "id",
    "nik",
    "name",
    "birth_date",
    "sex",
    "phone",
    "village_id",
    "occupation_id",
    "permanence",
    "segment",
    "declared_income",
    "programmes",
    "channel",
    "outlet_id",
    "agent_id",
    "office_id",
    "registered_at",
    "registered_month",
    "status",
    "paid_through",
    "deposit_balance",
    "created_at",
)


def registrations_apply(
    rows: list[RegistrationRow], *, context: BulkRegistrationContext, seen: dict[str, int], now: datetime
) -> list[RowResult]:
    """Checks and registers a chunk of rows; returns one result per row, in order.

    ``seen`` maps each NIK met earlier in the same file to its first row, so a NIK twice in a file is
    refused as a duplicate of the earlier row (whatever became of that row; the map can be rebuilt from
    the file alone when an import resumes). Must run inside a transaction.
    """
    results: list[RowResult] = []
    accepted: list[tuple[RowResult, object, Outlet, Agent | None]] = []
    for row in rows:
        result = RowResult(row=row.row)
        results.append(result)
        nik = row.nik.strip()
        if nik in seen:
            message = _("This NIK is already in row %(row)s of this file.") % {"row": seen[nik]}
            result.fail("nik", message, "duplicate_in_file")
            continue
        seen[nik] = row.row
        outlet = context.outlets.get(row.outlet_code.strip())
        if outlet is None:
            result.fail(
                "outlet_code", _("Unknown outlet %(code)s.") % {"code": row.outlet_code or "-"}, "unknown"
            )
        agent = None
        if row.agent_code.strip():
            agent = context.agents.get(row.agent_code.strip())
            if agent is None:
                result.fail("agent_code", _("Unknown agent %(code)s.") % {"code": row.agent_code}, "unknown")
        birth_date = parse_day(row.birth_date)
        if row.birth_date.strip() and birth_date is None:
            result.fail("birth_date", _("The birth date is written YYYY-MM-DD or DD/MM/YYYY."))
        registered_at = parse_moment(row.registered_at) if row.registered_at.strip() else now
        if registered_at is None:
            result.fail("registered_at", _("The registration date is written YYYY-MM-DD."))
        elif registered_at > now:
            result.fail("registered_at", _("The registration date is in the future."), "future")
        if result.errors:
            continue
        try:
            clean = registration_clean(
                nik=nik,
                name=row.name,
                birth_date=birth_date,
                sex=_SEX.get(row.sex.strip().upper(), row.sex),
                phone=row.phone,
                village_code=row.village_code,
                occupation_code=row.occupation,
                declared_income=row.declared_income,
                programmes=row.programmes,
                outlet=outlet,
                agent=agent,
                registered_at=registered_at,
                context=context,
            )
        except ValidationError as error:
            result.fail_with(error)
            continue
        accepted.append((result, clean, outlet, agent))

    existing = {
        participant.nik: participant
        for participant in Participant.objects.filter(
            nik__in=[item[1].nik for item in accepted]
        ).select_related("outlet")
    }
    duplicates, fresh = [], []
    for item in accepted:
        (duplicates if item[1].nik in existing else fresh).append(item)
    DuplicateAttempt.objects.bulk_create(
        DuplicateAttempt(
            nik=clean.nik,
            participant=existing[clean.nik],
            channel=outlet.partner.kind,
            outlet=outlet,
            agent=agent,
            attempted_at=clean.registered_at,
        )
        for _result, clean, outlet, agent in duplicates
        if existing[clean.nik].outlet_id != outlet.pk
    )
    for result, clean, _outlet, _agent in duplicates:
        result.fail("nik", duplicate_message(existing[clean.nik]), "duplicate")

    ids = reserve_ids(Participant._meta.db_table, len(fresh))
    created = db_datetime(now)
    tallies = TallyBatch()
    values = []
    for pk, (result, clean, outlet, agent) in zip(ids, fresh, strict=True):
        office_id = context.branches.get(clean.village_code[:5]) or outlet.office_id
        values.append(
            (
                pk,
                clean.nik,
                clean.name,
                db_date(clean.birth_date),
                clean.sex,
                clean.phone,
                clean.village_code,
                clean.occupation.code,
                clean.permanence,
                Participant.Segment.BPU,
                clean.declared_income,
                clean.programmes,
                outlet.partner.kind,
                outlet.pk,
                agent.pk if agent else None,
                office_id,
                db_datetime(clean.registered_at),
                clean.registered_month.index,
                Participant.Status.NEW,
                None,
                0,
                created,
            )
        )
        result.status = "accepted"
        result.number = participant_number(pk)
        result.record_id = pk
        who = Who(
            office_id or 0, outlet.pk, agent.pk if agent else 0, outlet.partner.kind, Participant.Segment.BPU
        )
        tallies.add(REGISTERED, clean.registered_at.astimezone(ZONE).date(), who)
    insert_rows(Participant._meta.db_table, PARTICIPANT_COLUMNS, values)
    tallies.write()
    return results
