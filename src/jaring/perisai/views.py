"""Agent pages: an agent's own summary and participants; for staff, the agents in their scope, the
quality-adjusted ranking and the signals of gaming with their evidence (reads in ``perisai.quality``).

Every page filters through the user's scope: an agent, a participant or a signal outside it answers 404.
Every table can be taken away as CSV or XLSX (``?format=csv|xlsx``) with the rows and scope of the page.
Lists of participants (an agent's, a signal's evidence) mask NIK and phone for every role, as every list
does (docs/security.md); their exports, taken by a role with personal-data rights, are written to the
audit trail as ``export``.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from jaring.accounts.models import STAFF_ROLES, Role
from jaring.accounts.scope import Scope, get_in_scope_or_404, scope_for
from jaring.channels.models import Agent, Partner
from jaring.common.clock import day_asked, local_date
from jaring.common.privacy import mask_nik, mask_phone
from jaring.common.replica import reads_from_replica
from jaring.members.models import Participant
from jaring.perisai import quality
from jaring.rules.months import Month, months_between
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response

# Who sees the agent list, the ranking and the signals: staff of an office or of the whole country, and
# the tellers of an outlet for the agents working from it.
# The agent list, ranking and signals: office staff, and tellers for their outlets' agents.
AGENT_LIST_ROLES = STAFF_ROLES | {Role.OUTLET_TELLER}
AGENTS_PER_PAGE = 50
RANKS_PER_PAGE = 100
SIGNALS_PER_PAGE = 20
PARTICIPANTS_PER_PAGE = 50
EVIDENCE_ON_PAGE = 10
CHART_AGENTS = 15


@login_required
@reads_from_replica
def home(request):
    """An agent's own page; for staff, the agents in scope with their figures."""
    scope = scope_for(request.user)
    if scope.role == Role.AGENT and scope.agent is not None:
        return _agent_page(request, scope, scope.agent)
    _staff_only(scope)
    as_of = _as_of(request)
    agents = scope.agents(Agent.objects.select_related("outlet")).order_by("code")
    search = request.GET.get("q", "").strip()
    if search:
        agents = agents.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(outlet__code__icontains=search)
        )
    status = request.GET.get("status", "")
    if status in Agent.Status.values:
        agents = agents.filter(status=status)
    columns = [
        Column(_("Agent"), "text"),
        Column(_("Name"), "text"),
        Column(_("Outlet"), "text"),
        Column(_("Status"), "text"),
        Column(_("Acquired"), "count"),
        Column(_("Acquired this month"), "count"),
        Column(_("Paid"), "count"),
        Column(_("Active this month"), "count"),
        Column(_("Signals"), "count"),
    ]
    fmt = export_format(request)
    if fmt:
        lines = _agent_lines(agents, as_of)
        return table_response(
            request,
            title=_("Agents"),
            columns=columns,
            rows=[_agent_row(line) for line in lines],
            fmt=fmt,
            filename="agents",
        )
    page = Paginator(agents, AGENTS_PER_PAGE).get_page(request.GET.get("page"))
    lines = _agent_lines(agents.filter(pk__in=[agent.pk for agent in page.object_list]), as_of)
    return render(
        request,
        "perisai/home.html",
        {
            "page": page,
            "lines": lines,
            "search": search,
            "status": status,
            "statuses": Agent.Status.choices,
            "as_of": as_of,
            "formats": EXPORT_FORMATS,
        },
    )


@login_required
@reads_from_replica
def agent(request, code: str):
    scope = scope_for(request.user)
    found = get_in_scope_or_404(scope.agents, Agent.objects.select_related("outlet", "partner"), code=code)
    return _agent_page(request, scope, found)


@login_required
@reads_from_replica
def ranking(request):
    scope = scope_for(request.user)
    _staff_only(scope)
    as_of = _as_of(request)
    thresholds = quality.thresholds_in_force(as_of)
    result = quality.agent_ranking(scope.agents(), as_of=as_of, thresholds=thresholds)
    columns = [
        Column(_("Rank"), "count"),
        Column(_("Agent"), "text"),
        Column(_("Name"), "text"),
        Column(_("Outlet"), "text"),
        Column(_("Status"), "text"),
        Column(_("Acquired"), "count"),
        Column(_("Paid"), "count"),
        Column(_("Paid (%)"), "percent"),
        Column(_("Payers due for the reading"), "count"),
        Column(_("Of them still active"), "count"),
        Column(_("Still active (%)"), "percent"),
        Column(_("Quality-adjusted acquisitions"), "text"),
        Column(_("Rank by acquisitions"), "count"),
    ]
    fmt = export_format(request)
    if fmt:
        return table_response(
            request,
            title=_("Agent ranking"),
            columns=columns,
            rows=[_ranked_row(line) for line in result.rows],
            fmt=fmt,
            filename="agent-ranking",
        )
    page = Paginator(result.rows, RANKS_PER_PAGE).get_page(request.GET.get("page"))
    top = [line for line in result.rows[:CHART_AGENTS] if line.acquired]
    chart = {
        "labels": [line.agent.code for line in top],
        "series": [
            {"label": _("Acquired"), "data": [line.acquired for line in top], "color": "#aab4c0"},
            {
                "label": _("Quality-adjusted acquisitions"),
                "data": [float(line.score) for line in top],
                "color": "#0b5cad",
            },
        ],
    }
    return render(
        request,
        "perisai/ranking.html",
        {
            "ranking": result,
            "page": page,
            "chart": chart,
            "thresholds": thresholds,
            "as_of": as_of,
            "formats": EXPORT_FORMATS,
        },
    )


@login_required
@reads_from_replica
def signals(request):
    scope = scope_for(request.user)
    _staff_only(scope)
    as_of = _as_of(request)
    thresholds = quality.thresholds_in_force(as_of)
    kind = request.GET.get("kind", "")
    kinds = (kind,) if kind in quality.SIGNAL_KINDS else tuple(quality.SIGNAL_KINDS)
    found = quality.agent_signals(scope.agents(), as_of=as_of, thresholds=thresholds, kinds=kinds)
    columns = [
        Column(_("Signal"), "text"),
        Column(_("Agent"), "text"),
        Column(_("Name"), "text"),
        Column(_("Outlet"), "text"),
        Column(_("Participants"), "count"),
        Column(_("Why"), "text"),
    ]
    fmt = export_format(request)
    outlets_found = (
        quality.outlet_signals(scope.outlets(), as_of=as_of, thresholds=thresholds)
        if quality.DUPLICATES in kinds
        else []
    )
    if fmt:
        rows = [_signal_row(signal) for signal in found] + [_outlet_signal_row(s) for s in outlets_found]
        return table_response(
            request,
            title=_("Signals of gaming"),
            columns=columns,
            rows=rows,
            fmt=fmt,
            filename="agent-signals",
        )
    page = Paginator(found, SIGNALS_PER_PAGE).get_page(request.GET.get("page"))
    # Evidence for the signals on this page only: a bounded number of small queries per page.
    shown = [
        (
            signal,
            [_participant_row(p) for p in _evidence(scope, signal)[:EVIDENCE_ON_PAGE]],
            _pairs_shown(scope, signal),
        )
        for signal in page.object_list
    ]
    outlets_shown = [
        (
            signal,
            [_participant_row(p) for p in _evidence(scope, signal)[:EVIDENCE_ON_PAGE]],
            _pairs_shown(scope, signal),
        )
        for signal in (outlets_found if page.number == 1 else [])
    ]
    return render(
        request,
        "perisai/signals.html",
        {
            "page": page,
            "shown": shown,
            "outlets_shown": outlets_shown,
            "kind": kind,
            "kinds": list(quality.SIGNAL_KINDS.items()),
            "thresholds": _threshold_lines(thresholds),
            "as_of": as_of,
            "evidence_columns": _participant_columns()[:6],
            "formats": EXPORT_FORMATS,
        },
    )


@login_required
@reads_from_replica
def participants(request, code: str):
    """The participants an agent acquired (in the user's scope); ``?signal=`` narrows them to the
    evidence of one signal (staff only), ``?status=`` to one standing."""
    scope = scope_for(request.user)
    found = get_in_scope_or_404(scope.agents, Agent.objects.select_related("outlet"), code=code)
    as_of = _as_of(request)
    rows = scope.participants(Participant.objects.select_related("standing").filter(agent=found)).order_by(
        "-registered_at", "-pk"
    )
    signal_kind = request.GET.get("signal", "")
    signal = None
    if signal_kind:
        if signal_kind not in quality.SIGNAL_KINDS or scope.role not in AGENT_LIST_ROLES:
            raise Http404
        hits = quality.agent_signals(Agent.objects.filter(pk=found.pk), as_of=as_of, kinds=(signal_kind,))
        signal = hits[0] if hits else None
        rows = rows.filter(signal.evidence) if signal else rows.none()
    status = request.GET.get("status", "")
    if status in Participant.Status.values:
        rows = rows.filter(standing__status=status)
    columns = _participant_columns()
    fmt = export_format(request)
    if fmt:
        return table_response(
            request,
            title=_("Participants of agent %(code)s") % {"code": found.code},
            columns=columns,
            rows=[_participant_row(p) for p in rows],
            fmt=fmt,
            filename=f"agent-{found.code}-participants",
            personal=scope.sees_personal_data,
            model=Participant,
        )
    page = Paginator(rows, PARTICIPANTS_PER_PAGE).get_page(request.GET.get("page"))
    lines = [_participant_row(p) for p in page.object_list]
    return render(
        request,
        "perisai/participants.html",
        {
            "agent": found,
            "page": page,
            "lines": lines,
            "columns": columns,
            "signal": signal,
            "signal_kind": signal_kind,
            "signal_label": quality.SIGNAL_KINDS.get(signal_kind, ""),
            "status": status,
            "statuses": Participant.Status.choices,
            "is_staff_view": scope.role in AGENT_LIST_ROLES,
            "formats": EXPORT_FORMATS,
        },
    )


# -- the agent page -------------------------------------------------------------------------------------


def _retention_chart(cohorts: list[quality.Cohort]) -> dict:
    """The cohorts' retention over a time axis of every month from the first sign-up to the last: a
    month without sign-ups is a gap (null), not a month left out."""
    by_month = {cohort.month: cohort for cohort in cohorts}
    months = months_between(min(by_month), max(by_month)) if by_month else ()
    return {
        "labels": [str(month) for month in months],
        "series": [
            {
                "label": _("Active %(months)s months later (%%)") % {"months": horizon},
                "data": [
                    _number(by_month[month].reading(horizon).pct) if month in by_month else None
                    for month in months
                ],
            }
            for horizon in quality.HORIZONS
        ],
    }


def _agent_page(request, scope: Scope, found: Agent):
    """One agent: figures, retention cohorts (a table and a chart) and, for staff, the agent's signals.
    ``?format=`` exports the cohort table."""
    as_of = _as_of(request)
    only = Agent.objects.filter(pk=found.pk)
    cohorts = quality.agent_cohorts(only, as_of=as_of)
    columns = [
        Column(_("Month acquired"), "text"),
        Column(_("Acquired"), "count"),
        Column(_("Paid"), "count"),
        Column(_("Paid (%)"), "percent"),
    ]
    for horizon in quality.HORIZONS:
        columns.append(Column(_("Active %(months)s months later") % {"months": horizon}, "count"))
        columns.append(Column(_("Active %(months)s months later (%%)") % {"months": horizon}, "percent"))
    fmt = export_format(request)
    if fmt:
        return table_response(
            request,
            title=_("Retention of agent %(code)s") % {"code": found.code},
            columns=columns,
            rows=[_cohort_row(cohort) for cohort in cohorts],
            fmt=fmt,
            filename=f"agent-{found.code}-retention",
        )
    is_staff_view = scope.role in AGENT_LIST_ROLES
    found_signals = quality.agent_signals(only, as_of=as_of) if is_staff_view else []
    found_signals = [(signal, _pairs_shown(scope, signal)) for signal in found_signals]
    return render(
        request,
        "perisai/agent.html",
        {
            "agent": found,
            "figures": quality.agent_figures(only, as_of=as_of).get(found.pk, quality.Figures()),
            "cohorts": cohorts,
            "horizons": quality.HORIZONS,
            "chart": _retention_chart(cohorts),
            "signals": found_signals,
            "is_staff_view": is_staff_view,
            "is_own_page": scope.role == Role.AGENT,
            "month": str(Month.from_date(as_of)),
            # Commission statements are Perisai's: a Pos or bank agent has none to link to.
            "has_statements": found.partner.kind == Partner.Kind.AGENT_NETWORK,
            "as_of": as_of,
            "formats": EXPORT_FORMATS,
        },
    )


# -- rows shared by pages and exports ---------------------------------------------------------------------


def _agent_lines(agents, as_of: date) -> list[tuple[Agent, quality.Figures, int]]:
    figures = quality.agent_figures(agents, as_of=as_of)
    flagged: dict[int, int] = {}
    for signal in quality.agent_signals(agents, as_of=as_of):
        flagged[signal.agent.pk] = flagged.get(signal.agent.pk, 0) + 1
    return [
        (agent, figures.get(agent.pk, quality.Figures()), flagged.get(agent.pk, 0))
        for agent in agents.select_related("outlet")
    ]


def _agent_row(line) -> list:
    agent, figures, flagged = line
    return [
        agent.code,
        agent.name,
        agent.outlet.code if agent.outlet else "",
        agent.get_status_display(),
        figures.acquired,
        figures.this_month,
        figures.paid,
        figures.active,
        flagged,
    ]


def _ranked_row(line: quality.Ranked) -> list:
    return [
        line.rank,
        line.agent.code,
        line.agent.name,
        line.agent.outlet.code if line.agent.outlet else "",
        line.agent.get_status_display(),
        line.acquired,
        line.paid,
        _number(line.paid_pct),
        line.due,
        line.retained,
        _number(line.retention_pct),
        line.arithmetic,
        line.count_rank,
    ]


def _signal_row(signal: quality.Signal) -> list:
    return [
        signal.label,
        signal.agent.code,
        signal.agent.name,
        signal.agent.outlet.code if signal.agent.outlet else "",
        signal.count,
        signal.figures,
    ]


def _outlet_signal_row(signal: quality.OutletSignal) -> list:
    return [signal.label, "", signal.outlet.name, signal.outlet.code, signal.count, signal.figures]


def _pairs_shown(scope: Scope, signal) -> list[int]:
    """The probable-duplicate pairs behind a signal that the viewer may open (/duplicates/<pk>/), at
    most ``EVIDENCE_ON_PAGE``, the highest score first; none for roles without the review queue."""
    from jaring.members.duplicate_queries import pairs_visible
    from jaring.members.duplicate_views import REVIEW_ROLES

    if not signal.pairs or scope.role not in REVIEW_ROLES:
        return []
    wanted = list(signal.pairs[: EVIDENCE_ON_PAGE * 5])
    seen = set(pairs_visible(scope).filter(pk__in=wanted).values_list("pk", flat=True))
    return [pk for pk in wanted if pk in seen][:EVIDENCE_ON_PAGE]


def _cohort_row(cohort: quality.Cohort) -> list:
    row = [str(cohort.month), cohort.acquired, cohort.paid, _number(cohort.paid_pct)]
    for reading in cohort.readings:
        row.extend([reading.active, _number(reading.pct)])
    return row


def _participant_columns() -> list[Column]:
    return [
        Column(_("Participant number"), "text"),
        Column(_("Name"), "text"),
        Column(_("NIK"), "text"),
        Column(_("Phone"), "text"),
        Column(_("Registered"), "date"),
        Column(_("Status"), "text"),
        Column(_("Paid through"), "text"),
    ]


def _participant_row(participant: Participant) -> list:
    """A line of a list of participants: NIK and phone masked whoever reads it (the participant's page
    at the desk shows them in full, audited)."""
    return [
        participant.number,
        participant.name,
        mask_nik(participant.nik),
        mask_phone(participant.phone),
        local_date(participant.registered_at),
        participant.standing.get_status_display(),
        str(participant.standing.paid_through) if participant.standing.paid_through else "",
    ]


def _evidence(scope: Scope, signal: quality.Signal):
    return scope.participants(
        Participant.objects.select_related("standing").filter(signal.evidence)
    ).order_by("-registered_at", "-pk")


def _threshold_lines(t: quality.Thresholds) -> list[tuple[str, str]]:
    never_paid = _(
        "at least %(min)s participants, and %(share)s %% of those registered, unpaid %(days)s days after "
        "registering"
    ) % {"min": t.never_paid_min, "share": quality.share_text(t.never_paid_share), "days": t.never_paid_days}
    shared_phone = _("%(min)s or more of one agent's participants on one phone number") % {
        "min": t.shared_phone_min
    }
    burst = _(
        "at least %(min)s registrations in the last %(days)s days of a contest period, at %(ratio)s "
        "times the agent's daily average over the period or more"
    ) % {"min": t.burst_min, "days": t.burst_days, "ratio": t.burst_ratio}
    duplicates = _(
        "at least %(min)s of an agent's or outlet's acquisitions of the last %(days)s days, and %(share)s "
        "%% of them, are the later record of a probable duplicate still open or decided as the same person"
    ) % {
        "min": t.duplicates_min,
        "share": quality.share_text(t.duplicates_share),
        "days": t.duplicates_days,
    }
    quick_lapse = _(
        "at least %(min)s participants, and %(share)s %% of the paying ones, paid at most %(months)s "
        "month(s) and lapsed"
    ) % {
        "min": t.quick_lapse_min,
        "share": quality.share_text(t.quick_lapse_share),
        "months": t.quick_lapse_max_months,
    }
    texts = {
        quality.NEVER_PAID: never_paid,
        quality.SHARED_PHONE: shared_phone,
        quality.BURST: burst,
        quality.QUICK_LAPSE: quick_lapse,
        quality.DUPLICATES: duplicates,
    }
    return [(str(label), texts[kind]) for kind, label in quality.SIGNAL_KINDS.items()]


# -- small helpers --------------------------------------------------------------------------------------


def _staff_only(scope: Scope) -> None:
    """The agent list, ranking and signals are for staff; for anyone else they do not exist."""
    if scope.role not in AGENT_LIST_ROLES:
        raise Http404


def _as_of(request) -> date:
    """``?as_of=YYYY-MM-DD`` (to look back), else today in Jakarta; a day outside the years jaring counts in
    is answered 400."""
    return day_asked(request.GET.get("as_of", "")) or local_date()


def _number(value) -> float | None:
    """A Decimal as a plain number for files and charts (XLSX and JSON keep numbers numbers)."""
    return None if value is None else float(value)
