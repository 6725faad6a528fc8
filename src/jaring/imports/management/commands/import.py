import getpass
import json as jsonlib
import sys
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from jaring.common.commands import JaringCommand
from jaring.imports.models import ImportJob
from jaring.imports.readers import template_csv
from jaring.imports.services import import_job_open, import_run


class Command(JaringCommand):
    help = (
        "Bulk import: `jaring import registrations|payments|deposits|employers|workers FILE` (CSV or XLSX). "
        "Resumes an interrupted file; a finished file adds nothing. `jaring import template KIND` prints "
        "the header row."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("kind", choices=[*ImportJob.Kind.values, "template"])
        parser.add_argument(
            "file",
            help="the CSV or XLSX file (for `template`: the kind)",
        )
        parser.add_argument("--result", help="per-row result file (default: FILE.result.csv)")
        parser.add_argument("--chunk", type=int, default=5000, help="rows per transaction")

    def run(self, *args, kind, file, result, chunk, json, **options):
        if kind == "template":
            if file not in ImportJob.Kind.values:
                raise CommandError(
                    "template of `registrations`, `payments`, `deposits`, `employers` or `workers`"
                )
            self.stdout.write(template_csv(file), ending="")
            return
        path = Path(file).resolve()
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        job, _new = import_job_open(
            path=path,
            kind=kind,
            actor=None,
            result_path=Path(result).resolve() if result else None,
            summary=f"jaring import {kind} {path.name} by {getpass.getuser()}",
        )
        if job.status == ImportJob.Status.DONE:
            self.stderr.write(f"{path.name} was already imported (job {job.pk}); nothing added")
        else:
            if job.processed_rows:
                self.stderr.write(f"resuming job {job.pk} after row {job.processed_rows:,}")
            with tqdm(
                total=None, initial=job.processed_rows, unit="row", desc=kind, file=sys.stderr, disable=None
            ) as bar:

                def progress(current: ImportJob) -> None:
                    bar.total = max(current.total_rows, current.processed_rows)
                    bar.n = current.processed_rows
                    bar.refresh()

                job = import_run(job, progress=progress, chunk_rows=chunk)
        summary = {
            "job": job.pk,
            "status": job.status,
            "rows": job.processed_rows,
            "accepted": job.accepted,
            "rejected": job.rejected,
            "rejected_by_reason": dict(sorted(job.reasons.items(), key=lambda item: -item[1])),
            "result_file": job.result_path,
            "error": job.error,
        }
        if json:
            self.stdout.write(jsonlib.dumps(summary, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{job.kind}: {job.processed_rows:,} rows, {job.accepted:,} accepted, "
                f"{job.rejected:,} rejected"
            )
            for reason, count in summary["rejected_by_reason"].items():
                self.stdout.write(f"  {count:>8,}  {reason}")
            if job.result_path:
                self.stdout.write(f"result file: {job.result_path}")
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.error or "import failed")
