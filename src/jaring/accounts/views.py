"""The auditor pages: the audit trail (search, pages, CSV export) and revealing one participant's
personal data. Auditors and admins only; to anyone else signed in they do not exist (404)."""

from __future__ import annotations

import csv
import json

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from jaring.accounts.audit import Said, audit_personal_data
from jaring.accounts.forms import AuditSearchForm, RevealForm
from jaring.accounts.models import AUDIT_ROLES, Action, AuditEntry, Role
from jaring.accounts.reading import changes, object_label
from jaring.accounts.scope import get_in_scope_or_404, roles_only
from jaring.common.sheets import csv_row
from jaring.members.models import Participant

PAGE_SIZE = 50
CSV_COLUMNS = (
    "at", "username", "role", "action", "object_type", "object_id", "summary", "before", "after", "ip",
    "user_agent",
)  # fmt: skip


# Signed-out visitors are sent to sign in; signed-in users who may not audit get 404.
auditors_only = roles_only(AUDIT_ROLES)


@require_GET
@never_cache
@auditors_only
def audit_list(request, scope):
    form = AuditSearchForm(request.GET or None)
    entries = form.filter(AuditEntry.objects.all())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = dict(Role.choices)
    for entry in page:
        entry.role_label = roles.get(entry.role, entry.role)
        entry.object_label = object_label(entry)
        entry.changes = changes(entry)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "scope": scope},
    )


@require_GET
@never_cache
@auditors_only
def audit_export(request, scope):
    """The filtered trail as CSV, streamed; the export is itself an audit entry."""
    form = AuditSearchForm(request.GET or None)
    # The export holds the trail as it was when asked for: not its own entry, nor any written meanwhile.
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    entries = form.filter(AuditEntry.objects.filter(id__lte=last))
    audit_personal_data(
        request,
        Action.EXPORT,
        obj=AuditEntry,
        summary=Said(
            gettext_noop("audit trail CSV: %(asked)s; %(rows)s rows"),
            {"asked": form.describe(), "rows": entries.count()},
        ),
    )
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_COLUMNS)
        for entry in entries.order_by("at", "id").iterator(chunk_size=2000):
            yield writer.writerow(_csv_row(entry))

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jaring-audit-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@auditors_only
def audit_reveal(request, scope):
    """Shows one participant's full NIK and phone number, for a stated reason, as an audited ``reveal``."""
    form = RevealForm(request.POST or None)
    participant = None
    if request.method == "POST" and form.is_valid():
        participant = get_in_scope_or_404(
            scope.participants, Participant.objects.all(), pk=form.cleaned_data["number"]
        )
        audit_personal_data(request, Action.REVEAL, obj=participant, summary=form.cleaned_data["reason"])
    return render(request, "accounts/audit_reveal.html", {"form": form, "participant": participant})


class _Echo:
    """A file that hands back what is written, for streaming ``csv.writer`` rows."""

    def write(self, value):
        return value


def _csv_row(entry: AuditEntry) -> list:
    values = [
        timezone.localtime(entry.at).isoformat(timespec="seconds"),
        entry.username,
        entry.role,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.shown_summary,
        "" if entry.before is None else json.dumps(entry.before, ensure_ascii=False, sort_keys=True),
        "" if entry.after is None else json.dumps(entry.after, ensure_ascii=False, sort_keys=True),
        entry.ip or "",
        entry.user_agent,
    ]
    # summaries and user agents are typed by people: one that a spreadsheet would run is quoted
    return csv_row(values)
