"""The demo's probable duplicates: a few workers of KC Balikpapan and KCU Karawang registered a second time
with a serial made up or typed wrong and the name respelled, at another outlet (as a second channel
claiming one person would), and a pair of twins; registered through ``participant_register``, which warns
and keeps each probable duplicate for the review queue (/duplicates/). The twins raise nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from jaring.accounts.audit import Actor
from jaring.channels.models import Outlet
from jaring.common.clock import ZONE
from jaring.members.models import Participant
from jaring.members.services import participant_register
from jaring.rules.nik import Sex, make_nik

ACTOR = Actor("demo world")
RESPELLED = {"Muhammad": "M.", "Yusuf": "Jusuf", "Nur": "Noer", "Syah": "Sjah"}
CASES = (("KC-BPN", "POS-BPN", 9101), ("KC-BPN", "POS-BPN", 9102), ("KC-KRW", "POS-KRW", 9103))
TWINS = ((9201, "Budi Santoso"), (9202, "Bayu Santoso"))


def _respelled(name: str) -> str:
    """The name as a second channel might type it: an old spelling, or a title added."""
    words = name.split()
    if any(word in RESPELLED for word in words):
        return " ".join(RESPELLED.get(word, word) for word in words)
    return "H. " + name


def duplicates_demo(*, today) -> None:
    """Registers the second records and the twins a day before ``today``."""
    at = datetime.combine(today - timedelta(days=1), time(11), ZONE)
    for office, outlet_code, serial in CASES:
        first = Participant.objects.filter(office__code=office, segment="BPU").order_by("pk")[
            serial - 9101 + 5
        ]
        outlet = Outlet.objects.get(code=outlet_code)
        nik = first.nik[:12] + f"{serial:04d}"
        if Participant.objects.filter(nik=nik).exists():
            continue
        participant_register(
            nik=nik,
            name=_respelled(first.name),
            birth_date=first.birth_date,
            sex=first.sex,
            village_code=first.village_id,
            occupation_code=first.occupation_id,
            declared_income=first.declared_income,
            programmes=first.programmes,
            outlet=outlet,
            registered_at=at,
            actor=ACTOR,
            history_allowed=True,
        )
    born = today.replace(year=today.year - 30)
    for serial, name in TWINS:
        nik = make_nik("64.71.02", born, Sex.MALE, serial)
        if not Participant.objects.filter(nik=nik).exists():
            participant_register(
                nik=nik,
                name=name,
                birth_date=born,
                sex="M",
                village_code="64.71.02.1001",
                occupation_code="PEDAGANG_PASAR",
                declared_income=1_000_000,
                programmes="JKK+JKM",
                outlet=Outlet.objects.get(code="POS-BPN"),
                phone="081255550101",
                registered_at=at,
                actor=ACTOR,
                history_allowed=True,
            )


def duplicates_demo_decide(*, branch: str = "demo.kc-bpn", region: str = "demo.kw07") -> None:
    """With the demo's users made: KC Balikpapan's first planted pair is decided the same person and
    merged (its page shows the merge), the second decided and left for a member of staff to merge; the
    Karawang pair stays to review. Does nothing once done (a second ``jaring demo``)."""
    from django.contrib.auth import get_user_model

    from jaring.members.models import ProbableDuplicate
    from jaring.members.services.duplicates import duplicate_decide
    from jaring.members.services.merge import participant_merge

    users = get_user_model().objects.in_bulk([branch, region], field_name="username")
    if len(users) < 2:
        return
    for serial, merged in ((9101, True), (9102, False)):
        second = Participant.objects.filter(nik__endswith=f"{serial:04d}")
        pair = ProbableDuplicate.objects.filter(second__in=second.values("pk")).first()
        if pair is None or pair.state == ProbableDuplicate.State.DIFFERENT:
            continue
        for user in (users[branch], users[region]):  # two people decide a pair scored that high
            if pair.state == ProbableDuplicate.State.OPEN:
                pair = duplicate_decide(pair=pair, same=True, actor=user).pair
        if merged and pair.state == ProbableDuplicate.State.SAME and not hasattr(pair.second, "merge"):
            _paid_a_month(pair.second)  # the worker paid on the second card too: the merge moves it
            participant_merge(
                survivor=pair.first,
                absorbed=pair.second,
                actor=users[region],
                reason="Serial made up at the second registration; the worker showed the KTP",
            )


def _paid_a_month(participant: Participant) -> None:
    from jaring.contributions.services import payment_quote, payment_record

    _months, price = payment_quote(participant, months=1)
    payment_record(
        participant=participant,
        months=1,
        amount=price.total,
        source=f"outlet:{participant.outlet.code}",
        idempotency_key=f"demo-second-card-{participant.pk}",
        outlet=participant.outlet,
        actor=ACTOR,
    )
