"""Reconciling a channel's daily settlement file against what jaring recorded for that channel.

A file (CSV, header ``reference,payment_code,months,amount,paid_at``) is read in chunks. Each line is:

- **matched**: its reference was recorded from the channel with the same amount;
- **amount_differs**: recorded with another amount (or since reversed): a difference;
- **recorded**: not recorded yet, recorded now through the one ledger path (``ledger_record``) under the
  channel's source with the line's reference, exactly as a notification would have been;
- **queued**: not recorded, and the payment code names nobody: a difference, the money waits;
- **rejected**: unreadable, a reference the file repeats, or refused by the ledger's check (a wrong
  price): a difference, with its reasons.

Then the channel's payments of the file's business date (by the channel's cut-off) that the file does not
list are **missing_from_file**: differences, flagged only now that the file of that date has arrived. A
file is known by its SHA-256: sending it again changes nothing and answers the first counts. A second,
different file for the same business date replaces the first (a corrected file): the first one's open
differences are closed as superseded and the new one's stand.

Each chunk's new payments commit with the chunk; the file, its counts and its differences commit at the
end. A run stopped half-way is run again: the payments its first chunks recorded are then matched, and
nothing is recorded twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.common.batch import batch_memory
from jaring.common.clock import parse_moment
from jaring.common.errors import Problem
from jaring.contributions.models import LedgerKey, Payment
from jaring.contributions.services.checks import PaymentRequest, Replay, payment_fingerprint
from jaring.contributions.services.ledger import ReferencesTaken, ledger_record
from jaring.imports.readers import MAX_CELL_CHARS, read_rows
from jaring.imports.services import file_sha256
from jaring.members.codes import payment_code_key
from jaring.members.models import Participant
from jaring.rules.money import format_rupiah
from jaring.rules.payment_code import CODE_DIGITS, payment_code_serial
from jaring.settlement.models import Difference, PaymentChannel, SettlementFile
from jaring.settlement.queries import NIK_LENGTH, TermsBook, customer_digits

BUCKETS = ("matched", "recorded", "queued", "missing_from_file", "amount_differs", "rejected")
CHUNK = 5_000


@dataclass(frozen=True)
class SettlementResult:
    file: SettlementFile
    counts: dict[str, int]
    replayed: bool  # the same file was reconciled before: nothing changed


@dataclass(slots=True)
class _Line:
    number: int
    reference: str
    code: str
    months: int | None = None
    amount: int | None = None
    paid_at: datetime | None = None
    participant: int | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Run:
    """What a reconciliation keeps while it reads the file chunk by chunk."""

    channel: PaymentChannel
    terms: TermsBook
    key: bytes
    counts: Counter = field(default_factory=Counter)
    references: set[str] = field(default_factory=set)
    differences: list[Difference] = field(default_factory=list)
    dates: Counter = field(default_factory=Counter)
    total: int = 0
    fees: int = 0
    lines: int = 0


def settlement_import(
    *,
    channel: PaymentChannel,
    path: Path,
    name: str = "",
    funds: int | None = None,
    business_date: date | None = None,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> SettlementResult:
    """Reconciles the settlement file at ``path`` for ``channel`` (see the module). ``business_date`` is
    the file's (the date most of its lines belong to when not given); ``funds``, what the channel
    transferred for it, is reconciled against the file's total less the channel's fees. Raises
    ``ValidationError`` on ``file`` (nothing done) for a file that cannot be read whole or a wrong
    header."""
    digest = file_sha256(path)
    prior = SettlementFile.objects.filter(channel=channel, sha256=digest).first()
    if prior is not None:
        return SettlementResult(prior, dict(prior.counts), replayed=True)
    rows = read_rows(path, "settlement")  # checks the whole file and its header before the first row
    run = _Run(channel=channel, terms=TermsBook(channel), key=payment_code_key())
    chunk: list[_Line] = []
    with batch_memory():  # a file of a million lines: as an import's, see ``common.batch``
        for number, cells in rows:
            chunk.append(_line_read(number, cells))
            if len(chunk) == CHUNK:
                _chunk_reconcile(run, chunk)
                chunk = []
                if progress:
                    progress(run.lines)
        if chunk:
            _chunk_reconcile(run, chunk)
    if run.lines == 0 and business_date is None:
        # A channel that took nothing that day sends its header alone, and says which day it is.
        raise ValidationError({"file": [_("The file has no lines: give its business date.")]})
    day = business_date
    if day is None and run.dates:
        day = run.dates.most_common(1)[0][0]
    if day is None:
        raise ValidationError({"file": [_("No line of the file has a readable payment moment.")]})
    with transaction.atomic():
        missing = _missing_from_file(run, day)
        settlement = SettlementFile.objects.create(
            channel=channel,
            name=name or path.name,
            sha256=digest,
            business_date=day,
            lines=run.lines,
            total=run.total,
            fees=run.fees,
            funds=funds,
            counts={bucket: run.counts[bucket] for bucket in BUCKETS} | {"missing_from_file": len(missing)},
            imported_at=timezone.now(),
            imported_by=_actor_name(actor),
        )
        _earlier_superseded(settlement)
        for difference in (*run.differences, *missing):
            difference.file = settlement
            difference.business_date = difference.business_date or day
        Difference.objects.bulk_create([*run.differences, *missing], batch_size=2_000)
        if funds is not None:
            _funds_difference(settlement)
        said = Said(
            gettext_noop("settlement file %(name)s of channel %(code)s for %(day)s: %(counts)s"),
            {
                "name": settlement.name,
                "code": channel.code,
                "day": day.isoformat(),
                "counts": ", ".join(f"{bucket} {settlement.counts[bucket]}" for bucket in BUCKETS),
            },
        )
        audit(actor, "create", obj=settlement, summary=said)
    return SettlementResult(settlement, dict(settlement.counts), replayed=False)


def _actor_name(actor) -> str:
    """Who a settlement file or a resolution is shown as done by: the command line's or the user's name."""
    if actor is None:
        return ""
    user = getattr(actor, "user", None) or actor
    return str(getattr(actor, "name", "") or getattr(user, "username", ""))[:150]


# -- reading a line ----------------------------------------------------------------------------------


def _line_read(number: int, cells: list[str]) -> _Line:
    reference, code, months, amount, paid_at = (str(cell or "").strip() for cell in cells[:5])
    line = _Line(number=number, reference=reference, code=customer_digits(code))
    if any(len(cell) > MAX_CELL_CHARS for cell in cells):
        line.problems.append(Problem("file", "too_long", _("A cell of this line is too long.")))
        return line
    if not reference:
        line.problems.append(Problem("reference", "required", _("The line has no reference.")))
    elif len(reference) > 100:
        line.problems.append(Problem("reference", "too_long", _("A reference has at most 100 characters.")))
    if len(line.code) not in (CODE_DIGITS, NIK_LENGTH) or len(line.code) != len(code.replace(" ", "")):
        line.problems.append(
            Problem("payment_code", "invalid", _("A payment code has 13 digits (or a NIK 16)."))
        )
    line.months = _whole(months)
    if line.months is None or line.months < 1:
        line.problems.append(Problem("months", "invalid", _("Months is a whole number, 1 or more.")))
    line.amount = _whole(amount)
    if line.amount is None:
        line.problems.append(Problem("amount", "invalid", _("The amount is whole rupiah.")))
    elif line.amount <= 0:
        line.problems.append(Problem("amount", "negative", _("The amount must be more than zero.")))
    line.paid_at = parse_moment(paid_at) if paid_at else None
    if line.paid_at is None:
        line.problems.append(
            Problem("paid_at", "invalid", _("The moment of payment is written YYYY-MM-DD HH:MM:SS."))
        )
    return line


def _whole(text: str) -> int | None:
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-")
    return sign * int(digits) if digits.isdigit() else None


# -- one chunk -------------------------------------------------------------------------------------------


def _chunk_reconcile(run: _Run, lines: list[_Line]) -> None:
    run.lines += len(lines)
    readable = []
    for line in lines:
        if not line.problems and line.reference in run.references:
            line.problems.append(
                Problem("reference", "duplicate", _("The file lists this reference on an earlier line."))
            )
        if line.reference:
            run.references.add(line.reference)
        if line.problems:
            _reject(run, line, line.problems)
            continue
        readable.append(line)
        terms = run.terms.on(line.paid_at)
        run.dates[terms.business_date(line.paid_at)] += 1
        run.total += line.amount
        run.fees += terms.fee_of(line.amount)
    _participants_find(run, readable)
    recorded = _recorded(run.channel, readable)
    to_record = []
    for line in readable:
        if line.reference in recorded:
            continue
        if line.participant is None:
            run.counts["queued"] += 1
            run.differences.append(
                _difference(run, line, Difference.Kind.QUEUED, _("No participant has this payment code."))
            )
        else:
            to_record.append(line)
    _compare(run, [line for line in readable if line.reference in recorded], recorded)
    if to_record:
        _record(run, to_record)


def _participants_find(run: _Run, lines: Iterable[_Line]) -> None:
    """Sets each line's participant: a payment code read with the key, a NIK looked up. A code whose
    check digit holds may still name nobody: the ledger's own read of the participants says so for the
    lines to record (``_record``), and a recorded reference's entry names its participant."""
    niks = {line.code for line in lines if len(line.code) == NIK_LENGTH}
    by_nik = dict(Participant.objects.filter(nik__in=niks).values_list("nik", "id")) if niks else {}
    for line in lines:
        if len(line.code) == NIK_LENGTH:
            line.participant = by_nik.get(line.code)
        else:
            line.participant = payment_code_serial(line.code, run.key)


@dataclass(frozen=True)
class _Entry:
    payment_id: int
    fingerprint: str


def _recorded(channel: PaymentChannel, lines: list[_Line]) -> dict[str, _Entry]:
    references = [line.reference for line in lines]
    if not references:
        return {}
    rows = LedgerKey.objects.filter(source=channel.source, key__in=references)
    return {
        key: _Entry(pk, fingerprint)
        for key, pk, fingerprint in rows.values_list("key", "payment_id", "fingerprint")
    }


def _compare(run: _Run, lines: list[_Line], recorded: dict[str, _Entry]) -> None:
    """Lines whose reference was recorded: matched when the entry stands (not reversed) and is the same
    request (its fingerprint) or has the line's amount; a difference otherwise. Three queries a chunk at
    most: the reversals, and the amounts of the entries that are not the same request."""
    if not lines:
        return
    ids = {recorded[line.reference].payment_id for line in lines}
    reversed_ids = {
        int(key)
        for key in LedgerKey.objects.filter(
            source=LedgerKey.REVERSED, key__in=[str(pk) for pk in ids]
        ).values_list("key", flat=True)
    }
    unlike = {}
    for line in lines:
        entry = recorded[line.reference]
        same = line.participant is not None and entry.fingerprint == payment_fingerprint(
            participant_id=line.participant,
            months=line.months,
            amount=line.amount,
            outlet=run.channel.outlet,
            agent=None,
            paid_at=line.paid_at,
        )
        if not same and entry.payment_id not in reversed_ids:
            unlike[entry.payment_id] = None
    if unlike:
        rows = Payment.objects.filter(pk__in=list(unlike)).values_list("id", "amount", "participant_id")
        unlike.update((pk, (amount, participant)) for pk, amount, participant in rows)
    for line in lines:
        entry = recorded[line.reference]
        reversed_ = entry.payment_id in reversed_ids
        amount, participant = (0, None) if reversed_ else unlike.get(entry.payment_id, (line.amount, None))
        elsewhere = participant is not None and participant != line.participant
        if amount == line.amount and not elsewhere:
            run.counts["matched"] += 1
            continue
        run.counts["amount_differs"] += 1
        reason = ""
        if reversed_:
            reason = _("The payment was reversed in jaring.")
        elif elsewhere:
            reason = _("jaring recorded this reference for another participant.")
        run.differences.append(
            _difference(
                run, line, Difference.Kind.AMOUNT_DIFFERS, reason, recorded=amount, payment=entry.payment_id
            )
        )


def _record(run: _Run, lines: list[_Line]) -> None:
    requests = [
        PaymentRequest(
            participant=line.participant,
            months=line.months,
            amount=line.amount,
            source=run.channel.source,
            reference=line.reference,
            paid_at=line.paid_at,
            outlet=run.channel.outlet,
            history_allowed=True,
        )
        for line in lines
    ]
    with transaction.atomic():
        _commit_without_flush()
        try:
            outcomes = ledger_record(requests, references_read=False)
        except ReferencesTaken:  # a notification of the same reference arrived meanwhile
            outcomes = ledger_record(requests)
    for line, outcome in zip(lines, outcomes, strict=True):
        if isinstance(outcome, list) and [problem.reason for problem in outcome] == ["nik:unknown"]:
            # the code's check digit holds but it names nobody (``checks._unknown_participant``)
            run.counts["queued"] += 1
            run.differences.append(
                _difference(run, line, Difference.Kind.QUEUED, _("No participant has this payment code."))
            )
        elif isinstance(outcome, list):
            _reject(run, line, outcome)
        elif isinstance(outcome, Replay):
            run.counts["matched"] += 1
        else:
            run.counts["recorded"] += 1


def _commit_without_flush() -> None:
    """On PostgreSQL, a chunk's commit does not wait for its WAL to reach the disk, as an import's chunk
    (``imports.services``): a server crash that loses the last chunks' payments loses nothing else of
    the file (its row, counts and differences commit at the end, in a transaction that waits, and so
    after every chunk before it is on disk), and the file sent again records them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _reject(run: _Run, line: _Line, problems: list[Problem]) -> None:
    run.counts["rejected"] += 1
    reason = "; ".join(f"{problem.reason}: {problem.message}" for problem in problems)
    run.differences.append(_difference(run, line, Difference.Kind.REJECTED, reason))


def _difference(
    run: _Run, line: _Line, kind: str, reason: str = "", *, recorded=None, payment=None
) -> Difference:
    day = run.terms.on(line.paid_at).business_date(line.paid_at) if line.paid_at else None
    return Difference(
        channel=run.channel,
        business_date=day,
        kind=kind,
        line=line.number,
        reference=line.reference[:100],
        payment_code=line.code[:40],
        file_amount=line.amount,
        recorded_amount=recorded,
        payment_id=payment,
        reason=reason[:300],
    )


# -- the whole file ----------------------------------------------------------------------------------


def _missing_from_file(run: _Run, day: date) -> list[Difference]:
    """The channel's payments of business date ``day`` (found by its outlet's index) that the file does
    not list and that stand (not reversed)."""
    start, end = run.terms.on(day).business_day(day)
    entries = list(
        Payment.objects.filter(
            outlet_id=run.channel.outlet_id,
            paid_at__gte=start,
            paid_at__lt=end,
            source=run.channel.source,
            kind=Payment.Kind.CONTRIBUTION,
        ).values_list("id", "idempotency_key", "amount")
    )
    absent = [entry for entry in entries if entry[1] not in run.references]
    if not absent:
        return []
    reversed_ids = set(
        LedgerKey.objects.filter(
            source=LedgerKey.REVERSED, key__in=[str(pk) for pk, _k, _a in absent]
        ).values_list("key", flat=True)
    )
    return [
        Difference(
            channel=run.channel,
            business_date=day,
            kind=Difference.Kind.MISSING_FROM_FILE,
            reference=reference,
            recorded_amount=amount,
            payment_id=pk,
        )
        for pk, reference, amount in absent
        if str(pk) not in reversed_ids
    ]


def _earlier_superseded(settlement: SettlementFile) -> None:
    """A second file for the same channel and business date replaces the first: the first's open
    differences close, naming the file that replaced it."""
    earlier = SettlementFile.objects.filter(
        channel=settlement.channel, business_date=settlement.business_date, superseded_by__isnull=True
    ).exclude(pk=settlement.pk)
    for old in earlier:
        old.superseded_by = settlement
        old.save(update_fields=["superseded_by"])
        Difference.objects.filter(file=old, resolved_at__isnull=True).update(
            resolved_at=settlement.imported_at,
            resolved_by=settlement.imported_by,
            resolution=_("replaced by the file %(name)s") % {"name": settlement.name},
        )


def _funds_difference(settlement: SettlementFile) -> None:
    Difference.objects.filter(file=settlement, kind=Difference.Kind.FUNDS, resolved_at__isnull=True).delete()
    if settlement.funds is not None and settlement.funds != settlement.funds_expected:
        Difference.objects.create(
            channel=settlement.channel,
            file=settlement,
            business_date=settlement.business_date,
            kind=Difference.Kind.FUNDS,
            file_amount=settlement.funds_expected,
            recorded_amount=settlement.funds,
            reason=_("Transferred %(funds)s against %(expected)s expected (total less fees).")
            % {
                "funds": format_rupiah(settlement.funds),
                "expected": format_rupiah(settlement.funds_expected),
            },
        )


def settlement_funds_record(*, settlement: SettlementFile, funds: int, actor=None) -> SettlementFile:
    """Records what the channel transferred for the file (the funds arrive after the file, net of its
    fees) and flags a transfer that is not the file's total less the fees."""
    if isinstance(funds, bool) or not isinstance(funds, int) or funds < 0:
        raise ValidationError({"funds": [_("The funds are whole rupiah, zero or more.")]})
    with transaction.atomic():
        settlement = SettlementFile.objects.select_for_update().get(pk=settlement.pk)
        before = {"funds": settlement.funds}
        settlement.funds = funds
        settlement.save(update_fields=["funds"])
        _funds_difference(settlement)
        said = Said(
            gettext_noop("funds of settlement file %(name)s: %(funds)s against %(expected)s expected"),
            {"name": settlement.name, "funds": funds, "expected": settlement.funds_expected},
        )
        audit(actor, "update", obj=settlement, before=before, after={"funds": funds}, summary=said)
    return settlement


def difference_resolve(*, difference: Difference, resolution: str, actor) -> Difference:
    """Closes an open difference with the reason finance staff give (a refund made, a late file, ...)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": [_("Say how the difference was resolved.")]})
    if len(resolution) > 300:
        raise ValidationError({"resolution": [_("At most 300 characters.")]})
    with transaction.atomic():
        difference = Difference.objects.select_for_update().get(pk=difference.pk)
        if difference.resolved_at is not None:
            raise ValidationError({"resolution": [_("This difference was resolved already.")]})
        difference.resolved_at = timezone.now()
        difference.resolved_by = _actor_name(actor)
        difference.resolution = resolution
        difference.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        said = Said(
            gettext_noop("difference %(kind)s of channel %(code)s on %(day)s resolved: %(resolution)s"),
            {
                "kind": difference.kind,
                "code": difference.channel.code,
                "day": difference.business_date.isoformat(),
                "resolution": resolution,
            },
        )
        audit(actor, "update", obj=difference, after={"resolution": resolution}, summary=said)
    return difference
