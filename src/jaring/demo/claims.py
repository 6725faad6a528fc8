"""The demo's claims at KC Balikpapan: deaths and accidents of covered workers in every state of the
workflow (waiting for documents, complete and due, late, refused for a lapsed month), so the queue,
the claim page and the dashboard have something to show. Built through the claims services, as every
channel; the steps that need two people (verify, then approve and pay) are taken by the demo's own
users once they exist (``claims_demo_decide``, called by ``jaring demo``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from jaring.accounts.audit import Actor
from jaring.claims.models import Claim
from jaring.claims.rulebook import claim_rules
from jaring.claims.services import (
    ClaimRequest,
    HeirRequest,
    claim_check,
    claim_decide,
    claim_document_add,
    claim_submit,
    claim_verify,
    claims_pay,
)
from jaring.common.clock import ZONE
from jaring.members.models import Participant
from jaring.rules.nik import Sex, make_nik

ACTOR = Actor("demo world")
OFFICE = "KC-BPN"
SCAN = b"%PDF-1.4\n% jaring demo: a scanned document\n"
# (kind, days before today, documents uploaded, death, details)
CASES = (
    ("JKM", 40, "all", True, {}),  # complete: its due day has passed (late) unless paid
    ("JKM", 9, "all", True, {}),
    ("JKM", 4, "some", True, {}),  # waiting for documents
    (
        "JKK",
        20,
        "all",
        False,
        {"medical_bill": 4_350_000, "inability_days": 21, "hospital": "RSUD Balikpapan"},
    ),
    ("JKK", 6, "none", False, {"medical_bill": 1_200_000, "hospital": "RS Pertamina Balikpapan"}),
    ("JKM", 25, "all", True, {}),  # verified by the branch, for the regional office to decide
    ("JKM", 60, "all", True, {}),  # approved and paid
)


def _candidates(count: int) -> list[Participant]:
    """KC Balikpapan's active participants, first registered first."""
    return list(
        Participant.objects.filter(office__code=OFFICE, standing__status="active")
        .exclude(claims__isnull=False)
        .order_by("pk")[:count]
    )


def _lapsed_worker(today: date) -> Participant | None:
    return (
        Participant.objects.filter(
            office__code=OFFICE,
            standing__status="lapsed",
            registered_at__date__lt=today - timedelta(days=200),
        )
        .exclude(claims__isnull=False)
        .order_by("pk")
        .first()
    )


def _heir(participant: Participant, serial: int) -> HeirRequest:
    spouse_sex = Sex.FEMALE if participant.sex == "M" else Sex.MALE
    return HeirRequest(
        nik=make_nik("64.71.02", date(1980, 5, 17), spouse_sex, 8000 + serial),
        name="Sri Wahyuni" if spouse_sex == Sex.FEMALE else "Agus Salim",
        relation="spouse",
        bank="BRI",
        account_number=f"{serial:015d}"[-15:].replace("0", "7", 1),
        account_name="Sri Wahyuni" if spouse_sex == Sex.FEMALE else "Agus Salim",
    )


def claims_demo(*, today: date) -> list[Claim]:
    """The demo's claims, dated before ``today``; their documents as small scans under ``MEDIA_ROOT``."""
    made = []
    candidates, book = _candidates(200), claim_rules()
    with transaction.atomic():
        for serial, (kind, days_ago, documents, death, details) in enumerate(CASES, 1):
            moment = datetime.combine(today - timedelta(days=days_ago), time(9, 30), ZONE)
            for worker in candidates:
                account = (
                    {}
                    if death
                    else {
                        "bank": "BNI",
                        "account_number": f"{worker.pk:010d}"[-10:],
                        "account_name": worker.name,
                    }
                )
                request = ClaimRequest(
                    participant=worker.nik,
                    kind=kind,
                    incident_at=moment,
                    incident_place="" if death else "Pasar Klandasan, Balikpapan",
                    details={**details, **account},
                    heirs=(_heir(worker, serial),) if death else (),
                    source="demo",
                    idempotency_key=f"demo-claim-{serial}",
                    channel="bpjs_branch",
                )
                plan = claim_check(request, book=book, now=moment + timedelta(days=2))
                if not isinstance(plan, list) and plan.eligible:
                    break
            else:
                continue
            candidates.remove(worker)
            claim = claim_submit(request=request, actor=ACTOR, now=moment + timedelta(days=2))
            needed = claim.decision.get("documents", [])
            upload = needed if documents == "all" else needed[:2] if documents == "some" else []
            for kind_of_document in upload:
                claim_document_add(
                    claim=claim,
                    kind=kind_of_document,
                    content=SCAN,
                    actor=ACTOR,
                    now=moment + timedelta(days=3),
                )
            made.append(claim)
        lapsed = _lapsed_worker(today)
        if lapsed is not None:  # refused: the month of death was not paid
            made.append(
                claim_submit(
                    request=ClaimRequest(
                        participant=lapsed.nik,
                        kind="JKM",
                        incident_at=datetime.combine(today - timedelta(days=15), time(7), ZONE),
                        heirs=(_heir(lapsed, 99),),
                        source="demo",
                        idempotency_key="demo-claim-lapsed",
                        channel="bpjs_branch",
                    ),
                    actor=ACTOR,
                )
            )
    return made


def claims_demo_decide(
    *, maker: str = "demo.kc-bpn", checker: str = "demo.kw07", payer: str = "demo.finance"
) -> None:
    """With the demo's users made: the branch verifies two complete claims; the regional office approves
    the older, which finance pays. Does nothing once done (a second ``jaring demo``)."""
    users = get_user_model().objects.in_bulk([maker, checker, payer], field_name="username")
    if len(users) < 3 or Claim.objects.filter(source="demo").exclude(verified_by=None).exists():
        return
    ready = list(
        Claim.objects.filter(
            source="demo", state=Claim.State.COMPLETE, idempotency_key__in=["demo-claim-6", "demo-claim-7"]
        ).order_by("incident_at")
    )
    with transaction.atomic():
        for claim in ready:
            claim_verify(claim=claim, actor=users[maker])
        if ready:
            approved = claim_decide(claim=ready[0], approve=True, actor=users[checker])
            claims_pay(claims=Claim.objects.filter(pk=approved.pk), actor=users[payer])
