"""``jaring duplicates scan [--office CODE] [--json] [--background]``: the probable-duplicate scan over the
registry (or an office's subtree), with its progress on standard error; the pairs it keeps are reviewed by
branch staff. ``--background`` asks ``jaring worker`` to run it instead (``members.services.scans``), as
the review page's button does, and prints the scan's number: its progress shows on /duplicates/."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaring.accounts.audit import Actor
from jaring.common.commands import JaringCommand
from jaring.members.services.duplicates import duplicates_scan
from jaring.members.services.scans import duplicate_scan_request
from jaring.org.models import Office


class Command(JaringCommand):
    help = (
        "Probable duplicates: `jaring duplicates scan [--office CODE] [--json] [--background]` scores the "
        "registry's pairs."
    )
    json_option = False

    def add_command_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser(
            "scan", help="find and score the probable duplicates; decided pairs stay decided"
        )
        scan.add_argument("--office", default="", help="only the participants of this office and below it")
        scan.add_argument("--json", action="store_true", help="print JSON for scripts")
        scan.add_argument(
            "--background", action="store_true", help="have `jaring worker` run it; prints the scan's number"
        )

    def run(self, *args, action, office, json, background, **options):
        chosen = None
        if office:
            chosen = Office.objects.filter(code=office).first()
            if chosen is None:
                raise ValidationError({"office": _("Unknown office %(code)s.") % {"code": office}})
        if background:
            scan = duplicate_scan_request(office=chosen, actor=Actor.cli())
            if json:
                self.emit({"ok": True, "scan": scan.pk, "state": scan.state})
            else:
                self.stdout.write(
                    _("Scan %(scan)s asked for: `jaring worker` runs it; its progress shows on /duplicates/.")
                    % {"scan": scan.pk}
                )
            return

        def progress(step: str, done: int, total: int) -> None:
            self.stderr.write(f"  {step} {done:,} of {total:,}")

        result = duplicates_scan(office=chosen, actor=Actor("command line"), progress=progress)
        if json:
            self.emit({"ok": True, **result.as_json()})
            return
        self.stdout.write(
            f"{result.participants:,} participants, {result.pairs_compared:,} pairs compared, "
            f"{result.pairs_kept:,} probable duplicates ({result.pairs_new:,} new) in {result.seconds:.1f} s"
        )
