"""Loading the demo world through the services every channel uses.

Nothing here writes a participant, payment or deposit row itself: offices, partners, outlets and agents
come from their ``*_create`` services, workers from ``participant_register``, money from ``payment_record``,
``deposit_record`` and ``bill_issue``/``bill_pay``. The demo therefore also exercises those services.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from faker import Faker

from jaring.channels.models import Agent, Outlet, Partner
from jaring.channels.services import agent_create, outlet_create, partner_create
from jaring.common.clock import local_date
from jaring.common.errors import DuplicateRegistration
from jaring.contributions.models import Deposit, GroupMembership, Payer, PayerGroup, Payment
from jaring.contributions.queries import ratebook
from jaring.contributions.services import (
    bill_issue,
    bill_pay,
    deposit_record,
    payment_quote,
    payment_record,
    statuses_refresh,
)
from jaring.demo import layout
from jaring.demo import perisai as perisai_demo
from jaring.demo import settlement as settlement_demo
from jaring.demo.claims import claims_demo
from jaring.demo.duplicates import duplicates_demo
from jaring.demo.employers import employers_demo
from jaring.demo.events import events_demo
from jaring.demo.habits import (
    DRIVER_HABIT_WEIGHTS,
    EVENT_HABIT_WEIGHTS,
    HABIT_WEIGHTS,
    Habit,
    deposit_days,
    habit_choose,
    pay_day,
)
from jaring.demo.leads import leads_demo
from jaring.demo.names import mobile_number, person_name
from jaring.demo.outreach import outreach_demo
from jaring.members.models import Participant, Standing
from jaring.members.services import participant_register
from jaring.members.validation import RegistrationContext
from jaring.monitoring.services import target_set
from jaring.org.models import Office
from jaring.org.services import branch_areas_assign, office_create
from jaring.regions.models import Region
from jaring.rules.months import Month, months_between
from jaring.rules.nik import Sex, make_nik

Progress = Callable[[int, int], None]

SOURCE = "demo"
DEPOSIT_SOURCE = "demo-pasar"
HISTORY_DAYS = 425  # registrations spread over the ~14 months before today
SAVINGS_DAYS = 240  # daily collection started at the markets about 8 months ago
MINIMUM_INCOME_SHARE = 0.72  # most informal workers declare the minimum income
# Higher declared incomes (whole thousands of rupiah) and how often each is declared.
_INCOME_LEVELS = {
    1_500_000: 8, 2_000_000: 8, 2_500_000: 6, 3_000_000: 6, 3_500_000: 4, 4_000_000: 4, 5_000_000: 3,
    7_500_000: 1, 10_000_000: 1,
}  # fmt: skip
JHT_SHARE = 0.3
# Share of an outlet's registrations brought by one of its agents (Perisai outlets: all of them).
_AGENT_SHARE = {Partner.Kind.AGENT_NETWORK: 1.0, Partner.Kind.MARKET_COLLECTOR: 0.9}
_HABITS_BY_CHANNEL = {Partner.Kind.EVENT: EVENT_HABIT_WEIGHTS, Partner.Kind.AGGREGATOR: DRIVER_HABIT_WEIGHTS}
_OLDEST_BIRTH, _YOUNGEST_BIRTH = date(1960, 1, 1), date(2005, 12, 31)


class RegionsMissing(RuntimeError):
    """The region table is not loaded; the demo needs real regencies, districts and villages."""


@dataclass(frozen=True)
class DemoSummary:
    """What the database holds after a load. ``payments`` counts every ledger entry (own payments, months
    bought from deposits, payer bills); ``active`` and ``lapsed`` are the statuses as of the load's today."""

    offices: int
    outlets: int
    agents: int
    participants: int
    payments: int
    deposits: int
    lapsed: int
    active: int
    already_loaded: bool


@dataclass
class _DemoContext(RegistrationContext):
    """The registration check with villages answered from memory (the demo knows which it uses)."""

    villages: frozenset[str] = frozenset()

    def village_exists(self, code: str) -> bool:
        return code in self.villages


@dataclass
class _Worker:
    """One synthetic worker: what is registered, and how they will pay."""

    outlet: Outlet
    agent: Agent | None
    registered_at: datetime
    fields: dict
    habit: Habit | None = None
    deposits: list[tuple[date, int]] = field(default_factory=list)
    participant: Participant | None = None


def demo_world_load(
    *,
    participants: int = 2500,
    seed: int = 20231024,
    today: date | None = None,
    progress: Progress | None = None,
    perisai_patterns: bool | None = None,
) -> DemoSummary:
    """Loads the demo world, or does nothing when its head office (``KP``) already exists.

    The same ``seed`` and ``today`` give the same world. Every registration and payment is dated in the
    ~14 months up to ``today`` (default: today in Jakarta; a recent day, never one in the future), and
    statuses are refreshed as of ``today``. ``perisai_patterns`` adds the Perisai agents' gaming patterns
    (``demo.perisai``; default: in worlds of 500 participants or more). ``progress(done, total)`` is called
    as the load advances. All of it is one transaction: a failure leaves nothing behind, so a retry starts
    afresh.
    """
    real_today = local_date()
    today = today or real_today
    if today > real_today:
        raise ValueError(f"today ({today}) is in the future; payments are never dated in the future")
    if Office.objects.filter(code=layout.HEAD_OFFICE[0]).exists():
        return demo_summary(already_loaded=True)
    report = progress or (lambda done, total: None)
    total = 2 * participants + 2
    report(0, total)
    loader = _Loader(seed=seed, today=today)
    with transaction.atomic():
        loader.structure_build()
        report(1, total)
        if perisai_patterns is None:
            perisai_patterns = participants >= perisai_demo.MIN_WORLD
        workers = loader.workers_plan(participants, perisai_patterns=perisai_patterns)
        for done, worker in enumerate(workers, start=1):
            loader.worker_register(worker)
            if done % 25 == 0 or done == participants:
                report(1 + done, total)
        for done, worker in enumerate(workers, start=1):
            loader.worker_pay(worker)
            if done % 25 == 0 or done == participants:
                report(1 + participants + done, total)
        loader.payer_build([worker.participant for worker in workers if worker.participant])
        perisai_demo.lifecycle_apply(loader.special_agents, today)
        # before the statuses are set as of ``today``: the channel's payments change standings too
        settlement_demo.channel_build(today=today, now=loader.now, seed=seed + 2)
        employers_demo(today=today, now=loader.now, seed=seed + 4)
        leads_demo(today=today, now=loader.now, seed=seed + 3)
        outreach_demo(today=today, now=loader.now)
        events_demo(today=today, now=loader.now, seed=seed + 5)
        statuses_refresh(today=today)
        claims_demo(today=today)
        duplicates_demo(today=today)
        perisai_demo.statements_make(today)
        loader.targets_set()
    report(total, total)
    return demo_summary(already_loaded=False)


def demo_summary(*, already_loaded: bool) -> DemoSummary:
    """What the database holds now, counted."""
    return DemoSummary(
        offices=Office.objects.count(),
        outlets=Outlet.objects.count(),
        agents=Agent.objects.count(),
        participants=Participant.objects.count(),
        payments=Payment.objects.count(),
        deposits=Deposit.objects.count(),
        lapsed=Standing.objects.filter(status=Participant.Status.LAPSED).count(),
        active=Standing.objects.filter(status=Participant.Status.ACTIVE).count(),
        already_loaded=already_loaded,
    )


class _Loader:
    def __init__(self, *, seed: int, today: date):
        self.rng = random.Random(seed)
        self.perisai_rng = random.Random(seed + 1)
        self.fake = Faker("id_ID")
        self.fake.seed_instance(seed)
        self.today = today
        self.current = Month.from_date(today)
        # Nothing is dated after the moment the load started, so the services never see a future date.
        self.now = timezone.now()
        self.outlets: dict[str, Outlet] = {}
        self.agents: dict[str, list[Agent]] = defaultdict(list)
        self.serials: dict[tuple[str, date, str], int] = defaultdict(int)
        self.keys: dict[int, int] = defaultdict(int)

    # -- targets ---------------------------------------------------------------------------------------

    def targets_set(self) -> None:
        """This year's new-participant targets of the regional offices, set from what each has registered
        so far so the dashboards show both verdicts: the larger half on track (a target 80 % of the
        year's run rate), the others at risk (150 % of it)."""
        start, end = date(self.today.year, 1, 1), date(self.today.year, 12, 31)
        elapsed = (self.today - start).days + 1
        offices = Office.objects.filter(kind=Office.Kind.REGIONAL).order_by("code")
        for index, office in enumerate(offices):
            so_far = Participant.objects.filter(
                office__path__startswith=office.path, registered_at__date__gte=start
            ).count()
            run_rate = so_far * ((end - start).days + 1) / elapsed
            value = max(10, round(run_rate * (0.8 if index % 2 == 0 else 1.5)))
            target_set(
                office=office, metric="new_participants", start=start, end=end, value=value,
                note="demo", summary="demo world",
            )  # fmt: skip

    # -- offices, partners, outlets, agents ------------------------------------------------------------

    def structure_build(self) -> None:
        head = office_create(code=layout.HEAD_OFFICE[0], name=layout.HEAD_OFFICE[1], kind=Office.Kind.HEAD)
        for regional in layout.REGIONAL_OFFICES:
            parent = office_create(
                code=regional.code, name=regional.name, kind=Office.Kind.REGIONAL, parent=head
            )
            for branch in regional.branches:
                office = office_create(
                    code=branch.code, name=branch.name, kind=Office.Kind.BRANCH, parent=parent
                )
                branch_areas_assign(office=office, regency_codes=list(branch.regencies))
        partners = {spec.code: partner_create(code=spec.code, name=spec.name, kind=spec.kind)
                    for spec in layout.PARTNERS}  # fmt: skip
        for spec in layout.OUTLETS:
            outlet = outlet_create(
                code=spec.code, name=spec.name, partner=partners[spec.partner], region_code=spec.district,
                parent=self.outlets.get(spec.parent) if spec.parent else None,
            )  # fmt: skip
            self.outlets[spec.code] = outlet
            for number in range(1, layout.AGENTS.get(spec.code, 0) + 1):
                sex = self.rng.choice("MF")
                agent = agent_create(
                    code=f"{spec.code}-A{number}", name=person_name(self.fake, self.rng, sex),
                    partner=outlet.partner, outlet=outlet, phone=mobile_number(self.rng),
                )  # fmt: skip
                self.agents[spec.code].append(agent)
        self.special_agents = perisai_demo.agents_create(self)
        perisai_demo.contest_define(self.today)
        self.payment_points: dict[str, list[Outlet]] = defaultdict(list)
        for outlet in self.outlets.values():
            if outlet.partner.kind in (Partner.Kind.POS, Partner.Kind.BANK):
                self.payment_points[outlet.region_id[:2]].append(outlet)

    # -- workers ---------------------------------------------------------------------------------------

    def workers_plan(self, count: int, *, perisai_patterns: bool = False) -> list[_Worker]:
        """``count`` synthetic workers spread over the outlets by weight, in order of registration."""
        villages = self._villages()
        # A few market traders save by daily collection (each is dozens of ledger writes).
        self.savers_left = max(2, round(count / 250))
        known = frozenset(village for codes in villages.values() for village in codes)
        self.context = _DemoContext(ratebook=ratebook(), villages=known)
        districts = defaultdict(list)
        for district in sorted(villages):
            districts[district[:5]].append(district)
        weights = [spec.weight for spec in layout.OUTLETS]
        # The Perisai agents of every kind (idle, rejoined, terminated, gaming) take their workers out of
        # the budget, so the world still holds ``count`` participants.
        special = (
            perisai_demo.SPECIAL_WORKERS if perisai_patterns and count > perisai_demo.SPECIAL_WORKERS else 0
        )
        outlets = self.rng.choices(layout.OUTLETS, weights=weights, k=count - special)
        workers = [self._worker(spec, districts, villages) for spec in outlets]
        if special:
            office = next(spec for spec in layout.OUTLETS if spec.code == perisai_demo.OFFICE)
            workers += perisai_demo.workers_plan(
                self, self.special_agents, lambda: self._worker(office, districts, villages)
            )
        workers.sort(key=lambda worker: worker.registered_at)
        return workers

    def _villages(self) -> dict[str, list[str]]:
        regencies = sorted({regency for spec in layout.OUTLETS for regency in spec.regencies})
        prefixes = Q()
        for regency in regencies:
            prefixes |= Q(code__startswith=f"{regency}.")
        by_district: dict[str, list[str]] = defaultdict(list)
        villages = Region.objects.filter(prefixes, level=Region.Level.VILLAGE).order_by("code")
        for code, district in villages.values_list("code", "parent_id"):
            by_district[district].append(code)
        if missing := [r for r in regencies if not any(d.startswith(f"{r}.") for d in by_district)]:
            raise RegionsMissing(
                f"No villages in {', '.join(missing)}: load the regions first (jaring regions load)"
            )
        return by_district

    def _worker(self, spec: layout.OutletSpec, districts, villages) -> _Worker:
        rng = self.rng
        outlet = self.outlets[spec.code]
        occupation = _weighted(rng, layout.OCCUPATION_MIXES[spec.work])
        sex = "F" if rng.random() < layout.FEMALE_SHARE.get(occupation, layout.DEFAULT_FEMALE_SHARE) else "M"
        birth_date = _OLDEST_BIRTH + timedelta(days=rng.randrange((_YOUNGEST_BIRTH - _OLDEST_BIRTH).days + 1))
        district = rng.choice(districts[rng.choice(spec.regencies)])
        self.serials[(district, birth_date, sex)] += 1
        paid_by_payer = spec.work == "city"
        agents = self.agents[spec.code]
        agent_share = _AGENT_SHARE.get(outlet.partner.kind, 0.35)
        saver = (
            outlet.partner.kind == Partner.Kind.MARKET_COLLECTOR
            and occupation == "PEDAGANG_PASAR"
            and self.savers_left > 0
        )
        if saver:
            # Daily collection started at the markets some months ago; its savers signed up since then.
            self.savers_left -= 1
            days_ago = rng.randint(45, SAVINGS_DAYS)
            registered_at = self._at(self.today - timedelta(days=days_ago), rng.randint(7, 11))
        else:
            registered_at = self._registered_at(spec)
        worker = _Worker(
            outlet=outlet,
            agent=rng.choice(agents) if agents and rng.random() < agent_share else None,
            registered_at=registered_at,
            fields={
                "nik": make_nik(district, birth_date, Sex(sex), self.serials[(district, birth_date, sex)]),
                "name": person_name(self.fake, rng, sex),
                "birth_date": birth_date,
                "sex": sex,
                "phone": mobile_number(rng) if rng.random() < 0.75 else "",
                "village_code": rng.choice(villages[district]),
                "occupation_code": occupation,
                "declared_income": 1_000_000 if paid_by_payer else _income(rng),
                "programmes": "JKK+JKM" if paid_by_payer or rng.random() >= JHT_SHARE else "JKK+JKM+JHT",
            },
        )
        registered_day = local_date(registered_at)
        if paid_by_payer:
            return worker  # the payer's bills pay for them
        if saver:
            worker.deposits = deposit_days(rng, registered=registered_day, today=self.today)
            return worker
        worker.habit = habit_choose(
            rng, registered=Month.from_date(registered_day), current=self.current,
            weights=_HABITS_BY_CHANNEL.get(outlet.partner.kind, HABIT_WEIGHTS),
        )  # fmt: skip
        return worker

    def _registered_at(self, spec: layout.OutletSpec) -> datetime:
        if spec.event_days_ago is not None:
            # Everyone at a fun run signs up on the Sunday morning of the run.
            day = self.today - timedelta(days=spec.event_days_ago)
            day -= timedelta(days=(day.weekday() + 1) % 7)
            return self._at(day, self.rng.randint(6, 10))
        # Recent months are busier: registrations grew several-fold over the year (the Pos contest's
        # period 2 was 540 % above period 1), so the days back are skewed towards today.
        day = self.today - timedelta(days=int(HISTORY_DAYS * self.rng.random() ** 3))
        return self._at(day, self.rng.randint(8, 15))

    def _at(self, day: date, hour: int) -> datetime:
        moment = timezone.make_aware(datetime(day.year, day.month, day.day, hour, self.rng.randrange(60)))
        return min(moment, self.now)

    def worker_register(self, worker: _Worker) -> None:
        try:
            registration = participant_register(
                **worker.fields, outlet=worker.outlet, agent=worker.agent, registered_at=worker.registered_at,
                context=self.context, history_allowed=True,
            )  # fmt: skip
        except DuplicateRegistration:
            return  # the NIK is taken by someone already in this database; the demo skips that worker
        worker.participant = registration.participant

    # -- payments --------------------------------------------------------------------------------------

    def worker_pay(self, worker: _Worker) -> None:
        """Replays the worker's habit (or daily deposits) through the payment services."""
        person = worker.participant
        if person is None:
            return
        registered_day = local_date(worker.registered_at)
        for day, amount in worker.deposits:
            deposit_record(
                participant=person, amount=amount, source=DEPOSIT_SOURCE, idempotency_key=self._key(person),
                collected_at=self._paid_at(worker, day), outlet=worker.outlet, agent=worker.agent,
                history_allowed=True,
            )  # fmt: skip
        for stretch in worker.habit.stretches if worker.habit else ():
            for month in months_between(stretch.first, stretch.last):
                if (paid := person.standing.paid_through) is not None and paid >= month:
                    continue  # still covered by an earlier payment
                day = pay_day(self.rng, month, registered_day)
                if day > self.today:
                    break
                paid_at = self._paid_at(worker, day)
                outlet, agent = self._payment_point(worker, day)
                _, price = payment_quote(person, months=stretch.months, at=paid_at)
                payment_record(
                    participant=person, months=stretch.months, amount=price.total, source=SOURCE,
                    idempotency_key=self._key(person), paid_at=paid_at, outlet=outlet, agent=agent,
                    history_allowed=True,
                )  # fmt: skip

    def _paid_at(self, worker: _Worker, day: date) -> datetime:
        if day == local_date(worker.registered_at):
            return min(worker.registered_at + timedelta(minutes=self.rng.randint(2, 30)), self.now)
        return self._at(day, self.rng.randint(7, 17))

    def _payment_point(self, worker: _Worker, day: date) -> tuple[Outlet, Agent | None]:
        """Where a payment is made: mostly where the worker registered (to the same agent), sometimes at a
        Pos or BNI outlet in the province; after a fun run, always somewhere else."""
        outlet = worker.outlet
        event_over = outlet.partner.kind == Partner.Kind.EVENT and day != local_date(worker.registered_at)
        points = self.payment_points.get(outlet.region_id[:2], [])
        if points and (event_over or (worker.agent is None and self.rng.random() < 0.15)):
            return self.rng.choice(points), None
        return outlet, worker.agent

    def _key(self, person: Participant) -> str:
        self.keys[person.pk] += 1
        return f"DEMO-{person.number}-{self.keys[person.pk]:03d}"

    # -- the DKI payer ---------------------------------------------------------------------------------

    def payer_build(self, people: list[Participant]) -> None:
        """Pemprov DKI pays JKK+JKM for its PPSU street workers and RT/RW heads registered at its outlet:
        a bill for every month since the first of them joined, each paid a few days after issue."""
        spec = layout.PAYER
        payer = Payer.objects.create(
            code=spec["code"], name=spec["name"], kind=spec["kind"], programmes=spec["programmes"],
            region_id=spec["region"], outlet=self.outlets[spec["outlet"]],
        )  # fmt: skip
        starts = []
        for code, name, occupation in layout.PAYER_GROUPS:
            group = PayerGroup.objects.create(payer=payer, code=code, name=name)
            for person in people:
                if person.outlet_id == payer.outlet_id and person.occupation_id == occupation:
                    # A worker is on a month's bill when they joined before it was issued; else from the next.
                    joined = local_date(person.registered_at)
                    month = Month.from_date(joined)
                    first = month if joined < self._bill_day(month) else month + 1
                    GroupMembership.objects.create(group=group, participant=person, first_month=first)
                    starts.append(first)
        for month in months_between(min(starts, default=self.current), self.current):
            issued = self._bill_day(month)
            bill = bill_issue(payer=payer, month=month, issued_at=self._at(issued, 9))
            paid_at = self._at(min(issued + timedelta(days=3), self.today), 14)
            bill_pay(bill=bill, paid_at=paid_at, history_allowed=True)  # the world's history, dated back

    def _bill_day(self, month: Month) -> date:
        """The payer's bill for a month is issued on the 25th (or today, for the current month)."""
        return min(date(month.year, month.month, 25), self.today)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _income(rng: random.Random) -> int:
    return 1_000_000 if rng.random() < MINIMUM_INCOME_SHARE else _weighted(rng, _INCOME_LEVELS)
