"""Registering employers (the formal sector)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from jaring.accounts.audit import Actor
from jaring.api.auth import ApiKeyAuth
from jaring.api.models import Scope
from jaring.api.routers.common import refusals
from jaring.api.schemas import Text
from jaring.employers.services import employer_register

router = Router(tags=["employers"])


class EmployerIn(Schema):
    name: Text = Field(max_length=200, examples=["CV Maju Jaya"])
    village_code: Text = Field(max_length=13, examples=["64.71.05.1002"])
    sector: Text = Field(max_length=10, examples=["G"], description="KBLI 2020 section, A..U")
    # Numbers without bounds here: a workforce or risk class out of range is the service's to refuse,
    # with the same reason (``workforce:range``, ``risk_class:unknown``) as a file or the command line.
    workforce: int = Field(examples=[12], description="the number of workers declared")
    nib: Text = Field("", max_length=40, description="13 digits, when the employer has one")
    npwp: Text = Field("", max_length=40, description="15 or 16 digits, when the employer has one")
    risk_class: int | None = Field(None, examples=[1], description="1..5; default: the sector's")
    size: Text | None = Field(
        None, max_length=10, description="micro, small, medium or large; default: from the workforce"
    )


class EmployerOut(Schema):
    employer_number: str
    name: str
    sector: str
    risk_class: int
    size: str
    workforce: int
    office: str | None
    outlet: str
    agent: str | None
    status: str


@router.post(
    "/employers",
    auth=ApiKeyAuth(Scope.EMPLOYERS),
    response={201: EmployerOut, **refusals(413, 422)},
    operation_id="employer_register",
    summary="Register an employer",
)
def register(request: HttpRequest, payload: EmployerIn):
    """Registers an employer, credited to the key's outlet and agent. A NIB or NPWP registered before
    answers 422 with the reason ``nib:duplicate`` or ``npwp:duplicate``, naming the employer."""
    api_key = request.auth
    employer = employer_register(
        name=payload.name,
        village_code=payload.village_code,
        sector=payload.sector,
        workforce=payload.workforce,
        nib=payload.nib,
        npwp=payload.npwp,
        risk_class=payload.risk_class,
        size=payload.size,
        outlet=api_key.outlet,
        agent=api_key.agent,
        actor=Actor.api_key(api_key, request),
    )
    return Status(
        201,
        EmployerOut(
            employer_number=employer.number,
            name=employer.name,
            sector=employer.sector,
            risk_class=employer.risk_class,
            size=employer.size,
            workforce=employer.workforce,
            office=employer.office.code if employer.office_id else None,
            outlet=api_key.outlet.code,
            agent=api_key.agent.code if api_key.agent else None,
            status=employer.status,
        ),
    )
