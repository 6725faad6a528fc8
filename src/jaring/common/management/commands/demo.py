import getpass

from django.core.management import call_command
from django.core.management.base import BaseCommand
from tqdm import tqdm

DEMO_USER = "demo"
DEMO_PASSWORD = "jaring-demo-2026"


class Command(BaseCommand):
    help = "Load the demo world (offices, partners, outlets, agents, a payer, participants) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load, print the login, and stop")
        parser.add_argument("--participants", type=int, default=2500)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve, participants, host, port, **options):
        from jaring.demo.world import demo_world_load

        call_command("init", stdout=self.stdout)
        with tqdm(total=participants, desc="demo world", unit="participant", disable=None) as bar:

            def progress(done, total):
                bar.total = total
                bar.n = done
                bar.refresh()

            summary = demo_world_load(participants=participants, progress=progress)
        if summary.already_loaded:
            self.stdout.write("demo world already loaded; nothing added")
        self.stdout.write(
            f"demo world: {summary.offices} offices, {summary.outlets} outlets, {summary.agents} agents, "
            f"{summary.participants:,} participants ({summary.active:,} active, {summary.lapsed:,} lapsed), "
            f"{summary.payments:,} payments"
        )
        self._racing_contest()
        from jaring.accounts.services import staff_user_password_set

        staff_user_password_set(
            username=DEMO_USER,
            password=DEMO_PASSWORD,
            superuser=True,
            summary=f"jaring demo by {getpass.getuser()}",
        )
        from jaring.accounts.demo import demo_users_create

        self.stdout.write("logins by role (same password):")
        for username, role, scope in demo_users_create(DEMO_PASSWORD):
            self.stdout.write(f"  {username:<20} {role:<20} {scope}")
        from jaring.demo.claims import claims_demo_decide

        claims_demo_decide()
        from jaring.demo.duplicates import duplicates_demo_decide

        duplicates_demo_decide()
        self.stdout.write(self.style.SUCCESS(f"login: user {DEMO_USER!r}, password {DEMO_PASSWORD!r}"))
        if not no_serve:
            call_command("serve", host=host, port=port)

    def _racing_contest(self) -> None:
        """The Racing Contest scenario (2023) on top of the demo world: its outlets are the demo's."""
        from jaring.demo.scenarios import racing_contest_path, scenario_load

        path = racing_contest_path()
        if not path.is_file():
            self.stdout.write(f"racing contest scenario not found at {path}; skipped")
            return
        summary = scenario_load(path=path)
        self.stdout.write(
            f"racing contest: {summary.registrations_added:,} registrations and {summary.payments_added:,} "
            f"payments added (`jaring contest monev pos-racing-2023 --as-of 2023-10-24`)"
        )
