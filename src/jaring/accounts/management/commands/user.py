from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import translation

from jaring.accounts.models import Role
from jaring.accounts.scope import scope_build
from jaring.accounts.services import staff_user_create
from jaring.channels.models import Agent, Outlet
from jaring.common.commands import JaringCommand
from jaring.contributions.models import Payer
from jaring.org.models import Office


class Command(JaringCommand):
    json_option = False  # each action takes its own --json
    help = (
        "Staff users: `jaring user create USERNAME --role ROLE [--office CODE | --outlet CODE | --agent CODE "
        "| --payer CODE] [--password P]` (prints a generated password once), `jaring user list`."
    )

    def add_command_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a staff user with a role and a scope")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--office", help="office code: regional_staff (a Kanwil), branch_staff (a KC)")
        create.add_argument("--outlet", help="outlet code: outlet_teller")
        create.add_argument("--agent", help="agent code: agent")
        create.add_argument("--payer", help="payer code: payer")
        create.add_argument("--password", help="the password (default: generate one and print it once)")
        create.add_argument("--email", default="")
        create.add_argument("--json", action="store_true", help="print JSON for scripts")
        listing = actions.add_parser("list", help="list users with their role and scope")
        listing.add_argument("--role", choices=Role.values, help="only this role")
        listing.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _create(self, *, username, role, office, outlet, agent, payer, password, email, json, **options):
        created = staff_user_create(
            username=username,
            role=role,
            office=_find(Office, office, "office"),
            outlet=_find(Outlet, outlet, "outlet"),
            agent=_find(Agent, agent, "agent"),
            payer=_find(Payer, payer, "payer"),
            password=password,
            email=email,
            summary=f"jaring user create {username} --role {role}",
        )
        data = _row(created.user)
        if json:
            self.emit({**data, "password": created.password if created.generated else None})
            return
        self.stdout.write(f"created {data['username']}: {data['role']}, {data['scope']}")
        if created.generated:
            self.stdout.write(f"password (shown once, cannot be recovered): {created.password}")

    def _list(self, *, role, json, **options):
        users = get_user_model().objects.order_by("username")
        if role:
            users = users.filter(staff_profile__role=role)
        rows = [_row(user) for user in users]
        if json:
            self.emit(rows)
            return
        for row in rows:
            state = "" if row["active"] else " (inactive)"
            last = row["last_login"][:16] if row["last_login"] else "never signed in"
            self.stdout.write(f"{row['username']:<24} {row['role']:<20} {row['scope']}; {last}{state}")


def _find(model, code: str | None, what: str):
    if not code:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise CommandError(f"unknown {what} {code}")
    return found


def _row(user) -> dict:
    scope = scope_build(user)
    with translation.override("en"):  # the command line speaks English, as every jaring command
        label = str(scope.label)
    return {
        "username": user.get_username(),
        "role": scope.role or "-",
        "scope": label,
        "active": user.is_active,
        "superuser": user.is_superuser,
        "last_login": user.last_login.isoformat() if user.last_login else None,
    }
