from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jaring.accounts.audit import Actor
from jaring.common.clock import local_date
from jaring.common.commands import JaringCommand, parse_date, parse_moment
from jaring.members.queries import participant_find
from jaring.reminders.models import Channel
from jaring.reminders.providers import provider_named
from jaring.reminders.queries import outbox_counts
from jaring.reminders.services import contact_preference_set, reminders_plan, reminders_send
from jaring.reminders.tasks import reminders_daily


class Command(JaringCommand):
    help = (
        "Reminders to workers: `jaring reminders plan [--day DATE]` fills the outbox for the day (once a "
        "day: cron, systemd timer, or `--enqueue` for `jaring worker`, which also sends); `send` sends "
        "what is due (not in the quiet hours); `status` counts the outbox; `optout`/`optin PARTICIPANT "
        "--channel sms|whatsapp` record a worker's choice."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("action", choices=["plan", "send", "status", "optout", "optin"])
        parser.add_argument("participant", nargs="?", help="NIK or participant number (optout, optin)")
        parser.add_argument("--day", help="plan: YYYY-MM-DD (default today)")
        parser.add_argument("--now", help="send: the moment to send as of (default now)")
        parser.add_argument("--provider", help="send: console or gateway (default JARING_REMINDER_PROVIDER)")
        parser.add_argument("--limit", type=int, default=1000, help="send: at most this many")
        parser.add_argument("--channel", choices=Channel.values, help="optout, optin: the channel")
        parser.add_argument(
            "--enqueue", action="store_true", help="plan: run the day's plan and send in the worker"
        )

    def run(self, *args, action, participant, day, now, provider, limit, channel, enqueue, json, **options):
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
        else:
            self.choice(participant, channel=channel, opted_in=action == "optin", json=json)

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
            f"reminders for {day} (month {result.month}, due {result.due}): {result.added:,} added ({kinds})"
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
