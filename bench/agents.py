"""Perisai statements for a month in one bulk job, next to a per-agent query loop as the reference.

    .venv/bin/python bench/agents.py                                   # 20,000 agents, 1,000,000 participants
    .venv/bin/python bench/agents.py --agents 2000 --participants 100000      # a quick look
    .venv/bin/python bench/agents.py --no-sqlite --postgres postgres://postgres@127.0.0.1:5432/jaring_bench

For each database (a fresh SQLite file in a temporary JARING_HOME; PostgreSQL if ``--postgres`` is given,
its database dropped and created anew) it writes the facts directly, set-based (this is a benchmark of the
statements, not of registration): ``--agents`` Perisai agents over 100 Perisai offices, ``--participants``
participants acquired by them (every agent's share alike; 1 % of the agents acquire 55 in the month, the
rest a few), 70 % of the participants paying one month (Rp16,800) in March 2025, 0.2 % of those payments
reversed in the same month, and the registration tallies. Then it times:
- bulk: ``statements_compute`` of March 2025 for every agent (set-based SQL over the ledger and tallies);
- reference: ``statement_reference`` (the ORM and the calculator in Python, agent by agent) for a sample
  of ``--sample`` agents, extrapolated to every agent;
and checks that both give the same figures for the sampled agents.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from benchdb import database_recreate

MONTH = "2025-03"
OFFICES = 100


def world_build(agents: int, participants: int, seed: int = 7) -> None:
    from django.db import connection, transaction

    from jaring.channels.models import Agent
    from jaring.channels.services import outlet_create, partner_create
    from jaring.common.bulk import db_date, db_datetime, db_json, insert_rows, reserve_ids
    from jaring.contributions.models import Payment
    from jaring.members.models import Participant, Standing
    from jaring.members.services.registration import STANDING_COLUMNS
    from jaring.org.services import branch_areas_assign, office_create
    from jaring.rules.months import Month
    from jaring.rules.nik import Sex, make_nik
    from jaring.tallies.models import Tally

    rng = random.Random(seed)
    month = Month.parse(MONTH)
    with transaction.atomic():
        head = office_create(code="KP", name="Kantor Pusat", kind="head")
        regional = office_create(code="KW04", name="Kanwil Jawa Barat", kind="regional", parent=head)
        branch = office_create(code="KC-KRW", name="KC Karawang", kind="branch", parent=regional)
        branch_areas_assign(office=branch, regency_codes=["32.15"])
        network = partner_create(code="PERISAI", name="Perisai", kind="agent_network")
        offices = [
            outlet_create(code=f"PRS-{n:03d}", name=f"Perisai {n}", partner=network, region_code="32.15.01")
            for n in range(OFFICES)
        ]
        Agent.objects.bulk_create(
            [
                Agent(code=f"PRS-{n:05d}", name=f"Agen {n}", partner=network, outlet=offices[n % OFFICES],
                      office=branch, status="active")
                for n in range(agents)
            ],
            batch_size=5000,
        )  # fmt: skip
        agent_ids = list(Agent.objects.order_by("pk").values_list("pk", flat=True))
        from jaring.regions.models import Region

        village = (
            Region.objects.filter(parent_id="32.15.01").order_by("code").values_list("code", flat=True)[0]
        )
        start = datetime(2025, 2, 28, 17, tzinfo=UTC)  # 1 March 2025 in Jakarta
        bonus_agents = max(1, agents // 100)
        rows, standings, payments, tallies = [], [], [], {}
        ids = reserve_ids(Participant._meta.db_table, participants)
        new_in_month = [55] * bonus_agents + [0] * (agents - bonus_agents)
        for index, pk in enumerate(ids):
            agent_index = index % agents
            if new_in_month[agent_index] > 0:
                new_in_month[agent_index] -= 1
                registered = start + timedelta(days=rng.randrange(28), hours=3)
            else:
                registered = start - timedelta(days=rng.randrange(30, 400))
            day_of_registration = (registered + timedelta(hours=7)).date()
            birth = datetime(1980, 1, 1) + timedelta(days=index % 9000)
            rows.append((
                pk, make_nik("32.15.01", birth.date(), Sex.MALE, 1 + index // 9000), f"Peserta {index}",
                db_date(birth.date()), "M", "", village, "PEDAGANG_PASAR", "permanent", "BPU", 1_000_000,
                "JKK+JKM", "agent_network", offices[agent_index % OFFICES].pk, agent_ids[agent_index],
                branch.pk,
                db_datetime(registered), Month.from_date(day_of_registration).index, db_datetime(registered),
            ))  # fmt: skip
            standings.append((pk, "active", month.index, 0))
            key = (day_of_registration, agent_ids[agent_index], offices[agent_index % OFFICES].pk)
            tallies[key] = tallies.get(key, 0) + 1
            if rng.random() < 0.7:
                paid = max(registered, start) + timedelta(hours=rng.randrange(24 * 27))
                payments.append((pk, agent_ids[agent_index], offices[agent_index % OFFICES].pk, paid))
        insert_rows(
            Participant._meta.db_table,
            ["id", "nik", "name", "birth_date", "sex", "phone", "village_id", "occupation_id", "permanence",
             "segment", "declared_income", "programmes", "channel", "outlet_id", "agent_id", "office_id",
             "registered_at", "registered_month", "created_at"],
            rows,
        )  # fmt: skip
        insert_rows(Standing._meta.db_table, STANDING_COLUMNS, standings)
        breakdown = db_json([{"month": MONTH, "lines": {"JKK": 10000, "JKM": 6800}, "total": 16800}])
        reversals = len(payments) // 500
        all_ids = reserve_ids(Payment._meta.db_table, len(payments) + reversals)
        payment_ids, reversal_ids = all_ids[: len(payments)], all_ids[len(payments) :]
        ledger = [
            (pid, person, "contribution", month.index, 1, 16_800, breakdown, "agent_network", outlet, agent,
             None, "", "bench", f"p{pid}", "", db_datetime(paid), db_datetime(paid))
            for pid, (person, agent, outlet, paid) in zip(payment_ids, payments, strict=True)
        ]  # fmt: skip
        reversed_ = rng.sample(ledger, reversals)
        ledger += [
            (rid, row[1], "reversal", month.index, 1, -16_800, breakdown, "agent_network", row[8], row[9],
             row[0],
             "bench", "bench", f"r{rid}", "", db_datetime(datetime(2025, 3, 29, 3, tzinfo=UTC)),
             db_datetime(datetime(2025, 3, 29, 3, tzinfo=UTC)))
            for rid, row in zip(reversal_ids, reversed_, strict=True)
        ]  # fmt: skip
        insert_rows(
            Payment._meta.db_table,
            ["id", "participant_id", "kind", "first_month", "months", "amount", "breakdown", "channel",
             "outlet_id", "agent_id", "reverses_id", "reason", "source", "idempotency_key", "fingerprint",
             "paid_at", "recorded_at"],
            ledger,
        )  # fmt: skip
        insert_rows(
            Tally._meta.db_table,
            ["kind", "day", "outlet_id", "agent_id", "office_id", "channel", "segment", "count", "amount"],
            [("registered", db_date(day), outlet, agent, branch.pk, "agent_network", "BPU", count, 0)
             for (day, agent, outlet), count in tallies.items()],
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"wrote {agents:,} agents, {participants:,} participants, {len(ledger):,} ledger entries", flush=True
    )


def measure(sample: int) -> None:
    from jaring.channels.models import Agent
    from jaring.perisai.models import Statement
    from jaring.perisai.rulebook import agent_rulebook
    from jaring.perisai.services import statements_compute
    from jaring.perisai.statements import statement_reference
    from jaring.rules.months import Month

    month = Month.parse(MONTH)
    result = statements_compute(month=month)
    again = statements_compute(month=month)
    print(f"bulk: {result.statements:,} statements, {result.lines:,} lines in {result.seconds:.1f} s "
          f"(recomputed in {again.seconds:.1f} s)", flush=True)  # fmt: skip
    agents = list(Agent.objects.order_by("?")[:sample])
    rules = agent_rulebook()
    started = time.perf_counter()
    answers = {agent.pk: statement_reference(agent, month, rules=rules)[0] for agent in agents}
    seconds = time.perf_counter() - started
    total = Agent.objects.count()
    print(f"reference: per-agent loop {seconds:.1f} s for {len(agents):,} agents, "
          f"about {seconds / max(len(agents), 1) * total:.0f} s for {total:,}", flush=True)  # fmt: skip
    stored = {s.agent_id: s for s in Statement.objects.filter(month=month, agent_id__in=answers)}
    differences = 0
    for agent_id, figures in answers.items():
        statement = stored.get(agent_id)
        got = (statement.collected, statement.commission, statement.bonus) if statement else (0, 0, 0)
        if got != (figures.collected, figures.commission, figures.bonus):
            differences += 1
    print("bulk and reference agree" if not differences else f"{differences} agents differ!", flush=True)


def worker(agents: int, participants: int, sample: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from jaring.regions.services import regions_load

    call_command("migrate", verbosity=0)
    regions_load()
    started = time.perf_counter()
    world_build(agents, participants)
    print(f"(world written in {time.perf_counter() - started:.0f} s)", flush=True)
    measure(sample)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=20_000)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=200, help="agents timed in the per-agent loop")
    parser.add_argument("--postgres", help="PostgreSQL URL; its database is dropped and created anew")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.agents, args.participants, args.sample)
        return
    targets = [] if args.no_sqlite else [None]
    if args.postgres:
        targets.append(args.postgres)
    for url in targets:
        print(f"== {'PostgreSQL' if url else 'SQLite'}", flush=True)
        with tempfile.TemporaryDirectory(prefix="jaring-agents-") as home:
            env = {**os.environ, "JARING_HOME": home, "DJANGO_SETTINGS_MODULE": "jaring.settings"}
            env.pop("DATABASE_URL", None)
            if url:
                database_recreate(url)
                env["DATABASE_URL"] = url
            subprocess.run(
                [sys.executable, __file__, "--worker", "--agents", str(args.agents), "--participants",
                 str(args.participants), "--sample", str(args.sample)],
                env=env, check=True,
            )  # fmt: skip


if __name__ == "__main__":
    main()
