"""One user per role over the demo world (``jaring.demo.layout``), for trying the scopes by hand."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said
from jaring.accounts.models import Role
from jaring.accounts.scope import scope_for
from jaring.accounts.services import staff_profile_assign, staff_user_password_set
from jaring.channels.models import Agent, Outlet
from jaring.contributions.models import Payer
from jaring.demo import layout
from jaring.org.models import Office

# username, role, and the code of the office/outlet/agent/payer the role works on.
DEMO_USERS = (
    ("demo.admin", Role.ADMIN, None),
    ("demo.analyst", Role.HEAD_OFFICE_ANALYST, ("office", layout.HEAD_OFFICE[0])),
    ("demo.auditor", Role.AUDITOR, ("office", layout.HEAD_OFFICE[0])),
    ("demo.finance", Role.FINANCE, ("office", layout.HEAD_OFFICE[0])),
    ("demo.kw07", Role.REGIONAL_STAFF, ("office", "KW07")),
    ("demo.kc-bpn", Role.BRANCH_STAFF, ("office", "KC-BPN")),
    ("demo.teller-krw", Role.OUTLET_TELLER, ("outlet", "POS-KRW")),
    ("demo.agent-kaltim", Role.AGENT, ("agent", "PRS-KALTIM-A1")),
    ("demo.payer-dki", Role.PAYER, ("payer", layout.PAYER["code"])),
)

MODELS = {"office": Office, "outlet": Outlet, "agent": Agent, "payer": Payer}


@transaction.atomic
def demo_users_create(password: str) -> list[tuple[str, str, str]]:
    """Creates (or resets) one user per role, all with ``password``, and returns ``(username, role,
    scope)`` per user, the scope as English text ("office KC-BPN (KC Balikpapan) and below"). Needs the demo
    world loaded; a second call resets the same users' passwords and profiles."""
    created = []
    for username, role, target in DEMO_USERS:
        scope_of = {}
        if target is not None:
            column, code = target
            scope_of[column] = MODELS[column].objects.get(code=code)
        user = staff_user_password_set(username=username, password=password, summary="demo")
        staff_profile_assign(
            user=user,
            role=role,
            summary=Said(gettext_noop("demo user %(user)s"), {"user": username}),
            **scope_of,
        )
        with translation.override("en"):  # printed by `jaring demo`, in English like the rest of its output
            created.append((username, str(role), str(scope_for(user).label)))
    return created
