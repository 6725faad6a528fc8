"""The demo's events: a campaign of health walks (Jalan Sehat) with a walk in Karawang ten months ago, one in
Balikpapan five months ago and one in Karawang running today, so the events pages have yields to show
and the desk offers today's walk. Built through the same services as every channel: ``event_save``, and
registrations naming the event's code (``participant_register``) with payments (``payment_record``)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from faker import Faker

from jaring.accounts.audit import Actor
from jaring.channels.models import Outlet
from jaring.common.clock import ZONE
from jaring.common.errors import DuplicateRegistration
from jaring.contributions.services import payment_quote, payment_record
from jaring.demo.names import mobile_number, person_name
from jaring.events.services import campaign_save, event_save
from jaring.members.models import Participant
from jaring.members.services import participant_register
from jaring.regions.models import Region
from jaring.rules.nik import Sex, make_nik

ACTOR = Actor("demo world")
CAMPAIGN = "JALAN-SEHAT"
FIRST_SERIAL = 7000  # NIK serials of the walkers, above the demo's own and below the leads'


@dataclass(frozen=True)
class _Walk:
    code: str
    name: str
    city: str
    district: str
    outlet: str
    days_ago: int  # its first day, before the demo's day (negative: after)
    length: int  # days
    target: int
    attendance: int | None
    cost: int
    new: int
    already: int


WALKS = (
    _Walk("JS-KRW-1", "Jalan Sehat Karawang", "32.15", "32.15.06", "POS-KRW", 300, 1, 800, 910, 60_000_000,
          24, 3),
    _Walk("JS-BPN-1", "Jalan Sehat Balikpapan", "64.71", "64.71.02", "POS-BPN", 150, 1, 600, 540, 45_000_000,
          18, 2),
    _Walk("JS-KRW-2", "Jalan Sehat Karawang II", "32.15", "32.15.06", "POS-KRW", 1, 3, 800, None, 0, 0, 0),
)  # fmt: skip


def events_demo(*, today: date, now: datetime, seed: int) -> None:
    """The campaign, its walks, the walkers each signed up (some paying) and a few already registered."""
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    with transaction.atomic():
        first = today - timedelta(days=max(walk.days_ago for walk in WALKS))
        campaign_save(
            actor=ACTOR, code=CAMPAIGN, name="Jalan Sehat BPJAMSOSTEK", starts_on=first,
            ends_on=today + timedelta(days=30), note="Demo: jalan sehat di Karawang dan Balikpapan",
        )  # fmt: skip
        serial = FIRST_SERIAL
        for walk in WALKS:
            starts = today - timedelta(days=walk.days_ago)
            event_save(
                actor=ACTOR, code=walk.code, name=walk.name, kind="fun_run", city_code=walk.city,
                starts_on=starts, ends_on=starts + timedelta(days=walk.length - 1), campaign_code=CAMPAIGN,
                target_attendance=walk.target, attendance=walk.attendance, cost=walk.cost,
            )  # fmt: skip
            outlet = Outlet.objects.select_related("partner").get(code=walk.outlet)
            at = datetime.combine(starts, time(8), ZONE)
            _walkers(walk, outlet, at, today, rng, fake, serial)
            serial += walk.new
            _already(walk, outlet, at)


def _walkers(
    walk: _Walk, outlet: Outlet, at: datetime, today: date, rng: random.Random, fake: Faker, serial: int
) -> None:
    """The walk's new participants: half pay three months on the day, a quarter six more two months on."""
    villages = list(
        Region.objects.filter(parent_id=walk.district, level=Region.Level.VILLAGE).values_list(
            "code", flat=True
        )
    )
    for index in range(walk.new):
        sex = rng.choice("MF")
        born = date(1970, 1, 1) + timedelta(days=rng.randrange(12_000))
        try:
            worker = participant_register(
                nik=make_nik(walk.district, born, Sex(sex), serial + index), name=person_name(fake, rng, sex),
                birth_date=born, sex=sex, phone=mobile_number(rng), village_code=rng.choice(villages),
                occupation_code=rng.choice(("PEDAGANG_PASAR", "OJEK", "WARUNG", "BURUH_HARIAN")),
                declared_income=1_000_000, programmes="JKK+JKM", outlet=outlet,
                registered_at=at + timedelta(minutes=7 * index), event_code=walk.code, actor=ACTOR,
                history_allowed=True,
            ).participant  # fmt: skip
        except DuplicateRegistration:
            continue  # a NIK another part of this database holds already
        signed = worker.registered_at
        payments = [(signed, 3)] if index % 2 == 0 else []
        if index % 4 == 0 and (signed + timedelta(days=60)).date() <= today:
            payments.append((signed + timedelta(days=60), 6))
        for number, (paid_at, months) in enumerate(payments):
            _months, price = payment_quote(worker, months=months, at=paid_at)
            payment_record(
                participant=worker, months=months, amount=price.total, source="demo",
                idempotency_key=f"{walk.code}-{worker.nik}-{number}", paid_at=paid_at, outlet=outlet,
                actor=ACTOR, history_allowed=True,
            )  # fmt: skip


def _already(walk: _Walk, outlet: Outlet, at: datetime) -> None:
    """Walkers already registered elsewhere (informal workers registered before the walk at another
    outlet), signed up again at the walk: refused, counted by the walk."""
    earlier = (
        Participant.objects.filter(segment=Participant.Segment.BPU, registered_at__lt=at)
        .exclude(outlet=outlet)
        .order_by("pk")[: walk.already]
    )
    for person in earlier:
        try:
            participant_register(
                nik=person.nik, name=person.name, birth_date=person.birth_date, sex=person.sex,
                village_code=person.village_id, occupation_code=person.occupation_id,
                declared_income=person.declared_income, programmes=person.programmes, outlet=outlet,
                registered_at=at + timedelta(hours=2), event_code=walk.code, actor=ACTOR,
                history_allowed=True,
            )  # fmt: skip
        except DuplicateRegistration:
            continue  # expected: the walk counts them as already registered
