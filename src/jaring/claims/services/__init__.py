"""Every write of a claim (docs/claims.md)."""

from jaring.claims.services.submit import (
    ClaimPlan,
    ClaimRequest,
    HeirRequest,
    claim_check,
    claim_submit,
    claims_apply,
)
from jaring.claims.services.workflow import (
    claim_decide,
    claim_document_add,
    claim_verify,
    claims_pay,
    documents_missing,
    due_day,
    participant_deceased,
)

__all__ = [
    "ClaimPlan",
    "ClaimRequest",
    "HeirRequest",
    "claim_check",
    "claim_decide",
    "claim_document_add",
    "claim_submit",
    "claim_verify",
    "claims_apply",
    "claims_pay",
    "documents_missing",
    "due_day",
    "participant_deceased",
]
