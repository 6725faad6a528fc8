"""The desk's own writes: closing the till."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.channels.models import Agent, Outlet
from jaring.common.errors import error_dict
from jaring.desk.models import TillClosing
from jaring.desk.queries import till_figures


@transaction.atomic
def till_close(
    *, outlet: Outlet, agent: Agent | None, day: date, counted: int, note: str = "", actor
) -> TillClosing:
    """Records the teller's count of the till against what jaring recorded there on ``day``. A difference
    needs a note saying what the teller found (the count is kept either way)."""
    if counted < 0:
        raise error_dict("counted", _("The amount counted is a whole number of rupiah, 0 or more."))
    note = " ".join(note.split())[:200]
    recorded = till_figures(outlet=outlet, agent=agent, day=day).expected
    if counted != recorded and not note:
        raise error_dict("note", _("The count differs from what was recorded: say what you found."))
    closing = TillClosing.objects.create(
        outlet=outlet,
        agent=agent,
        day=day,
        counted=counted,
        recorded=recorded,
        note=note,
        closed_by=user_of(actor),
    )
    audit(
        actor,
        "create",
        obj=closing,
        after=closing,
        summary=Said(
            gettext_noop("till of %(outlet)s on %(day)s: counted %(counted)s, recorded %(recorded)s"),
            {"outlet": outlet.code, "day": str(day), "counted": counted, "recorded": recorded},
        ),
    )
    return closing
