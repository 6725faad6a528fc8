"""The worklist page of the desk (/desk/worklist/): the workers the user looks after who owe this month,
are in arrears, are about to lapse, or lapsed and may reactivate, riskiest first, each with the parts of
its lapse-risk score and one tap to the payment screen; exportable. Lists mask the phone and the NIK, as
every list does; the participant page shows them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jaring.common.privacy import mask_phone
from jaring.desk.access import desk_scope
from jaring.members.models import Participant
from jaring.reminders.worklists import worklists_for
from jaring.rules.participant_number import participant_number
from jaring.rules.worklist import Worklist
from jaring.web.tables import Column, export_format, table_response

SHOWN = 200
LISTS = {
    Worklist.DUE: gettext_lazy("Due this month"),
    Worklist.ARREARS: gettext_lazy("In arrears"),
    Worklist.LAPSING: gettext_lazy("About to lapse"),
    Worklist.LAPSED: gettext_lazy("Lapsed, may reactivate"),
}
PARTS = {
    "behind": gettext_lazy("unpaid months"),
    "stopped_before": gettext_lazy("stopped before"),
    "short_history": gettext_lazy("short history"),
}
# What each part counts, said with its count on the page: "+30 (2 unpaid months)".
PART_SAID = {
    "behind": gettext_lazy("%(count)s unpaid months"),
    "stopped_before": gettext_lazy("stopped paying %(count)s times before"),
    "short_history": gettext_lazy("%(count)s months short of six paid"),
}
COLUMNS = (
    Column(gettext_lazy("Participant number")),
    Column(gettext_lazy("Name")),
    Column(gettext_lazy("Phone")),
    Column(gettext_lazy("Paid through")),
    Column(gettext_lazy("Unpaid months"), "count"),
    Column(gettext_lazy("Lapse risk"), "count"),
    *(Column(label, "count") for label in PARTS.values()),
)


@require_GET
@login_required
def worklist(request):
    scope = desk_scope(request)
    asked = request.GET.get("list", "")
    chosen = Worklist(asked) if asked in Worklist.__members__.values() else Worklist.DUE
    lists = worklists_for(scope)
    entries = lists.entries[chosen]
    fmt = export_format(request)
    shown = entries if fmt else entries[:SHOWN]
    people = Participant.objects.in_bulk([entry.participant_id for entry in shown])
    rows = []
    for entry in shown:
        person = people[entry.participant_id]
        parts = {part.name: part for part in entry.risk.parts}
        rows.append(
            {
                "number": participant_number(person.pk),
                "name": person.name,
                "phone": mask_phone(person.phone),
                "paid_through": entry.paid_through,
                "unpaid": entry.unpaid,
                "risk": entry.risk.total,
                "parts": [(PARTS[name], parts[name].points, parts[name].count) for name in PARTS],
                "why": [
                    f"+{parts[name].points} ({PART_SAID[name] % {'count': parts[name].count}})"
                    for name in PARTS
                    if parts[name].points
                ],
                "pay": f"{reverse('desk:pay')}?{urlencode({'q': participant_number(person.pk)})}",
            }
        )
    if fmt:
        table = [
            (
                row["number"], row["name"], row["phone"], str(row["paid_through"] or "-"), row["unpaid"],
                row["risk"], *(points for _label, points, _count in row["parts"]),
            )
            for row in rows
        ]  # fmt: skip
        return table_response(
            request, title=_("Worklist: %(list)s") % {"list": LISTS[chosen]}, columns=COLUMNS, rows=table,
            fmt=fmt, filename=f"worklist-{chosen.value}", period=str(lists.month),
        )  # fmt: skip
    context = {
        "tabs": [(kind, label, lists.counts.get(kind, 0)) for kind, label in LISTS.items()],
        "chosen": chosen,
        "chosen_label": LISTS[chosen],
        "rows": rows,
        "total": len(entries),
        "shown": SHOWN,
        "month": lists.month,
        "arrears_months": lists.arrears_months,
    }
    return render(request, "desk/worklist.html", context)
