"""Every write of the payment channels: their credentials and terms (``channels``), what they tell
jaring host-to-host (``h2h``: payment notifications and reversal advice, through the one ledger path),
and the reconciliation of their settlement files (``settle``)."""

from jaring.settlement.services.channels import (
    IssuedChannel,
    channel_create,
    channel_renew,
    channel_revoke,
    channel_terms_set,
    inquiry_count,
    request_admit,
    signatures_forget,
)
from jaring.settlement.services.h2h import channel_payment, channel_reversal
from jaring.settlement.services.settle import (
    SettlementResult,
    difference_resolve,
    settlement_funds_record,
    settlement_import,
)

__all__ = [
    "IssuedChannel",
    "SettlementResult",
    "channel_create",
    "channel_payment",
    "channel_renew",
    "channel_reversal",
    "channel_revoke",
    "channel_terms_set",
    "difference_resolve",
    "inquiry_count",
    "request_admit",
    "settlement_funds_record",
    "settlement_import",
    "signatures_forget",
]
