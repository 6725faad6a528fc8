from django.core.management.base import CommandError

from jaring.api.models import DEFAULT_RATE_LIMIT
from jaring.api.queries import apikey_list
from jaring.api.services import apikey_create, apikey_revoke
from jaring.channels.models import Agent, Outlet
from jaring.common.commands import JaringCommand


class Command(JaringCommand):
    json_option = False  # each action takes its own --json
    help = (
        "Partner API keys: `jaring apikey create --outlet CODE [--agent CODE] --scopes register,pay,status` "
        "(prints the key once), `jaring apikey revoke PREFIX`, `jaring apikey list [--outlet CODE]`."
    )

    def add_command_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a key; the full key is printed once")
        create.add_argument("--outlet", required=True, help="outlet code credited with what the key records")
        create.add_argument("--agent", help="agent code (an agent of the outlet's partner)")
        create.add_argument(
            "--scopes",
            required=True,
            help="comma-separated: register,pay,deposit,status,statement,employers,history,claims",
        )
        create.add_argument("--name", default="", help="what the key is for (the partner's app)")
        create.add_argument(
            "--rate-limit", type=int, default=DEFAULT_RATE_LIMIT, help="requests a minute (default 600)"
        )
        create.add_argument("--json", action="store_true", help="print JSON for scripts")
        revoke = actions.add_parser("revoke", help="revoke a key by its prefix (jrg_live_xxxxxxxx)")
        revoke.add_argument("prefix")
        revoke.add_argument("--json", action="store_true", help="print JSON for scripts")
        listing = actions.add_parser("list", help="list keys (prefixes only; secrets are never stored)")
        listing.add_argument("--outlet", help="only this outlet's keys")
        listing.add_argument("--active", action="store_true", help="leave revoked keys out")
        listing.add_argument("--json", action="store_true", help="print JSON for scripts")

    def run(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _create(self, *, outlet, agent, scopes, name, rate_limit, json, **options):
        outlet_row = Outlet.objects.select_related("partner").filter(code=outlet).first()
        if outlet_row is None:
            raise CommandError(f"unknown outlet {outlet}")
        agent_row = None
        if agent and (agent_row := Agent.objects.filter(code=agent).first()) is None:
            raise CommandError(f"unknown agent {agent}")
        issued = apikey_create(
            outlet=outlet_row, agent=agent_row, scopes=scopes, name=name, rate_limit=rate_limit
        )
        data = {**_row(issued.api_key), "key": issued.token}
        if json:
            self.emit(data)
            return
        self.stdout.write(issued.token)
        self.stderr.write(
            f"API key {data['prefix']} for outlet {data['outlet']}"
            f"{' agent ' + data['agent'] if data['agent'] else ''}, scopes {data['scopes']}, "
            f"{data['rate_limit']} requests/minute. The key above is shown once and cannot be recovered: "
            "store it in the partner's system now."
        )

    def _revoke(self, *, prefix, json, **options):
        data = _row(apikey_revoke(prefix=prefix))
        if json:
            self.emit(data)
            return
        self.stdout.write(f"revoked {data['prefix']} at {data['revoked_at']}")

    def _list(self, *, outlet, active, json, **options):
        outlet_row = None
        if outlet and (outlet_row := Outlet.objects.filter(code=outlet).first()) is None:
            raise CommandError(f"unknown outlet {outlet}")
        rows = [_row(key) for key in apikey_list(outlet=outlet_row, include_revoked=not active)]
        if json:
            self.emit(rows)
            return
        for row in rows:
            state = f"revoked {row['revoked_at'][:10]}" if row["revoked_at"] else "active"
            used = row["last_used_at"][:16] if row["last_used_at"] else "never used"
            self.stdout.write(
                f"{row['prefix']}  {row['outlet']:<12} {row['agent'] or '-':<10} {row['scopes']:<32} "
                f"{row['rate_limit']:>5}/min  {state:<18} {used}  {row['name']}"
            )


def _row(api_key) -> dict:
    return {
        "prefix": api_key.prefix,
        "name": api_key.name,
        "outlet": api_key.outlet.code,
        "agent": api_key.agent.code if api_key.agent else None,
        "scopes": api_key.scopes,
        "rate_limit": api_key.rate_limit,
        "created_at": api_key.created_at.isoformat(),
        "revoked_at": api_key.revoked_at.isoformat() if api_key.revoked_at else None,
        "last_used_at": api_key.last_used_at.isoformat() if api_key.last_used_at else None,
    }
