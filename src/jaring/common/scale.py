"""Where every table goes on Citus (distributed PostgreSQL), in one place: docs/scale.md explains the
plan, and tests/test_scale_readiness.py holds the models to it (every model placed, no foreign key Citus
could not keep, no unique key a shard could not check alone).

Models are named by their label (``app_label.ModelName``). A model outside jaring's own apps (Django's
auth, sessions and admin, django-axes, the task queue) stays on the coordinator.
"""

from __future__ import annotations

# Distributed by the participant, all in one co-location group: the model's field holding the
# participant id (the distribution column). A participant's rows of every one of these tables live on
# one shard, so everything about one participant is a single-shard statement.
DISTRIBUTED: dict[str, str] = {
    "members.Participant": "id",
    "members.Standing": "participant",
    "members.DuplicateAttempt": "participant",
    "contributions.Payment": "participant",
    "contributions.CoverageRun": "participant",
    "contributions.Deposit": "participant",
    "contributions.GroupMembership": "participant",
    "contributions.BillLine": "participant",
    # A wage earner's jobs: one or two rows a worker, read with the worker (the segment of a month) and
    # by employer (its list, its bill: a query that fans out to every shard, as a bill's lines do).
    "employers.Employment": "participant",
    # A worker's line on an employer's bill: written with the bill, read by the bill (fanning out, as a
    # payer's bill lines do) and paid into the worker's ledger on the worker's shard.
    "employers.EmployerBillLine": "participant",
    "reminders.Reminder": "participant",
    "reminders.ContactPreference": "participant",
    # A worker signed up at an event: read with the worker, and by event for its yield (fanning out).
    "events.EventSignup": "participant",
    # What the population registry answered about a registration: one or two rows a participant.
    "members.NikVerification": "participant",
}

# Derived counts written beside the facts in the same transaction: distributed with the participants'
# shards too (a bucket column naming the shard is added to their key when the cluster is made), so a
# payment's transaction stays on one shard; every read sums over the buckets. They hold no relation.
ROLLED_UP: frozenset[str] = frozenset(
    {"tallies.Tally", "tallies.CoverageDelta", "tallies.OfficeMonth", "tallies.OutletMonth"}
)

# Distributed by a key of their own, each in its own co-location group: tables that keep a value unique
# across the participants' shards (the NIK table, the ledger's key table: docs/scale.md, "Uniqueness
# across shards"), with the field that distributes them. They hold plain ids, no relation, and every
# unique key of theirs holds that field.
BY_OWN_KEY: dict[str, str] = {"contributions.LedgerKey": "key"}

# Replicated to every node: small tables the distributed ones point at or join with.
REFERENCE: frozenset[str] = frozenset(
    {
        "regions.Region",
        "org.Office",
        "org.BranchArea",
        "channels.Partner",
        "channels.Outlet",
        "channels.Agent",
        "members.Occupation",
        "members.PaymentCodeKey",  # one row, read by every node that makes or reads a payment code
        # Employers: about 850,000 companies nationally (tens of MB), a few hundred registered a day,
        # while their wage earners' rows (distributed by the participant) point at them and their bills
        # join them: replicated, so those joins stay on one shard, and the NIB and NPWP stay unique
        # keys the table checks alone. Their bills and workers, which grow with the workers, are not.
        "employers.Employer",
        # An employer's bills (one a month) and the references paid on them, as the payers' bills.
        "employers.EmployerBill",
        "employers.EmployerBillPayment",
        "contributions.RateRule",
        "contributions.Payer",
        "contributions.PayerGroup",
        "contributions.Bill",
        "perisai.AgentRule",
        "reminders.ReminderRule",
        "reminders.HolidayCorrection",
        # Campaigns and their events: a few hundred a year, named by registrations on every shard.
        "events.Campaign",
        "events.Event",
    }
)

# Kept on the coordinator (plain PostgreSQL tables there): staff, steering, jobs, the audit trail.
COORDINATOR: frozenset[str] = frozenset(
    {
        "accounts.StaffProfile",
        "accounts.AuditEntry",
        "desk.TillClosing",
        # A collector's remittances hold no participant: a few a day per market, read with the sums of
        # its deposits (a GROUP BY by outlet that fans out over the shards, added up here).
        "contributions.Remittance",
        "api.ApiKey",
        # Field phones and what their outboxes synced (docs/field.md): a phone per agent, a record per
        # registration or payment taken offline, read by the phone's key and by staff per agent; each
        # names its participant through a relation kept by the sync.
        "field.Device",
        "field.SyncRecord",
        # Payment channels: a few dozen, read by every request of theirs and by the settlement of their
        # files (which read the ledger by reference through contributions.LedgerKey); what their
        # requests leave behind (signatures seen, inquiries an hour) and their files' differences are
        # the coordinator's, as the audit trail is.
        "settlement.PaymentChannel",
        "settlement.ChannelTerms",
        "settlement.SignatureSeen",
        "settlement.InquiryHour",
        "settlement.SettlementFile",
        "settlement.Difference",
        "imports.ImportJob",
        "imports.ImportChunk",
        "monitoring.InformalShare",
        "monitoring.PotentialMarket",
        "monitoring.PermanenceShare",
        "monitoring.Target",
        "monitoring.Contest",
        "monitoring.Contest_outlets",
        "monitoring.ContestPeriod",
        "monitoring.ContestPrize",
        "monitoring.ContestStanding",
        "monitoring.ScenarioLoad",
        "monitoring.ScenarioNikBlock",
        # SMEs a branch hands to a Pos outlet: steering, worked by staff, a fraction of the companies;
        # they point at the company they became and at the staff member who handed them over.
        "employers.Lead",
        # The outreach registry (docs/outreach.md): MoUs with local governments and market managers,
        # their commitments, budget lines and documents, the outreach sites and the outreach rules. A few
        # thousand rows steered by staff; none holds a participant (their progress is read from the
        # payer groups, the tallies and the deposits).
        "outreach.OutreachRule",
        "outreach.Mou",
        "outreach.Mou_payer_groups",
        "outreach.MouDocument",
        "outreach.Commitment",
        "outreach.BudgetLine",
        "outreach.Site",
        # The Paritrana panel's interview scores: one per province or regency/city and year.
        "outreach.PanelInterview",
        # Claims (docs/claims.md): a few hundred thousand a year, worked by branch staff on queues by
        # office; each names its participant (a relation kept by the write path) and is decided from
        # the participant's ledger, read on the participant's shard.
        # Probable duplicates (docs/duplicates.md): pairs the scan keeps for review, a fraction of the
        # registry, each naming two participants (relations kept by the write path); the matcher's rule.
        "members.DuplicateRule",
        "members.ProbableDuplicate",
        "members.DuplicateScan",  # a scan in the background: its scope, progress and summary
        # Merges of two records of one person: a fraction of the pairs, each naming both records.
        "members.ParticipantMerge",
        "claims.ClaimRule",
        "claims.Claim",
        "claims.Heir",
        "claims.ClaimLine",
        "claims.ClaimDocument",
        "claims.ClaimPayout",
        "perisai.AgentEvent",
        "perisai.Payout",
        "perisai.Statement",
        "perisai.StatementLine",
    }
)

# Relations into a distributed table that are not database constraints (``db_constraint=False``),
# because Citus could not keep them, with what keeps them true instead.
KEPT_BY_WRITE_PATH: dict[str, str] = {
    "contributions.Payment.reverses": (
        "reversal_check refuses a payment that is not in the participant's own ledger; entries are never "
        "deleted"
    ),
    "perisai.StatementLine.payment": (
        "the statement job selects its lines from the ledger itself; entries are never deleted"
    ),
    "channels.Agent.participant": (
        "agent_onboarding_record takes a participant found first; participants are never deleted"
    ),
    "members.ProbableDuplicate.first": (
        "duplicates_scan pairs participants it has just read; participants are never deleted"
    ),
    "members.ProbableDuplicate.second": (
        "duplicates_scan pairs participants it has just read; participants are never deleted"
    ),
    "field.SyncRecord.participant": (
        "outbox_sync names the participant the registration or payment it just applied recorded; "
        "participants are never deleted"
    ),
    "members.Standing.merged_into": (
        "participant_merge points a record at a survivor it has just read; participants are never deleted"
    ),
    "members.ParticipantMerge.survivor": (
        "participant_merge names two participants it has just read; participants are never deleted"
    ),
    "members.ParticipantMerge.absorbed": (
        "participant_merge names two participants it has just read; participants are never deleted"
    ),
    "claims.Claim.participant": (
        "claim_check takes a participant found first; participants are never deleted"
    ),
    "contributions.CoverageRun.participant": (
        "ledger_apply writes a run only with a ledger entry of the same participant, whose own key is "
        "checked in the same transaction; participants are never deleted"
    ),
}

# Unique keys of distributed tables that do not hold the distribution column, so no shard can check
# them alone, with how each is kept on Citus (docs/scale.md, "Uniqueness across shards").
UNIQUE_ACROSS_SHARDS: dict[str, str] = {
    "members.Participant.nik": "a NIK table distributed by NIK, written in the registration's transaction",
    "contributions.Deposit.deposit_idempotency_key": (
        "a key table distributed by the key, written in the deposit's transaction"
    ),
}


def placement(label: str) -> str | None:
    """Where the model ``label`` goes: ``distributed`` (by the participant), ``by own key``, ``rolled
    up``, ``reference``, ``coordinator``, or None when it is not placed yet."""
    if label in DISTRIBUTED:
        return "distributed"
    if label in BY_OWN_KEY:
        return "by own key"
    for name, labels in (("rolled up", ROLLED_UP), ("reference", REFERENCE), ("coordinator", COORDINATOR)):
        if label in labels:
            return name
    return None
