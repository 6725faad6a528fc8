"""Reads of the employer registry that the CLI, the API and the pages share."""

from __future__ import annotations

from jaring.channels.models import Outlet, Partner
from jaring.employers.models import Employer, Employment
from jaring.rules.business_ids import IdentifierError, parse_nib, parse_npwp
from jaring.rules.employer_number import NUMBER_DIGITS, employer_seq
from jaring.rules.sectors import sectors


def employer_find(text: str) -> Employer | None:
    """The employer named by its registration number (9 digits with a good check digit), its NIB (13
    digits) or its NPWP (15 or 16 digits, separators allowed); None when none is. A mistyped number is
    caught by its check digit before any query."""
    text = (text or "").strip()
    employers = Employer.objects.select_related("office", "outlet", "agent", "village")
    if len(text) == NUMBER_DIGITS:
        try:
            return employers.filter(pk=employer_seq(text)).first()
        except ValueError:
            return None
    for parse, field in ((parse_nib, "nib"), (parse_npwp, "npwp")):
        try:
            return employers.filter(**{field: parse(text)}).first()
        except IdentifierError:
            continue
    return None


def employer_as_dict(employer: Employer) -> dict:
    """What the CLI's JSON and the API say of an employer."""
    sector = sectors().get(employer.sector)
    return {
        "number": employer.number,
        "name": employer.name,
        "nib": employer.nib or None,
        "npwp": employer.npwp or None,
        "sector": employer.sector,
        "sector_name": sector.name if sector else "",
        "risk_class": employer.risk_class,
        "size": employer.size,
        "workforce": employer.workforce,
        "village_code": employer.village_id,
        "office": employer.office.code if employer.office else None,
        "outlet": employer.outlet.code if employer.outlet else None,
        "agent": employer.agent.code if employer.agent else None,
        "status": employer.status,
        "registered_at": employer.registered_at.isoformat(),
    }


def enrolment_outlet(employer: Employer) -> Outlet | None:
    """Where a worker an employer enrols is registered when the NIK is new: the outlet that registered
    the employer, else the counter of the BPJS branch serving it; None when it has neither."""
    if employer.outlet_id is not None:
        return Outlet.objects.select_related("partner").get(pk=employer.outlet_id)
    if employer.office_id is None:
        return None
    return (
        Outlet.objects.select_related("partner")
        .filter(office_id=employer.office_id, partner__kind=Partner.Kind.BPJS_BRANCH, is_active=True)
        .order_by("code")
        .first()
    )


def employment_as_dict(employment: Employment) -> dict:
    """What the CLI's JSON says of one employment row."""
    return {
        "employer": employment.employer.number,
        "employer_name": employment.employer.name,
        "wage": employment.wage,
        "first_month": str(employment.first_month),
        "last_month": str(employment.last_month) if employment.last_month is not None else None,
    }
