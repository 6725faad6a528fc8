"""The Perisai part of the demo world: agents at every step of the lifecycle, and the gaming patterns the
quality signals should find.

At the Perisai office of Kalimantan Timur, beside its productive agents:

- ``PRS-KALTIM-A4`` is idle: active since long ago, no acquisition and no collection, so the monthly run
  (``jaring agent lifecycle``) deactivates them;
- ``PRS-KALTIM-A5`` was deactivated for idleness eight months ago and rejoined last month;
- ``PRS-KALTIM-A6`` was terminated for fraud (a few registrations that never paid);
- ``PRS-KALTIM-A7`` signs up several workers under one phone number (their own);
- ``PRS-KALTIM-A8`` registers workers who never pay;
- ``PRS-KALTIM-A9`` registers a burst of workers in the last days of the demo's Racing Contest Perisai
  period (a contest between Perisai offices ending two months before today);
- ``PRS-KALTIM-A10`` signs up NIKs that pay one month and lapse at once.

The workers come out of the load's participant budget (by default in worlds of ``MIN_WORLD`` participants
or more), so a load of N participants still holds N. The special agents draw from their own random
generator, so the rest of the world is the same with or without them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from jaring.channels.models import Agent
from jaring.channels.services import agent_create
from jaring.demo.habits import Habit, Stretch
from jaring.demo.names import mobile_number, person_name
from jaring.rules.months import Month

MIN_WORLD = 500
OFFICE = "PRS-KALTIM"


@dataclass(frozen=True)
class Special:
    number: int
    role: str
    workers: int


SPECIALS = (
    Special(4, "idle", 0),
    Special(5, "rejoined", 3),
    Special(6, "terminated", 3),
    Special(7, "shared_phone", 6),
    Special(8, "never_paid", 6),
    Special(9, "burst", 12),
    Special(10, "quick_lapse", 4),
)
SPECIAL_WORKERS = sum(special.workers for special in SPECIALS)


def contest_period(today: date) -> tuple[date, date]:
    """The demo's Racing Contest Perisai period: about three months, ending two months before today."""
    end = today - timedelta(days=60)
    return end - timedelta(days=90), end


def agents_create(loader) -> dict[str, Agent]:
    """The special agents at the Perisai office of Kalimantan Timur, all active for now."""
    outlet = loader.outlets[OFFICE]
    made = {}
    for special in SPECIALS:
        sex = loader.perisai_rng.choice("MF")
        made[special.role] = agent_create(
            code=f"{OFFICE}-A{special.number}", name=person_name(loader.fake, loader.perisai_rng, sex),
            partner=outlet.partner, outlet=outlet, phone=mobile_number(loader.perisai_rng),
        )  # fmt: skip
    return made


def contest_define(today: date) -> None:
    from jaring.monitoring.services import contest_define as define

    start, end = contest_period(today)
    define(
        spec={
            "code": f"perisai-racing-{end.year}",
            "name": "Racing Contest Perisai",
            "metric": "new_registrations",
            "outlets": {"partner": "agent_network"},
            "periods": [{"code": "P1", "start": start.isoformat(), "end": end.isoformat()}],
        }
    )


def workers_plan(loader, agents: dict[str, Agent], make_worker) -> list:
    """The special agents' workers; ``make_worker()`` gives an ordinary worker of the Perisai office."""
    rng, today = loader.perisai_rng, loader.today
    current = Month.from_date(today)
    workers = []
    shared_phone = agents["shared_phone"].phone
    _start, contest_end = contest_period(today)
    for special in SPECIALS:
        agent = agents[special.role]
        for number in range(special.workers):
            worker = make_worker()
            worker.agent = agent
            if special.role == "rejoined":  # signed up since rejoining last month
                day = today - timedelta(days=rng.randint(3, 25))
            elif special.role == "terminated":  # before the termination, two months ago
                day = today - timedelta(days=rng.randint(80, 120))
                worker.habit = None
            elif special.role == "never_paid":
                day = today - timedelta(days=rng.randint(90, 300))
                worker.habit = None
            elif special.role == "burst":  # the last five days of the contest period
                day = contest_end - timedelta(days=number % 5)
            elif special.role == "quick_lapse":  # one month paid, then nothing
                day = today - timedelta(days=rng.randint(240, 330))
                month = Month.from_date(day)
                worker.habit = Habit("quick_lapse", (Stretch(month, month, 1),))
            else:
                day = today - timedelta(days=rng.randint(20, 200))
            worker.registered_at = loader._at(day, rng.randint(8, 15))
            if special.role == "shared_phone":
                worker.fields = {**worker.fields, "phone": shared_phone}
            if worker.habit is not None and special.role != "quick_lapse":
                registered = Month.from_date(day)
                worker.habit = replace(worker.habit, stretches=(Stretch(registered, current, 1),))
            workers.append(worker)
    return workers


def lifecycle_apply(agents: dict[str, Agent], today: date) -> None:
    """Moves the special agents to their place in the lifecycle, through the lifecycle services (after
    their workers registered and paid, which only an active agent may take)."""
    from jaring.perisai.services import agent_deactivate, agent_rejoin, agent_terminate

    long_ago = today - timedelta(days=420)
    Agent.objects.filter(pk__in=[agent.pk for agent in agents.values()]).update(activated_on=long_ago)
    rejoined = agents["rejoined"]
    agent_deactivate(agent=rejoined, reason="No acquisition and no collection for 3 months.",
                     on=today - timedelta(days=250))  # fmt: skip
    rejoined.refresh_from_db()
    agent_rejoin(agent=rejoined, on=max(rejoined.rejoin_from, today - timedelta(days=28)))
    agent_terminate(
        agent=agents["terminated"], reason="Fraud: registrations of people who never asked to join.",
        on=today - timedelta(days=60),
    )  # fmt: skip


def statements_make(today: date) -> None:
    """Commission statements of the last three months, as a branch would have them: the oldest approved
    and paid out, the next approved, the last month a draft waiting for approval (and this month's so far,
    a draft too), computed by the monthly bulk job."""
    from jaring.perisai.models import Statement
    from jaring.perisai.services import payout_create, statement_approve, statements_compute

    current = min(Month.from_date(today), Month.from_date(date.today()))
    oldest, approved = current - 3, current - 2
    for month in (oldest, approved, current - 1, current):
        statements_compute(month=month, summary="demo")
    for statement in Statement.objects.filter(month__in=[oldest, approved], state=Statement.State.DRAFT):
        statement_approve(statement=statement, actor=None, summary="demo")
    payout_create(month=oldest, by="demo")
