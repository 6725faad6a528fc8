"""One staff user per role over the ``network`` world of tests/conftest.py, named like the demo users
(``jaring.accounts.demo``) and signing in with the shared test password ``tests.conftest.PASSWORD``.

Used by the browser tests (``people`` fixture) and by tests/test_every_url.py.
"""

from __future__ import annotations

# username, role, scope column, attribute of the network world holding the office/outlet/agent/payer
ROLE_USERS = (
    ("demo.admin", "admin", None, None),
    ("demo.analyst", "head_office_analyst", None, None),
    ("demo.auditor", "auditor", None, None),
    ("demo.finance", "finance", None, None),
    ("demo.kw07", "regional_staff", "office", "kalimantan"),
    ("demo.kc-krw", "branch_staff", "office", "karawang_branch"),
    ("demo.teller-krw", "outlet_teller", "outlet", "pos_karawang"),
    ("demo.agent-krw", "agent", "agent", "agent"),
    ("demo.payer-dki", "payer", "payer", "payer"),
)
USERNAMES = tuple(username for username, *_ in ROLE_USERS)
ROLE_OF = {username: role for username, role, *_ in ROLE_USERS}


def people_create(network, staff) -> dict:
    """``{username: user}`` for every role of ``ROLE_USERS``, scoped inside ``network``."""
    people = {}
    for username, role, column, attribute in ROLE_USERS:
        scope = {column: getattr(network, attribute)} if column else {}
        people[username] = staff(role, username=username, **scope)
    return people
