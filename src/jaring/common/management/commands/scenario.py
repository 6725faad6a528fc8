from pathlib import Path

from django.core.exceptions import ValidationError
from tqdm import tqdm

from jaring.common.commands import JaringCommand
from jaring.demo.scenarios import scenario_load


class Command(JaringCommand):
    help = (
        "Scenarios: `jaring scenario load FILE.yaml [--scale X]` builds a world from declared counts "
        "(offices, outlets, contests, targets, registrations and payments) through the normal bulk import; "
        "loading it again adds nothing."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a scenario file")
        load.add_argument("file")
        load.add_argument(
            "--scale", default="1", help="multiply every count (default 1: the declared figures)"
        )
        load.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, file, scale, json, **options):
        path = Path(file)
        if not path.is_file():
            raise ValidationError({"file": f"No such file: {file}"})
        with tqdm(desc="import", unit="row", disable=json or None) as bar:

            def progress(job):
                bar.set_description(f"{job.kind}")
                bar.total = job.total_rows
                bar.n = job.processed_rows
                bar.refresh()

            summary = scenario_load(path=path, scale=scale, progress=progress)
        if json:
            self.emit(summary.as_json())
            return
        self.stdout.write(
            f"scenario {summary.code} x{summary.scale}: {summary.offices} offices, "
            f"{summary.outlets} outlets, {summary.contests} contests, {summary.targets} targets, "
            f"{summary.potential} potential figures"
            + (f", {summary.campaigns} campaigns, {summary.events} events" if summary.events else "")
        )
        self.stdout.write(
            f"registrations: {summary.registrations:,} planned, {summary.registrations_added:,} added; "
            f"payments: {summary.payments:,} planned, {summary.payments_added:,} added; "
            f"rejected {summary.rejected:,} {summary.rejected_reasons or ''}"
        )
        if summary.companies:
            self.stdout.write(
                f"companies: {summary.companies:,} planned, {summary.companies_added:,} added; "
                f"wage earners: {summary.wage_earners:,} planned, {summary.wage_earners_added:,} added"
            )
        if summary.kept_areas:
            self.stdout.write(
                f"regencies already served by another branch, left as they are: {summary.kept_areas}"
            )
        added = (summary.registrations_added, summary.payments_added, summary.companies_added)
        if not any(added) and not summary.wage_earners_added:
            self.stdout.write("nothing new: this scenario was already loaded")
