import getpass

from django.core.management.base import CommandError

from jaring.common.commands import JaringCommand
from jaring.contributions.models import RateRule
from jaring.contributions.services import rate_window_set


class Command(JaringCommand):
    help = (
        "The rate book: `jaring rates show`; `jaring rates window CODE --from YYYY-MM --to YYYY-MM` "
        "moves the window of a rule (e.g. PP50-2025, whose period is not verified)."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["show", "window"])
        parser.add_argument("code", nargs="?")
        parser.add_argument("--from", dest="valid_from")
        parser.add_argument("--to", dest="valid_to")

    def run(self, *args, action, code, valid_from, valid_to, json, **options):
        if action == "window":
            if not RateRule.objects.filter(code=code).exists():
                raise CommandError(f"no rate rule {code!r}; see `jaring rates show`")
            rate_window_set(
                code=code,
                valid_from=valid_from,
                valid_to=valid_to,
                actor=None,
                summary=f"jaring rates window by {getpass.getuser()}",
            )
        rules = [
            {
                "code": r.code,
                "kind": r.kind,
                "valid_from": str(r.valid_from),
                "valid_to": str(r.valid_to) if r.valid_to else None,
                "uncertain": r.uncertain,
                "source": r.source,
            }
            for r in RateRule.objects.all()
        ]
        if json:
            self.emit(rules)
            return
        for r in rules:
            flag = "  (uncertain)" if r["uncertain"] else ""
            self.stdout.write(
                f"{r['kind']:<10} {r['code']:<18} {r['valid_from']}..{r['valid_to'] or ''}{flag}"
            )
