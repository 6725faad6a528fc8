"""Claims over the partner API (``/api/v1/claims``): a partner's counter submits a claim for a worker or
their heirs, follows it, and sends its documents. The claim is decided from the ledger by the same
service as on the branch's pages and the command line (``claims.services``), so it is refused for the
same ``field:code`` reasons; the answer carries nothing personal (NIKs masked, names initialled, account
numbers cut to their last digits)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Router, Schema, Status, UploadedFile

from jaring.accounts.audit import Actor
from jaring.api.auth import ApiKeyAuth
from jaring.api.models import ApiKey, Scope
from jaring.api.problems import NotFound, PayloadTooLarge
from jaring.api.routers.common import refusals
from jaring.api.routers.payments import REPLAYED
from jaring.api.schemas import NOT_BLANK, IsoDate, Moment, Text
from jaring.claims.fraud import mask_account
from jaring.claims.models import Claim
from jaring.claims.services import (
    ClaimRequest,
    HeirRequest,
    claim_document_add,
    claim_submit,
    documents_missing,
)
from jaring.common.documents import DOCUMENT_MAX_BYTES
from jaring.common.privacy import mask_name, mask_nik
from jaring.contributions.services import outlet_source

router = Router(tags=["claims"])
CHANNEL = "api"
HEIRS_MAX = 20
CHILDREN_MAX = 10
IdempotencyKey = Annotated[
    Text,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK,
        description="The partner's reference for this claim; a retry with it submits nothing new.",
    ),
]


# -- requests ------------------------------------------------------------------------------------------------
class HeirIn(Schema):
    nik: Text = Field(max_length=32, examples=["3215014302870007"])
    name: Text = Field(max_length=200, examples=["Siti Rahma"])
    relation: Text = Field(
        max_length=20,
        examples=["spouse"],
        description="spouse, child, parent, grandchild, sibling, parent_in_law or designated",
    )
    bank: Text = Field(max_length=20, examples=["BRI"])
    account_number: Text = Field(max_length=40, examples=["123456789012345"])
    account_name: Text = Field(max_length=200, examples=["Siti Rahma"])
    birth_date: IsoDate | None = None


class ChildIn(Schema):
    """A child of the deceased at school, for the JKM scholarship."""

    nik: Text = Field(max_length=32)
    name: Text = Field(max_length=200)
    age: int = Field(ge=0, le=150)
    level: Text = Field(max_length=10, examples=["SD"], description="TK, SD, SMP, SMA or PT")
    married: bool = False
    working: bool = False


class DetailsIn(Schema):
    """What the benefit is worked out from, by kind. JKK: ``medical_bill``, ``hospital``,
    ``inability_days``, ``disability_percent``; JKM: ``children``; JHT: ``stopped_on``. A claim paid to the
    participant (not for a death) names the participant's ``bank``, ``account_number`` and
    ``account_name``."""

    medical_bill: int | None = Field(None, ge=0, le=10**12, description="whole rupiah")
    hospital: Text | None = Field(None, max_length=200)
    inability_days: int | None = Field(None, ge=0, le=100_000)
    disability_percent: int | None = Field(None, ge=0, le=1000)
    children: list[ChildIn] | None = Field(None, max_length=CHILDREN_MAX)
    stopped_on: IsoDate | None = Field(None, description="JHT: the day work stopped")
    bank: Text | None = Field(None, max_length=20)
    account_number: Text | None = Field(None, max_length=40)
    account_name: Text | None = Field(None, max_length=200)

    def as_dict(self) -> dict:
        """The details as the service reads them: only those given, days as ISO text."""
        details = self.model_dump(exclude_none=True)
        if self.stopped_on is not None:
            details["stopped_on"] = self.stopped_on.isoformat()
        return details


class ClaimIn(Schema):
    participant: Text = Field(max_length=32, description="NIK or participant number")
    kind: Text = Field(max_length=10, examples=["JKM"], description="JKK, JKM or JHT")
    incident_at: Moment = Field(
        ...,
        description="the accident or death (JHT: the day the condition held), with its UTC offset",
        examples=["2024-09-14T10:00:00+07:00"],
    )
    incident_place: Text = Field("", max_length=200)
    death: bool = Field(False, description="JKK: the accident was fatal")
    jht_trigger: Text = Field("", max_length=20, description="JHT: age, death, disability or stopped_work")
    details: DetailsIn = Field(default_factory=DetailsIn)
    heirs: list[HeirIn] = Field(default_factory=list, max_length=HEIRS_MAX)

    def request(self, api_key: ApiKey, idempotency_key: str) -> ClaimRequest:
        return ClaimRequest(
            participant=self.participant,
            kind=self.kind,
            incident_at=self.incident_at,
            incident_place=self.incident_place,
            death=self.death,
            jht_trigger=self.jht_trigger,
            details=self.details.as_dict(),
            heirs=tuple(HeirRequest(**heir.model_dump()) for heir in self.heirs),
            source=outlet_source(api_key.outlet),
            idempotency_key=idempotency_key,
            channel=CHANNEL,
            outlet_id=api_key.outlet_id,
        )


# -- answers -------------------------------------------------------------------------------------------------
class LineOut(Schema):
    component: str
    payee: str = Field(description="heirs, participant or hospital")
    amount: int
    arithmetic: str
    year: int | None


class HeirOut(Schema):
    nik: str = Field(description="masked")
    name: str = Field(description="initials only")
    relation: str
    bank: str
    account_number: str = Field(description="masked: the last four digits")
    rank: int = Field(description="place in the legal order, 0 first")
    recipient: bool


class CoverOut(Schema):
    """Whether the moment of the incident was covered, and what that was read from."""

    covered: bool
    reason: str = Field(
        description="paid_ahead, paid_before, whole_month, grace, restored, paid_after or unpaid"
    )
    month: str = Field(description="the month of the incident, YYYY-MM")
    paid_at: datetime | None = Field(description="when the payment that bought that month was made")
    last_covered_before: str | None = Field(
        description="the last month bought by a payment made before the incident"
    )


class ClaimOut(Schema):
    number: str
    participant_number: str
    nik: str = Field(description="the participant's, masked")
    kind: str
    state: str = Field(description="submitted, complete, verified, approved, rejected or paid")
    eligible: bool
    amount: int = Field(description="whole rupiah")
    reason: str = Field(description="why the claim was refused, in the request's language; empty otherwise")
    incident_at: datetime
    submitted_at: datetime
    outlet: str | None
    cover: CoverOut | None = Field(description="JKK and JKM")
    rules: list[str] = Field(description="the codes of the claim rules read")
    lines: list[LineOut]
    heirs: list[HeirOut]
    documents_required: list[str]
    documents_missing: list[str]
    due_on: date | None = Field(description="the last working day to pay, once the file is complete")

    @classmethod
    def of(cls, claim: Claim) -> ClaimOut:
        decision = claim.decision or {}
        cover = decision.get("cover")
        return cls(
            number=claim.number,
            participant_number=claim.participant.number,
            nik=mask_nik(claim.participant.nik),
            kind=claim.kind,
            state=claim.state,
            eligible=claim.eligible,
            amount=claim.amount,
            reason=_(claim.reason) if claim.reason else "",
            incident_at=claim.incident_at,
            submitted_at=claim.submitted_at,
            outlet=claim.outlet.code if claim.outlet_id else None,
            cover=CoverOut(
                covered=cover["covered"],
                reason=cover["reason"],
                month=cover["month"],
                paid_at=cover.get("paid_at"),
                last_covered_before=cover.get("last_covered_before"),
            )
            if cover
            else None,
            rules=list(decision.get("rules", [])),
            lines=[
                LineOut(
                    component=line.component,
                    payee=line.payee,
                    amount=line.amount,
                    arithmetic=line.arithmetic,
                    year=line.year,
                )
                for line in claim.lines.all()
            ],
            heirs=[
                HeirOut(
                    nik=mask_nik(heir.nik),
                    name=mask_name(heir.name),
                    relation=heir.relation,
                    bank=heir.bank,
                    account_number=mask_account(heir.account_number),
                    rank=heir.rank,
                    recipient=heir.recipient,
                )
                for heir in claim.heirs.all()
            ],
            documents_required=list(decision.get("documents", [])),
            documents_missing=documents_missing(claim),
            due_on=claim.due_on,
        )


class DocumentOut(Schema):
    claim: str = Field(description="the claim's number")
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    state: str = Field(description="the claim's state after the upload (complete once nothing is missing)")
    documents_missing: list[str]
    due_on: date | None


def _claim_of_partner(api_key: ApiKey, number: str) -> Claim:
    """The claim ``number`` submitted through an outlet of the key's partner; a claim of anyone else
    answers exactly as an unknown number, so numbers cannot be tried to learn of others' claims."""
    claim = (
        Claim.objects.select_related("participant", "outlet")
        .filter(number=number.strip().upper(), outlet__partner_id=api_key.outlet.partner_id)
        .first()
    )
    if claim is None:
        raise NotFound(_("No claim with this number was submitted by your outlets."))
    return claim


# -- operations ----------------------------------------------------------------------------------------------
@router.post(
    "/claims",
    auth=ApiKeyAuth(Scope.CLAIMS),
    response={201: ClaimOut, 200: ClaimOut, **refusals(409, 413, 422)},
    operation_id="claim_submit",
    summary="Submit a claim",
)
def submit(request: HttpRequest, response: HttpResponse, payload: ClaimIn, idempotency_key: IdempotencyKey):
    """Submits a JKK, JKM or JHT claim, credited to the key's outlet, and answers it decided from the
    ledger: eligible with its amount and lines, or refused (recorded as rejected) with the cover that was
    read. A retry with the same Idempotency-Key and body answers 200 with the first claim; the same key
    with another body answers 409."""
    api_key = request.auth
    now = timezone.now()
    claim = claim_submit(
        request=payload.request(api_key, idempotency_key), actor=Actor.api_key(api_key, request), now=now
    )
    # a retry returns the claim submitted before, which was not submitted at this moment
    created = claim.submitted_at == now
    if not created:
        response[REPLAYED] = "true"
    claim = Claim.objects.select_related("participant", "outlet").get(pk=claim.pk)
    return Status(201 if created else 200, ClaimOut.of(claim))


@router.get(
    "/claims/{number}",
    auth=ApiKeyAuth(Scope.CLAIMS),
    response={200: ClaimOut, **refusals(404)},
    operation_id="claim_status",
    summary="A claim's state",
)
def status(request: HttpRequest, number: Annotated[Text, Field(max_length=20)]):
    """A claim submitted through one of the key's partner's outlets: its state, amount, lines, the
    documents still missing and the day it is due."""
    return ClaimOut.of(_claim_of_partner(request.auth, number))


@router.post(
    "/claims/{number}/documents",
    auth=ApiKeyAuth(Scope.CLAIMS),
    response={201: DocumentOut, **refusals(404, 413, 422)},
    operation_id="claim_document_add",
    summary="Send a document of a claim",
)
def document_add(
    request: HttpRequest,
    number: Annotated[Text, Field(max_length=20)],
    kind: Form[Annotated[Text, Field(max_length=30, examples=["death_certificate"])]],
    file: File[UploadedFile] = None,
):
    """A document of the claim's checklist (``multipart/form-data``: ``kind`` and ``file``, a PDF, JPEG or
    PNG of at most 10 MB), until the claim is verified. The claim is complete, and its due day set, once
    nothing is missing."""
    api_key = request.auth
    if getattr(request, "upload_too_large", False):
        raise PayloadTooLarge(DOCUMENT_MAX_BYTES)
    claim = _claim_of_partner(api_key, number)
    document = claim_document_add(claim=claim, kind=kind, content=file, actor=Actor.api_key(api_key, request))
    claim.refresh_from_db()
    return Status(
        201,
        DocumentOut(
            claim=claim.number,
            kind=document.kind,
            content_type=document.content_type,
            size=document.size,
            sha256=document.sha256,
            uploaded_at=document.uploaded_at,
            state=claim.state,
            documents_missing=documents_missing(claim),
            due_on=claim.due_on,
        ),
    )
