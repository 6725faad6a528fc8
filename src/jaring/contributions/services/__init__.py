"""Every write to the contribution ledger, for every channel (desk, API, file import, CLI, admin, demo).

``checks``: the one check of every ledger fact (payment, deposit, reversal, bill line) over a ``book``
(``LedgerBook``: what a list of requests is judged against, read in bulk); ``apply``: the one set-based
apply of the accepted plans; ``ledger``: the single-record services (lists of one), ``ledger_record`` for
lists, bills and the month-end lapse run; ``payers``: payers, groups and memberships; ``rates``:
corrections of the effective-dated rate rules; ``remittances``: what market collectors hand over of the
deposits they took.
"""

from jaring.contributions.services.checks import payment_fingerprint
from jaring.contributions.services.ledger import (
    DepositResult,
    PaymentResult,
    bill_issue,
    bill_pay,
    deposit_record,
    ledger_record,
    outlet_source,
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
from jaring.contributions.services.remittances import RemittanceResult, remittance_record

__all__ = [
    "DepositResult",
    "PaymentResult",
    "RemittanceResult",
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
    "remittance_record",
    "statuses_refresh",
]
