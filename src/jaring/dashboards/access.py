"""Who may open a dashboard, where their dashboards start, and the month a page looks at."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from jaring.accounts.models import STAFF_ROLES
from jaring.accounts.scope import Scope, scope_for
from jaring.common.clock import month_asked
from jaring.dashboards.queries import Period
from jaring.org.models import Office


def staff_scope(request) -> Scope:
    """The scope of a staff user (national, regional or branch); anyone else is answered 404, as if the
    dashboards did not exist."""
    scope = scope_for(request.user)
    if scope.role not in STAFF_ROLES:
        raise Http404
    return scope


def scope_root(scope: Scope) -> Office | None:
    """The office a user's dashboards open at: their office, or the head office for national roles."""
    if scope.office is not None:
        return scope.office
    return Office.objects.filter(parent__isnull=True).order_by("path").first()


def period_asked(request) -> tuple[Period, str]:
    """The month of ``?month=YYYY-MM`` (default: the current month in Jakarta) and an error to show when
    the month could not be read; a month outside the years jaring counts in is answered 400."""
    text = (request.GET.get("month") or "").strip()
    if not text:
        return Period.of(), ""
    month = month_asked(text)
    if month is not None:
        return Period.of(month), ""
    return Period.of(), _("Write the month as YYYY-MM, for example 2024-05; showing the current month.")


def query_with(request, **changes) -> str:
    """The page's query string with ``changes`` (None removes a key), starting with ``?``."""
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    text = query.urlencode()
    return f"?{text}" if text else ""
