"""Every write to the contribution ledger, for every channel (desk, API, file import, CLI, admin, demo).

``ledger``: payments, reversals, deposits, bills and the month-end lapse run. ``rates``: corrections of the
effective-dated rate rules.
"""

from jaring.contributions.services.ledger import (
    DepositResult,
    PaymentResult,
    bill_issue,
    bill_pay,
    deposit_record,
    ledger_record,
    outlet_source,
    payment_fingerprint,
    payment_quote,
    payment_record,
    payment_reverse,
    statuses_refresh,
)
from jaring.contributions.services.payers import (
    group_membership_save,
    group_memberships_remove,
    payer_group_save,
    payer_groups_remove,
    payer_save,
    payers_remove,
)
from jaring.contributions.services.rates import rate_rule_save, rate_rules_seed, rate_window_set

__all__ = [
    "DepositResult",
    "PaymentResult",
    "bill_issue",
    "bill_pay",
    "deposit_record",
    "group_membership_save",
    "group_memberships_remove",
    "ledger_record",
    "outlet_source",
    "payer_group_save",
    "payer_groups_remove",
    "payer_save",
    "payers_remove",
    "payment_fingerprint",
    "payment_quote",
    "payment_record",
    "payment_reverse",
    "rate_rule_save",
    "rate_rules_seed",
    "rate_window_set",
    "statuses_refresh",
]
