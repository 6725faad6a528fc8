"""The unreached segments of a branch (/dashboards/unreached/?office=CODE): its informal workers by
regency/city and by how permanent their work is, the potential against those registered and active, the
most unreached first, each line with its arithmetic; a CSV/XLSX of the same lines. Staff only, and only the
branches of the viewer's scope (404 otherwise)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from jaring.common.clock import local_date
from jaring.common.replica import reads_from_replica
from jaring.dashboards.access import staff_scope
from jaring.members.models import Permanence
from jaring.monitoring.permanence import permanence_report
from jaring.org.models import Office
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response


def _columns() -> list[Column]:
    return [
        Column(_("Regency/city")),
        Column(_("Work")),
        Column(_("Potential"), "count"),
        Column(_("Registered"), "count"),
        Column(_("Active"), "count"),
        Column(_("Unreached"), "count"),
        Column(_("How it is counted")),
    ]


@login_required
@reads_from_replica
def unreached(request):
    scope = staff_scope(request)
    branches = list(scope.offices().filter(kind=Office.Kind.BRANCH).order_by("code"))
    if not branches:
        raise Http404
    asked = request.GET.get("office") or (scope.office.code if scope.office in branches else branches[0].code)
    office = next((branch for branch in branches if branch.code == asked), None)
    if office is None:  # a regional office of the scope: its first branch
        parent = scope.offices().filter(code=asked).first()
        office = next((b for b in branches if parent is not None and b.path.startswith(parent.path)), None)
    if office is None:
        raise Http404
    report = permanence_report(office, as_of=local_date())
    names = dict(Permanence.choices)
    if (fmt := export_format(request)) is not None:
        rows = [
            [f"{s.regency} {s.regency_name}", names.get(s.permanence, s.permanence), s.potential,
             s.registered, s.active, s.unreached, s.arithmetic()]
            for s in report.segments
        ]  # fmt: skip
        return table_response(
            request, title=_("Unreached informal workers of %(office)s") % {"office": office.code},
            columns=_columns(), rows=rows, fmt=fmt, filename=f"unreached-{office.code.lower()}",
        )  # fmt: skip
    classes = [
        (names.get(permanence, permanence), potential, registered, active)
        for permanence, (potential, registered, active) in report.by_class().items()
    ]
    shares = {s.permanence: s.share for s in report.segments if s.share is not None}
    context = {
        "office": office,
        "branches": branches,
        "segments": [
            (segment, names.get(segment.permanence, segment.permanence)) for segment in report.segments
        ],
        "classes": classes,
        "uncertain": any(share.uncertain for share in shares.values()),
        "formats": EXPORT_FORMATS,
    }
    return render(request, "dashboards/unreached.html", context)
