"""What every ``jaring`` subcommand shares: JSON output and clear errors for bad input."""

import json
import sys
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jaring.common import clock
from jaring.common.errors import IdempotencyConflict, problems_of


def validation_lines(error: ValidationError) -> list[str]:
    """One line per problem, ``field: message``."""
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages
        ]
    return list(error.messages)


class JaringCommand(BaseCommand):
    """A command whose ``run`` may raise ``ValidationError``: each problem is printed on its own line and
    the command exits with status 2, having changed nothing."""

    json_option = True

    def add_arguments(self, parser):
        if self.json_option:
            parser.add_argument("--json", action="store_true", help="print JSON for scripts")
        self.add_command_arguments(parser)

    def add_command_arguments(self, parser):
        pass

    def handle(self, *args, **options):
        try:
            return self.run(*args, **options)
        except ValidationError as error:
            if options.get("json"):
                self.emit(
                    {
                        "ok": False,
                        "errors": error.message_dict if hasattr(error, "error_dict") else error.messages,
                        "reasons": sorted({problem.reason for problem in problems_of(error)}),
                    }
                )
            else:
                for line in validation_lines(error):
                    self.stderr.write(line)
            sys.exit(2)
        except IdempotencyConflict as error:
            raise CommandError(str(error), returncode=3) from error

    def run(self, *args, **options):
        raise NotImplementedError

    def emit(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date: expected YYYY-MM-DD") from error


def parse_moment(text: str | None) -> datetime | None:
    """``YYYY-MM-DD`` (10:00 in Jakarta) or an ISO date-time; None stays None (now)."""
    if not text:
        return None
    moment = clock.parse_moment(text)
    if moment is None:
        raise CommandError(f"{text!r} is not a date: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM")
    return moment
