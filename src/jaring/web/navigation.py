"""The menu of the signed-in user: the parts of jaring their role works in (a context processor).

Templates get ``scope`` (the user's ``accounts.scope.Scope``) and ``menu``, a list of (url, label) pairs.
A menu entry is only a shortcut: every page checks the scope itself.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaring.accounts.models import NATIONAL_ROLES, OFFICE_ROLES, Role
from jaring.accounts.scope import ACTING_ROLES, scope_for

STAFF_ROLES = NATIONAL_ROLES | OFFICE_ROLES
# (url name, label, roles that see the entry)
ENTRIES = (
    ("desk:home", _("Desk"), ACTING_ROLES),
    ("dashboards:home", _("Dashboards"), STAFF_ROLES),
    ("perisai:home", _("Agents"), STAFF_ROLES | {Role.AGENT, Role.OUTLET_TELLER}),
    ("web:payers", _("Payers"), STAFF_ROLES | {Role.PAYER, Role.OUTLET_TELLER}),
    ("imports:list", _("Imports"), ACTING_ROLES | OFFICE_ROLES | {Role.HEAD_OFFICE_ANALYST}),
    ("accounts:audit", _("Audit trail"), frozenset({Role.AUDITOR, Role.ADMIN})),
)


def menu_for(scope) -> list[tuple[str, str]]:
    return [(reverse(name), label) for name, label, roles in ENTRIES if scope.role in roles]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    scope = scope_for(user)
    return {"scope": scope, "menu": menu_for(scope)}
