"""The menu of the signed-in user: the parts of jaring their role works in (a context processor).

Templates get ``scope`` (the user's ``accounts.scope.Scope``) and ``menu``, a list of (url, label) pairs.
A menu entry is only a shortcut: every page checks the scope itself.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaring.accounts.models import AUDIT_ROLES, STAFF_ROLES, Role
from jaring.accounts.scope import ACTING_ROLES, scope_for
from jaring.claims.views import CLAIM_ROLES
from jaring.imports.views import IMPORT_ROLES
from jaring.members.duplicate_views import REVIEW_ROLES as DUPLICATE_ROLES
from jaring.outreach.views import OUTREACH_ROLES
from jaring.perisai.views import AGENT_LIST_ROLES
from jaring.settlement.views import SETTLEMENT_ROLES

# (url name, label, roles that see the entry: the roles each page's own gate lets in)
ENTRIES = (
    ("desk:home", _("Desk"), ACTING_ROLES),
    ("field:app", _("Offline desk"), {Role.AGENT}),
    ("dashboards:home", _("Dashboards"), STAFF_ROLES),
    ("perisai:home", _("Agents"), AGENT_LIST_ROLES | {Role.AGENT}),
    ("web:payers", _("Payers"), STAFF_ROLES | {Role.PAYER, Role.OUTLET_TELLER}),
    ("outreach:mous", _("Outreach"), OUTREACH_ROLES),
    ("events:home", _("Events"), STAFF_ROLES),
    ("claims:home", _("Claims"), CLAIM_ROLES),
    ("duplicates:queue", _("Duplicates"), DUPLICATE_ROLES),
    ("imports:list", _("Imports"), IMPORT_ROLES),
    ("settlement:home", _("Settlement"), SETTLEMENT_ROLES),
    ("accounts:audit", _("Audit trail"), AUDIT_ROLES),
)


def menu_for(scope) -> list[tuple[str, str]]:
    return [(reverse(name), label) for name, label, roles in ENTRIES if scope.role in roles]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    scope = scope_for(user)
    return {"scope": scope, "menu": menu_for(scope)}
