"""Running a bulk import: a file in, chunks committed one transaction at a time, a result file out.

Resuming is by construction: every chunk commits its rows, its per-row results and the job's checkpoint
in one transaction. A process killed at any moment leaves whole chunks behind; running the import again
skips the committed rows and goes on (a NIK or reference met again is found in the database, as the
rows committed before would have been found in memory). A finished file is
recognised by its SHA-256 and adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Actor, Said, audit
from jaring.accounts.models import Action, Role
from jaring.accounts.scope import scope_for
from jaring.common.batch import batch_memory
from jaring.common.sheets import csv_cell
from jaring.contributions.queries import ratebook
from jaring.imports.gate import RowGate, WorkerGate
from jaring.imports.models import ImportChunk, ImportJob
from jaring.imports.readers import COLUMNS, MAX_CELL_CHARS, Unreadable, import_file_open, too_long
from jaring.imports.rows import (
    DepositRow,
    EmployerRow,
    PaymentRow,
    RegistrationRow,
    RowContext,
    RowResult,
    deposit_rows_apply,
    employer_rows_apply,
    payment_rows_apply,
    registration_rows_apply,
)
from jaring.imports.workers import WorkerRow, worker_rows_apply
from jaring.members.services.duplicates import duplicate_pairs_write, duplicate_warning, duplicates_compare
from jaring.members.validation import BulkRegistrationContext
from jaring.rules.participant_number import participant_number

CHUNK_ROWS = 5_000
# Each kind: how a row's cells become a row, and the apply of a chunk of them (the one check and apply
# of every channel, as a list).
KINDS = {
    ImportJob.Kind.REGISTRATIONS: (RegistrationRow, registration_rows_apply),
    ImportJob.Kind.PAYMENTS: (PaymentRow, payment_rows_apply),
    ImportJob.Kind.DEPOSITS: (DepositRow, deposit_rows_apply),
    ImportJob.Kind.EMPLOYERS: (EmployerRow, employer_rows_apply),
    ImportJob.Kind.WORKERS: (WorkerRow, worker_rows_apply),
}
# Kinds whose rows register workers through the registration path: their context is the registration
# lookups held in memory (which hold the outlets and agents by code as well).
REGISTERING = {ImportJob.Kind.REGISTRATIONS, ImportJob.Kind.WORKERS}
# ``codes``: the stable reasons (``amount:price_mismatch``), space separated, for counting and matching
# by machine; ``reason``: the same in words, in the uploader's language.
RESULT_COLUMNS = ("row", "status", "reason", "participant_number", "record_id", "codes")

Progress = Callable[[ImportJob], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def import_job_for_file(
    *, path: Path, kind: str, original_name: str = "", user=None, sha256: str | None = None
) -> ImportJob:
    """The job of this file (new, or the earlier one for the same content and kind). ``sha256`` is the
    file's digest if the caller has already computed it."""
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": f"Unknown import kind {kind!r}."})
    job, created = ImportJob.objects.get_or_create(
        kind=kind,
        sha256=sha256 or file_sha256(path),
        defaults={"original_name": original_name or path.name, "path": str(path), "created_by": user},
    )
    if not created and job.status != ImportJob.Status.DONE and job.path != str(path):
        job.path = str(path)
        job.save(update_fields=["path"])
    return job


@transaction.atomic
def import_job_open(
    *,
    path: Path,
    kind: str,
    actor,
    original_name: str = "",
    sha256: str | None = None,
    result_path: Path | None = None,
    result_dir: Path | None = None,
    summary: str = "",
) -> tuple[ImportJob, bool]:
    """The job of this file, opened by ``actor`` (a request or a user on the Impor page; None for the
    command line, saying who in ``summary``): new, or the earlier one for the same content and kind.
    An unfinished job gets ``result_path`` as its result file, or, when it has none yet, a file named after
    the job in ``result_dir``. Audited; returns the job and whether it is new."""
    started = timezone.now()
    user = getattr(actor, "user", actor)
    job = import_job_for_file(
        path=path,
        kind=kind,
        original_name=original_name,
        user=user if getattr(user, "is_authenticated", False) else None,
        sha256=sha256,
    )
    new = job.created_at >= started
    if job.status != ImportJob.Status.DONE:
        chosen = result_path
        if chosen is None and result_dir is not None and not job.result_path:
            chosen = result_dir / f"result-{job.pk}.csv"
        if chosen is not None and job.result_path != str(chosen):
            job.result_path = str(chosen)
            job.save(update_fields=["result_path"])
    said = summary or Said(gettext_noop("import of %(file)s"), {"file": job.original_name})
    if not new:
        said = Said(
            gettext_noop("%(said)s: the same file as this job, %(status)s"),
            {"said": str(said), "status": job.status},
        )
    audit(actor, Action.CREATE, obj=job, after=job if new else None, summary=said)
    return job, new


def import_run(
    job: ImportJob, *, progress: Progress | None = None, chunk_rows: int = CHUNK_ROWS
) -> ImportJob:
    """Imports (or resumes) the job's file; returns the job, done or failed with its error."""
    if job.status == ImportJob.Status.DONE:
        return job
    path = Path(job.path)
    job.status = ImportJob.Status.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.error = ""
    job.save(update_fields=["status", "started_at", "error"])
    try:
        # The whole file is looked at first, inside the error handling: a file that cannot be read whole
        # fails the job with its message before any row is imported.
        source = import_file_open(path, job.kind)
        job.total_rows = max(source.total_rows, job.processed_rows)
        job.save(update_fields=["total_rows"])
        book = ratebook()
        if job.kind in REGISTERING:
            context = BulkRegistrationContext.load(ratebook=book)
        else:
            context = RowContext.load(ratebook=book)
        make, apply = KINDS[job.kind]
        gating = WorkerGate if job.kind == ImportJob.Kind.WORKERS else RowGate
        gate = gating.for_uploader(job.created_by, outlets=context.outlets) if job.created_by_id else None
        history = history_allowed(job.created_by if job.created_by_id else None)
        chunks = _chunks_read(source, job.kind, make, skip=job.processed_rows, chunk_rows=chunk_rows)
        with batch_memory():
            for chunk in chunks:
                _chunk_commit(job, chunk, context=context, apply=apply, gate=gate, history=history)
                if job.processed_rows > job.total_rows:  # an XLSX file's rows are estimated beforehand
                    job.total_rows = job.processed_rows
                    job.save(update_fields=["total_rows"])
                if progress:
                    progress(job)
        job.total_rows = job.processed_rows
        if job.kind == ImportJob.Kind.REGISTRATIONS:
            duplicates_warn(job)
        job.result_path = job.result_path or str(path.with_name(f"{path.name}.result.csv"))
        result_file_write(job, Path(job.result_path))
        job.status = ImportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["total_rows", "result_path", "status", "finished_at"])
    except ValidationError as error:
        job.status = ImportJob.Status.FAILED
        job.error = " ".join(error.messages)
        job.save(update_fields=["status", "error"])
    except BaseException as error:
        job.status = ImportJob.Status.FAILED
        job.error = f"{type(error).__name__}: {error}"
        ImportJob.objects.filter(pk=job.pk).update(status=job.status, error=job.error)
        raise
    if progress:
        progress(job)
    return job


def _chunks_read(source, kind: str, make, *, skip: int, chunk_rows: int) -> Iterator[list]:
    """The file's rows after the first ``skip`` (committed before the import was interrupted), in chunks
    of ``chunk_rows``: each a row made by ``make``, or its refusal when a cell cannot be taken. Reads
    the file only."""
    chunk: list = []
    for done, (number, cells) in enumerate(source.rows(), start=1):
        if done <= skip:
            continue
        chunk.append(_read_refusal(kind, number, cells) or make(number, *cells))
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def history_allowed(uploader) -> bool:
    """Whether a file's rows may be dated before the grace window for late records (the coverage
    policy's ``late_record_days``): the operator's own imports (``jaring import``, no uploader) and an
    administrator's uploads; a teller's, an agent's or staff's rows with such dates are refused
    (``paid_at:too_old``)."""
    return uploader is None or scope_for(uploader).role == Role.ADMIN


def _chunk_commit(
    job: ImportJob, rows: list, *, context, apply, gate: RowGate | None, history: bool = False
) -> None:
    """Applies one chunk, stores its results and moves the checkpoint, in one transaction. Rows accepted
    with historical dates are audited in the same transaction."""
    with transaction.atomic():
        _commit_without_flush()
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.processed_rows != job.processed_rows:
            raise RuntimeError("another process is importing this file; let it finish, then run again")
        results = _gated_apply(rows, context=context, apply=apply, gate=gate, history=history)
        if historical := sum(result.historical for result in results):
            said = Said(
                gettext_noop(
                    "import job %(job)s: %(rows)s rows of rows %(first)s..%(last)s accepted "
                    "with historical dates"
                ),
                {"job": job.pk, "rows": historical, "first": rows[0].row, "last": rows[-1].row},
            )
            audit(Actor.import_job(job), Action.CREATE, obj=job, summary=said)
        ImportChunk.objects.create(
            job=job, first_row=rows[0].row, last_row=rows[-1].row, results=_results_csv(results)
        )
        for result in results:
            if result.status == "accepted":
                job.accepted += 1
            else:
                job.rejected += 1
                for code in dict.fromkeys(result.codes):
                    job.reasons[code] = job.reasons.get(code, 0) + 1
        job.processed_rows += len(rows)
        job.save(update_fields=["accepted", "rejected", "reasons", "processed_rows"])


def _accepted_ids(job: ImportJob) -> dict[int, int]:
    """The records the job's accepted rows made (their ids), with the chunk holding each row's result."""
    ids: dict[int, int] = {}
    for chunk, results in job.chunks.values_list("pk", "results").iterator():
        for line in csv.reader(io.StringIO(results)):
            if line[1] == "accepted" and line[4]:
                ids[int(line[4])] = chunk
    return ids


def duplicates_warn(job: ImportJob) -> int:
    """Compares the participants a registration file registered with one another and with the registry
    (``members.services.duplicates.duplicates_compare``), once its rows are all in, keeps the probable
    duplicates found for review and adds the warning to the rows that registered them, in one
    transaction: the result file and the page show it beside the row, as the desk and the API show theirs.
    A pair kept before (by a chunk small enough to be compared as it was checked, or by a run of the job
    that was interrupted after this) is not warned again, so a job resumed or run again adds nothing.
    Returns how many pairs were kept."""
    accepted = _accepted_ids(job)
    compared = duplicates_compare(participant_ids=accepted)
    if not compared.pairs:
        return 0
    warnings: dict[int, list[str]] = {}
    for newcomer, other, _scored in compared.pairs:
        said = duplicate_warning(participant_number(other.pk), other.nik)
        warnings.setdefault(newcomer, []).append(said)
    with transaction.atomic():
        ImportJob.objects.select_for_update().get(pk=job.pk)
        duplicate_pairs_write([(a, other.pk, scored) for a, other, scored in compared.pairs], timezone.now())
        changed = []
        for chunk in ImportChunk.objects.filter(pk__in={accepted[newcomer] for newcomer in warnings}):
            results = _results_warned(chunk.results, warnings)
            if results != chunk.results:
                chunk.results = results
                changed.append(chunk)
        ImportChunk.objects.bulk_update(changed, ["results"], batch_size=100)
        said = Said(
            gettext_noop("import job %(job)s: %(pairs)s probable duplicates kept for review"),
            {"job": job.pk, "pairs": len(compared.pairs)},
        )
        audit(Actor.import_job(job), Action.CREATE, obj=job, summary=said)
    return len(compared.pairs)


def _results_warned(results: str, warnings: dict[int, list[str]]) -> str:
    """A chunk's results with the warnings of its accepted rows added: to the reason, beside the NIK's
    (``RowResult.note``), and as the code ``nik:probable_duplicate``."""
    lines = list(csv.reader(io.StringIO(results)))
    touched = False
    for line in lines:
        said = warnings.get(int(line[4])) if line[1] == "accepted" and line[4] else None
        if not said:
            continue
        touched = True
        reason = line[2]
        added = " ".join(said)
        if not reason:
            line[2] = f"nik: {added}"
        elif reason.startswith("nik: "):  # a row's notes are the NIK's: "nik: one warning. another."
            line[2] = f"{reason} {added}"
        else:
            line[2] = f"{reason}; nik: {added}"
        line[2] = csv_cell(line[2])
        line[5] = " ".join(part for part in (line[5], *["nik:probable_duplicate"] * len(said)) if part)
    if not touched:
        return results
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(lines)
    return out.getvalue()


def _commit_without_flush() -> None:
    """On PostgreSQL, this transaction's commit does not wait for its WAL to reach the disk. A chunk
    commits together with its checkpoint, so a server crash that loses the last chunks loses their
    checkpoints as well and the resumed import writes them again; the job is marked done by a
    transaction that does wait, and so only once every chunk before it is on disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


_PLAIN_TEXT = {str}


def _read_refusal(kind: str, number: int, cells: list[str]) -> RowResult | None:
    """The refusal of a row with a cell longer than ``MAX_CELL_CHARS`` (no field of any file holds that
    much) or a cell of a damaged XLSX that cannot be read, naming each such column; None for a row whose
    cells all fit."""
    # Almost every row fits: said with two scans in C before the positions are looked for.
    if max(map(len, cells), default=0) <= MAX_CELL_CHARS and Unreadable not in map(type, cells):
        return None
    unreadable = [index for index, cell in enumerate(cells) if isinstance(cell, Unreadable)]
    positions = too_long(cells)
    result = RowResult(row=number)
    for index in unreadable:
        message = _("This cell cannot be read (the XLSX file is damaged there); save the file again.")
        result.fail(COLUMNS[kind][index], message, "unreadable")
    for index in positions:
        message = _("This cell holds %(length)s characters; a cell may hold at most %(most)s.")
        result.fail(
            COLUMNS[kind][index],
            message % {"length": f"{len(cells[index]):,}", "most": f"{MAX_CELL_CHARS:,}"},
            "too_long",
        )
    return result


def _gated_apply(
    rows: list, *, context, apply, gate: RowGate | None, history: bool = False
) -> list[RowResult]:
    """``apply`` on the rows the uploader may act on; the others are refused by the gate (and a row
    refused as it was read, a ``RowResult`` already, stays refused). Results come back in row order, one
    per row."""
    refused: dict[int, RowResult] = {}
    allowed = []
    for row in rows:
        if isinstance(row, RowResult):
            refused[row.row] = row
        elif gate is None or (result := gate.refusal(row)) is None:
            allowed.append(row)
        else:
            refused[row.row] = result
    applied = apply(allowed, context=context, now=timezone.now(), history_allowed=history) if allowed else []
    by_row = {result.row: result for result in applied}
    return [refused.get(row.row) or by_row[row.row] for row in rows]


def _results_csv(results: list[RowResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for result in results:
        # Only the reason may quote what the file held (a name): the other cells are jaring's own
        # numbers and codes. A reason a spreadsheet would run is quoted.
        writer.writerow(
            (
                result.row,
                result.status,
                csv_cell(result.reason) if result.reason else "",
                result.number,
                result.record_id or "",
                " ".join(result.codes),
            )
        )
    return out.getvalue()


def result_file_write(job: ImportJob, path: Path) -> Path:
    """Writes the per-row results of every committed chunk, in row order, with a header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(RESULT_COLUMNS) + "\n")
        for results in job.chunks.order_by("first_row").values_list("results", flat=True).iterator():
            handle.write(results)
    return path
