"""Every channel writes a fact through one check and one apply: the same requests sent one at a time (as the
desk, the API and the CLI send them) and sent as files (as partners and collectors upload them) end in the
same ledger, coverage, standing and tallies, with the same reason for every refused request.

Random sequences of registrations, payments, deposits and reversals (many of them bad: wrong amounts,
future dates, reused references, unknown NIKs, inactive agents, incomes below the minimum) are applied
twice from the same starting point, each time rolled back after its picture is taken.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from jaring.channels.models import Agent, Outlet
from jaring.channels.services import agent_create
from jaring.common.clock import local_date, parse_moment
from jaring.common.errors import DuplicateRegistration, IdempotencyConflict, problems_of
from jaring.contributions.models import CoverageRun, Deposit, Payment
from jaring.contributions.services import (
    deposit_record,
    ledger_record,
    outlet_source,
    payment_record,
    payment_reverse,
)
from jaring.contributions.services.checks import ReversalRequest
from jaring.imports.readers import COLUMNS
from jaring.imports.services import import_job_for_file, import_run
from jaring.members.models import DuplicateAttempt, Participant
from jaring.members.queries import participant_find
from jaring.members.services import participant_register
from jaring.rules.nik import Sex, make_nik
from jaring.tallies.models import CoverageDelta, Tally

from .conftest import a_village

BIRTHS = [
    (date(1985, 4, 12), "M"),
    (date(1990, 7, 1), "F"),
    (date(1979, 1, 30), "M"),
    (date(2001, 11, 5), "F"),
]
NIKS = [make_nik("32.15.01", born, Sex(sex), serial) for serial, (born, sex) in enumerate(BIRTHS, start=1)]
UNKNOWN_NIK = make_nik("32.15.01", date(1970, 2, 2), Sex("M"), 999)
OUTLETS = ["POS-KRW", "POS-BPN"]
AGENTS = ["", "AG-1", "AG-OFF"]  # none, active, deactivated


def _days_ago(days: int) -> str:
    return "" if days is None else (local_date() - timedelta(days=days)).isoformat()


registrations = st.builds(
    lambda who, outlet, agent, income, village: ("registration", who, outlet, agent, income, village),
    who=st.sampled_from(range(len(NIKS))),
    outlet=st.sampled_from(OUTLETS),
    agent=st.sampled_from(AGENTS),
    income=st.sampled_from(["1000000", "1000000", "2500000", "500000"]),  # the last one is below the minimum
    village=st.sampled_from(["ok", "ok", "ok", "32.15.01.9999"]),
)
payments = st.builds(
    lambda who, months, amount_off, reference, when, outlet, agent: (
        "payment",
        who,
        months,
        amount_off,
        reference,
        when,
        outlet,
        agent,
    ),
    who=st.sampled_from([*range(len(NIKS)), "unknown"]),
    months=st.sampled_from([1, 1, 3, 2]),
    amount_off=st.sampled_from([0, 0, 0, 0, 100]),
    reference=st.sampled_from(["R1", "R2", "R3", "R4"]),
    when=st.sampled_from([None, None, None, 10, -2]),  # now, ten days ago, the day after tomorrow
    outlet=st.sampled_from(OUTLETS),
    agent=st.sampled_from(["", "", "AG-1", "AG-OFF"]),
)
deposits = st.builds(
    lambda who, amount, reference, outlet, agent: ("deposit", who, amount, reference, outlet, agent),
    who=st.sampled_from(range(len(NIKS))),
    amount=st.sampled_from([5_000, 16_800, 40_000]),
    reference=st.sampled_from(["D1", "D2", "D3"]),
    outlet=st.sampled_from(OUTLETS),
    agent=st.sampled_from(["", "AG-1"]),
)
reversals = st.builds(
    lambda reference, outlet, reason: ("reversal", reference, outlet, reason),
    reference=st.sampled_from(["R1", "R2", "R3", "R4"]),
    outlet=st.sampled_from(OUTLETS),
    reason=st.sampled_from(["salah input", "salah input", ""]),
)
first_registrations = st.builds(
    lambda order, outlets, agents: [
        ("registration", who, outlet, agent, "1000000", "ok")
        for who, outlet, agent in zip(order, outlets, agents, strict=True)
    ],
    st.permutations(range(len(NIKS))),
    st.lists(st.sampled_from(OUTLETS), min_size=len(NIKS), max_size=len(NIKS)),
    st.lists(st.sampled_from(["", "", "AG-1"]), min_size=len(NIKS), max_size=len(NIKS)),
)
# Every sequence starts with the workers registered, so that the payments, deposits and reversals after them
# meet participants with a history.
sequences = st.builds(
    lambda first, rest: first + rest,
    first_registrations,
    st.lists(
        st.one_of(registrations, payments, payments, payments, deposits, reversals), min_size=3, max_size=14
    ),
)


@pytest.fixture
def field(world):
    world.agent_off = agent_create(
        code="AG-OFF",
        name="Agen Nonaktif",
        partner=world.pos,
        outlet=world.pos_karawang,
        status=Agent.Status.INACTIVE,
    )
    world.village = a_village("32.15.01")
    return world


# -- the two ways in


def _registration_cells(op, village: str) -> list[str]:
    _kind, who, outlet, agent, income, chosen = op
    born, sex = BIRTHS[who]
    name = f"Pekerja {who}"
    village_code = village if chosen == "ok" else chosen
    return [
        NIKS[who],
        name,
        born.isoformat(),
        sex,
        "",
        village_code,
        "PEDAGANG_PASAR",
        income,
        "JKK+JKM",
        outlet,
        agent,
        "",
    ]


def _payment_cells(op) -> list[str]:
    _kind, who, months, amount_off, reference, when, outlet, agent = op
    nik = UNKNOWN_NIK if who == "unknown" else NIKS[who]
    return [nik, str(months), str(16_800 * months + amount_off), _days_ago(when), outlet, reference, agent]


def _deposit_cells(op) -> list[str]:
    _kind, who, amount, reference, outlet, agent = op
    return [NIKS[who], str(amount), "", outlet, reference, agent]


def _codes(error: ValidationError) -> tuple:
    if isinstance(error, DuplicateRegistration):
        return ("nik:duplicate",)
    return tuple(sorted({f"{problem.field}:{problem.code}" for problem in problems_of(error)}))


def _reversal_target(op) -> Payment | None:
    _kind, reference, outlet, _reason = op
    return Payment.objects.filter(
        source=outlet_source(_outlet(outlet)), idempotency_key=reference, kind=Payment.Kind.CONTRIBUTION
    ).first()


def _outlet(code):
    return Outlet.objects.select_related("partner").get(code=code)


def _agent(code):
    return Agent.objects.get(code=code) if code else None


def one_at_a_time(ops, world) -> list[tuple]:
    """Each request as a single call, the way the desk, the API and the CLI make it."""
    outcomes = []
    for number, op in enumerate(ops):
        try:
            outcomes.append(_single(number, op, world))
        except IdempotencyConflict:
            outcomes.append(("reference:conflict",))
        except ValidationError as error:
            outcomes.append(_codes(error))
    return outcomes


def _single(number: int, op, world) -> tuple:
    kind = op[0]
    if kind == "registration":
        cells = _registration_cells(op, world.village)
        participant_register(
            nik=cells[0],
            name=cells[1],
            birth_date=date.fromisoformat(cells[2]),
            sex=cells[3],
            village_code=cells[5],
            occupation_code=cells[6],
            declared_income=cells[7],
            programmes=cells[8],
            outlet=_outlet(cells[9]),
            agent=_agent(cells[10]),
        )
        return ("accepted",)
    if kind == "reversal":
        target = _reversal_target(op)
        if target is None:
            return ("skipped",)
        result = payment_reverse(
            payment=target, reason=op[3], source="void", idempotency_key=f"V-{op[2]}-{op[1]}"
        )
        return ("accepted",) if result.created else ("duplicate",)
    cells = _payment_cells(op) if kind == "payment" else _deposit_cells(op)
    participant = participant_find(cells[0])
    if participant is None:
        return ("nik:unknown",)
    outlet = _outlet(cells[-3])
    common = {
        "participant": participant,
        "source": outlet_source(outlet),
        "idempotency_key": cells[-2],
        "outlet": outlet,
        "agent": _agent(cells[-1]),
        # the files are the operator's (``jaring import``, no uploader), who may state history
        "history_allowed": True,
    }
    if kind == "payment":
        result = payment_record(
            months=int(cells[1]), amount=int(cells[2]), paid_at=parse_moment(cells[3]), **common
        )
    else:
        result = deposit_record(amount=int(cells[1]), **common)
    return ("accepted",) if result.created else ("duplicate",)


def as_files(ops, world, folder: Path, chunk_rows: int) -> list[tuple]:
    """The same requests uploaded as files (one per run of the same kind, imported in chunks) and the
    reversals sent as one list."""
    outcomes = []
    for kind, group in itertools.groupby(ops, key=lambda op: op[0]):
        group = list(group)
        if kind == "reversal":
            outcomes.extend(_reversals(group))
            continue
        cells = {
            "registration": lambda op: _registration_cells(op, world.village),
            "payment": _payment_cells,
            "deposit": _deposit_cells,
        }[kind]
        path = folder / f"{len(list(folder.iterdir()))}-{kind}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS[f"{kind}s"])
            writer.writerows(cells(op) for op in group)
            # Two uploads with the same rows are two files here (a partner's next file differs in its
            # other rows); the same file uploaded twice is one job, so blank rows make each one its own.
            handle.write("\n" * len(list(folder.iterdir())))
        job = import_run(import_job_for_file(path=path, kind=f"{kind}s"), chunk_rows=chunk_rows)
        assert job.status == "done", job.error
        with open(job.result_path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["status"] == "rejected":
                    outcomes.append(tuple(sorted(set(row["codes"].split()))))
                else:
                    outcomes.append((row["status"],))
    return outcomes


def _reversals(group) -> list[tuple]:
    requests, outcomes = [], []
    for op in group:
        target = _reversal_target(op)
        if target is None:
            outcomes.append(("skipped",))
            continue
        outcomes.append(None)
        requests.append(
            ReversalRequest(
                participant=target.participant_id,
                payment_id=target.pk,
                reason=op[3],
                source="void",
                reference=f"V-{op[2]}-{op[1]}",
            )
        )
    results = iter(ledger_record(requests))
    for index, outcome in enumerate(outcomes):
        if outcome is None:
            result = next(results)
            if isinstance(result, list):
                outcomes[index] = tuple(sorted({problem.reason for problem in result}))
            else:
                outcomes[index] = ("duplicate",) if type(result).__name__ == "Replay" else ("accepted",)
    return outcomes


# -- what is compared


LEDGER_FIELDS = (
    "participant",
    "kind",
    "first_month",
    "months",
    "amount",
    "source",
    "idempotency_key",
    "outlet",
    "agent",
    "reverses",
    "reason",
)


def picture() -> dict:
    """The state the requests leave, without ids or clock readings (which differ between two runs)."""
    nik_of = dict(Participant.objects.values_list("pk", "nik"))
    deposits = {
        pk: (nik_of[participant], source, key)
        for pk, participant, source, key in Deposit.objects.values_list(
            "pk", "participant", "source", "idempotency_key"
        )
    }
    keys = {
        pk: (source, key)
        for pk, source, key in Payment.objects.values_list("pk", "source", "idempotency_key")
    }

    def source_of(source: str):
        return deposits[int(source.split(":")[1])] if source.startswith("deposit:") else source

    return {
        "participants": sorted(
            Participant.objects.values_list(
                "nik",
                "name",
                "outlet_id",
                "agent_id",
                "office_id",
                "registered_month",
                "standing__status",
                "standing__paid_through",
                "standing__deposit_balance",
            )
        ),
        "ledger": Counter(
            (nik_of[row[0]], *row[1:5], source_of(row[5]), *row[6:9], keys.get(row[9]), row[10])
            for row in Payment.objects.values_list(*LEDGER_FIELDS)
        ),
        "deposits": sorted(
            (nik_of[p], amount, balance, source, key, outlet, agent)
            for p, amount, balance, source, key, outlet, agent in Deposit.objects.values_list(
                "participant", "amount", "balance_after", "source", "idempotency_key", "outlet", "agent"
            )
        ),
        "runs": sorted(
            (nik_of[p], first, last)
            for p, first, last in CoverageRun.objects.values_list("participant", "first_month", "last_month")
        ),
        "claims": Counter(DuplicateAttempt.objects.values_list("nik", "outlet_id", "agent_id")),
        "tallies": sorted(
            Tally.objects.exclude(count=0, amount=0).values_list(
                "kind", "day", "outlet_id", "agent_id", "office_id", "channel", "segment", "count", "amount"
            )
        ),
        "deltas": sorted(
            CoverageDelta.objects.exclude(delta=0).values_list(
                "month", "outlet_id", "agent_id", "office_id", "channel", "segment", "delta"
            )
        ),
    }


class _Undo(Exception):
    pass


def run_both(ops, world, folder: Path, chunk_rows: int):
    """(outcomes, picture) one request at a time, then the same as files; the database is back where it
    started after each."""
    taken = []
    for way in ("single", "files"):
        try:
            with transaction.atomic():
                if way == "single":
                    outcomes = one_at_a_time(ops, world)
                else:
                    target = folder / f"files-{len(list(folder.iterdir()))}"
                    target.mkdir()
                    outcomes = as_files(ops, world, target, chunk_rows)
                taken.append((outcomes, picture()))
                raise _Undo
        except _Undo:
            pass
    return taken


# A retried payment, a reused reference, arrears, a reversal and its retry, a second reversal, deposits
# buying months: always tried, whatever the random sequences hold.
KNOWN_CASES = [
    ("registration", 0, "POS-KRW", "", "1000000", "ok"),
    ("registration", 1, "POS-BPN", "AG-1", "2500000", "ok"),
    ("payment", 0, 1, 0, "R1", None, "POS-KRW", ""),
    ("payment", 0, 1, 0, "R1", None, "POS-KRW", ""),
    ("payment", 0, 3, 0, "R1", None, "POS-KRW", ""),
    ("payment", 0, 3, 0, "R2", None, "POS-KRW", "AG-1"),
    ("payment", 1, 1, 0, "R1", 10, "POS-BPN", "AG-1"),
    ("reversal", "R1", "POS-KRW", "salah input"),
    ("reversal", "R1", "POS-KRW", "salah input"),
    ("reversal", "R1", "POS-KRW", "dobel"),
    ("deposit", 1, 40_000, "D1", "POS-BPN", "AG-1"),
    ("deposit", 1, 40_000, "D1", "POS-BPN", "AG-1"),
    ("deposit", 0, 16_800, "D2", "POS-KRW", ""),
    ("registration", 0, "POS-BPN", "", "1000000", "ok"),
]


def agreement(field, tmp_path):
    @settings(
        max_examples=50,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        phases=[Phase.explicit, Phase.generate],
    )
    @given(ops=sequences, chunk_rows=st.sampled_from([1, 2, 5000]))
    @example(ops=KNOWN_CASES, chunk_rows=2)
    def check(ops, chunk_rows):
        (single, single_state), (files, files_state) = run_both(ops, field, tmp_path, chunk_rows)
        assert len(single) == len(files) == len(ops)
        assert list(zip(ops, single, strict=True)) == list(zip(ops, files, strict=True))
        for part in single_state:
            assert single_state[part] == files_state[part], part

    return check


def test_one_request_at_a_time_and_files_end_in_the_same_state_with_the_same_reasons(field, tmp_path):
    agreement(field, tmp_path)()


def test_the_agreement_fails_when_one_channel_changes_a_rule_alone(field, tmp_path, monkeypatch):
    """A file payment that forgets its agent (as files once did) is caught: the agreement test is not a
    test that cannot fail."""
    import jaring.imports.rows as rows

    original = rows.payment_request

    def forgetful(row, context, *history):
        row.agent_code = ""
        return original(row, context, *history)

    monkeypatch.setattr(rows, "payment_request", forgetful)
    with pytest.raises(AssertionError):
        agreement(field, tmp_path)()
