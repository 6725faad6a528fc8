from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand, parse_date, parse_moment
from jaring.members.queries import participant_find
from jaring.reminders.models import Channel
from jaring.reminders.providers import provider_named
from jaring.reminders.queries import outbox_counts, reminder_retention
from jaring.reminders.services import contact_preference_set, reminders_plan, reminders_send
from jaring.reminders.tasks import reminders_daily
from jaring.rules.months import Month


class Command(JaringCommand):
    help = (
        "Reminders to workers: `jaring reminders plan [--day DATE]` fills the outbox for the day (once a "
        "day: cron, systemd timer, or `--enqueue` for `jaring worker`, which also sends); `send` sends "
        "what is due (not in the quiet hours); `status` counts the outbox; `retention --from YYYY-MM --to "
        "YYYY-MM` compares the reminded with the held out, per cohort; `optout`/`optin PARTICIPANT "
        "--channel sms|whatsapp` record a worker's choice."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["plan", "send", "status", "retention", "optout", "optin"])
        parser.add_argument("participant", nargs="?", help="NIK or participant number (optout, optin)")
        parser.add_argument("--day", help="plan: YYYY-MM-DD (default today)")
        parser.add_argument("--now", help="send: the moment to send as of (default now)")
        parser.add_argument("--provider", help="send: console or gateway (default JARING_REMINDER_PROVIDER)")
        parser.add_argument("--limit", type=int, default=1000, help="send: at most this many")
        parser.add_argument("--channel", choices=Channel.values, help="optout, optin: the channel")
        parser.add_argument("--from", dest="first", help="retention: the first cohort month, YYYY-MM")
        parser.add_argument("--to", dest="last", help="retention: the last cohort month (default this month)")
        parser.add_argument(
            "--enqueue", action="store_true", help="plan: run the day's plan and send in the worker"
        )

    def run(
        self,
        *args,
        action,
        participant,
        day,
        now,
        provider,
        limit,
        channel,
        enqueue,
        first,
        last,
        json,
        **options,
    ):
        if action == "plan":
            self.plan(parse_date(day) if day else local_date(), enqueue=enqueue, json=json)
        elif action == "send":
            self.send(now=parse_moment(now), provider=provider, limit=limit, json=json)
        elif action == "status":
            counts = outbox_counts()
            if json:
                self.emit(counts)
            else:
                self.stdout.write("outbox: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        elif action == "retention":
            self.retention(first, last, json=json)
        else:
            self.choice(participant, channel=channel, opted_in=action == "optin", json=json)

    def retention(self, first, last, *, json):
        try:
            last = Month.parse(last) if last else Month.from_date(local_date())
            first = Month.parse(first) if first else last - 5
        except ValueError as error:
            raise CommandError("write the months as YYYY-MM") from error
        if first > last:
            raise CommandError("--from must not be after --to")
        lines = reminder_retention(first=first, last=last)
        if json:
            self.emit([_retention_json(line) for line in lines])
            return
        if not lines:
            self.stdout.write(f"no reminders planned in {first}..{last}")
        for line in lines:
            self.stdout.write(
                f"{line.month} {line.kind}: reminded {_group(line.reminded)}, "
                f"held out {_group(line.held_out)}, "
                f"difference {_points(line.difference)} (paid by {line.paid_by}"
                f"{'' if line.complete else ', still counting'})"
            )

    def plan(self, day, *, enqueue, json):
        if enqueue:
            result = reminders_daily.enqueue(day.isoformat())
            self.stdout.write(f"enqueued task {result.id}")
            return
        result = reminders_plan(day=day, actor=Actor.cli())
        if json:
            self.emit(result.as_json())
            return
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in sorted(result.by_kind.items())) or "none due"
        self.stdout.write(
            f"reminders for {day} (month {result.month}, due {result.due}): {result.added:,} added "
            f"({kinds}), {result.held_out:,} held out"
        )

    def send(self, *, now, provider, limit, json):
        try:
            chosen = provider_named(provider)
        except ValueError as error:
            raise CommandError(str(error)) from error
        result = reminders_send(now=now, provider=chosen, limit=limit)
        if json:
            self.emit(result.as_json())
        elif result.quiet_until:
            self.stdout.write(
                f"quiet hours: nothing sent before {result.quiet_until:%Y-%m-%d %H:%M} (Jakarta)"
            )
        else:
            self.stdout.write(
                f"sent {result.sent:,}, retrying {result.retrying:,}, failed {result.failed:,}, "
                f"cancelled {result.cancelled:,} ({chosen.name})"
            )

    def choice(self, identifier, *, channel, opted_in, json):
        if not channel:
            raise CommandError("say which channel: --channel sms or --channel whatsapp")
        found = participant_find(identifier)
        if found is None:
            raise ValidationError({"participant": "no participant with this NIK or number"})
        contact_preference_set(
            participant=found,
            channel=channel,
            opted_in=opted_in,
            source="jaring command line",
            actor=Actor.cli(),
        )
        choice = "opted in to" if opted_in else "opted out of"
        if json:
            self.emit({"participant": found.number, "channel": channel, "opted_in": opted_in})
        else:
            self.stdout.write(f"participant {found.number} {choice} reminders by {channel}")


def _pct(share) -> str:
    return "-" if share is None else f"{float(share) * 100:.1f} %"


def _group(group) -> str:
    return f"{group.paid:,} of {group.workers:,} paid ({_pct(group.share)})"


def _points(difference) -> str:
    return "-" if difference is None else f"{float(difference) * 100:+.1f} pp"


def _retention_json(line) -> dict:
    def group(g) -> dict:
        return {"workers": g.workers, "paid": g.paid, "share": None if g.share is None else float(g.share)}

    return {
        "month": str(line.month),
        "kind": line.kind,
        "reminded": group(line.reminded),
        "held_out": group(line.held_out),
        "difference_points": None if line.difference is None else round(float(line.difference) * 100, 1),
        "paid_by": line.paid_by.isoformat(),
        "complete": line.complete,
    }
