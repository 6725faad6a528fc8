"""The events pages (/events/): staff see the campaigns and events of their scope with what each brought
(new participants, those already registered, cost per new participant, still covered 3, 6 and 12 months
on), as a table, a chart and a CSV/XLSX export; administrators and branch staff add events and record
their attendance and cost. An event outside the scope answers 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaring.accounts.models import STAFF_ROLES, Role
from jaring.accounts.scope import Scope, roles_only
from jaring.common.clock import local_date
from jaring.common.fields import DayInput, ServiceForm
from jaring.events.models import Campaign, Event
from jaring.events.queries import (
    HORIZONS,
    CampaignReport,
    EventYield,
    campaign_report,
    campaigns_with_events,
    event_yields,
    events_in_scope,
)
from jaring.events.services import event_save
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response

# Who adds events and records their attendance and cost: administrators anywhere, branch staff for their
# branch's events.
EDIT_ROLES = frozenset({Role.ADMIN, Role.BRANCH_STAFF})


def _columns() -> list[Column]:
    """The export's columns, in the language of the request."""
    return [
        Column(_("Event")),
        Column(_("Name")),
        Column(_("Days")),
        Column(_("Target attendance"), "count"),
        Column(_("Attendance"), "count"),
        Column(_("New participants"), "count"),
        Column(_("Already registered"), "count"),
        Column(_("Cost"), "rupiah"),
        Column(_("Cost per new participant"), "rupiah"),
        *(
            Column(_("Still covered after %(months)s months") % {"months": months}, "count")
            for months in HORIZONS
        ),
    ]


class EventForm(ServiceForm):
    """An event as typed; the service judges every field."""

    code = forms.CharField(label=gettext_lazy("Code"), max_length=40, required=False)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Event.Kind.choices, required=False)
    city_code = forms.CharField(
        label=gettext_lazy("Regency or city code"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("As in the Kemendagri table, e.g. 31.71."),
    )
    starts_on = forms.DateField(label=gettext_lazy("First day"), required=False, widget=DayInput())
    ends_on = forms.DateField(label=gettext_lazy("Last day"), required=False, widget=DayInput())
    campaign_code = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)
    target_attendance = forms.CharField(
        label=gettext_lazy("Target attendance"), max_length=20, required=False
    )
    attendance = forms.CharField(label=gettext_lazy("Attendance counted"), max_length=20, required=False)
    cost = forms.CharField(label=gettext_lazy("Cost (Rp)"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign_code"].choices = [("", _("No campaign"))] + [
            (c.code, f"{c.code} · {c.name}") for c in Campaign.objects.order_by("-starts_on", "code")[:50]
        ]
        for name in ("target_attendance", "attendance", "cost"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"


def _office_code(scope: Scope) -> str:
    """Branch staff add events of their own branch; administrators leave it to the city's branch."""
    return scope.office.code if scope.role == Role.BRANCH_STAFF and scope.office is not None else ""


def _save(request, scope: Scope, form: EventForm) -> Event | None:
    data = form.cleaned_data
    try:
        return event_save(
            actor=request,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            city_code=data["city_code"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            campaign_code=data["campaign_code"],
            office_code=_office_code(scope),
            target_attendance=data["target_attendance"],
            attendance=data["attendance"] or None,
            cost=data["cost"] or 0,
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return None


@roles_only(STAFF_ROLES)
def home(request, scope):
    events = events_in_scope(scope)
    editing = scope.role in EDIT_ROLES
    form, status = None, 200
    if editing:
        form = EventForm(request.POST or None, initial={"kind": Event.Kind.FUN_RUN})
        if request.method == "POST":
            existing = Event.objects.filter(code=(request.POST.get("code") or "").strip().upper()).first()
            if existing is not None:  # adding never changes another branch's event: change it on its page
                form.add_error("code", _("An event already has this code."))
            elif form.is_valid() and (event := _save(request, scope, form)) is not None:
                messages.success(request, _("Event %(code)s is saved.") % {"code": event.code})
                return redirect("events:event", code=event.code)
            status = 400
    elif request.method == "POST":
        raise Http404
    as_of = local_date()
    campaigns = [
        campaign_report(campaign, as_of=as_of, events=events, horizons=())  # the list shows no coverage
        for campaign in campaigns_with_events(events)
    ]
    alone = event_yields(events.filter(campaign__isnull=True).select_related("city", "office"), as_of=as_of)
    context = {"campaigns": campaigns, "alone": alone, "form": form}
    return render(request, "events/home.html", context, status=status)


def _row(item: EventYield) -> list:
    event = item.event
    days = event.starts_on.isoformat() + ("" if event.ends_on == event.starts_on else f"..{event.ends_on}")
    return [
        event.code, event.name, days, event.target_attendance, event.attendance, item.new, item.already,
        event.cost, item.cost_per_new, *(s.count for s in item.still_covered),
    ]  # fmt: skip


def _chart(report: CampaignReport) -> dict:
    return {
        "labels": [item.event.name for item in report.yields],
        "stacked": True,
        "series": [
            {
                "label": _("New participants"),
                "data": [item.new for item in report.yields],
                "color": "#0b5cad",
            },
            {
                "label": _("Already registered"),
                "data": [i.already for i in report.yields],
                "color": "#aab4c0",
            },
        ],
    }


@roles_only(STAFF_ROLES)
def campaign(request, scope, code: str):
    found = Campaign.objects.filter(code=code.upper()).first()
    events = events_in_scope(scope)
    if found is None or not events.filter(campaign=found).exists():
        raise Http404
    report = campaign_report(found, as_of=local_date(), events=events)
    if (fmt := export_format(request)) is not None:
        total = [
            _("Total"), "", "", report.target_attendance, report.attendance, report.new, report.already,
            report.cost, report.cost_per_new, *(s.count for s in report.still_covered()),
        ]  # fmt: skip
        return table_response(
            request,
            title=found.name,
            columns=_columns(),
            rows=[*map(_row, report.yields), total],
            fmt=fmt,
            filename=f"event-{found.code.lower()}",
            period=found.starts_on.isoformat(),
        )
    context = {"report": report, "chart": _chart(report), "formats": EXPORT_FORMATS, "horizons": HORIZONS}
    return render(request, "events/campaign.html", context)


@roles_only(STAFF_ROLES)
def event(request, scope, code: str):
    events = events_in_scope(scope).select_related("city", "office", "campaign")
    found = events.filter(code=code.upper()).first()
    if found is None:
        raise Http404
    form, status = None, 200
    if scope.role in EDIT_ROLES:
        initial = {
            "code": found.code, "name": found.name, "kind": found.kind, "city_code": found.city_id,
            "starts_on": found.starts_on, "ends_on": found.ends_on,
            "campaign_code": found.campaign.code if found.campaign else "",
            "target_attendance": found.target_attendance, "attendance": found.attendance or "",
            "cost": found.cost,
        }  # fmt: skip
        form = EventForm(request.POST or None, initial=initial)
        if request.method == "POST":
            data = request.POST.copy()
            data["code"] = found.code  # the page changes this event, whatever the form says
            form = EventForm(data, initial=initial)
            if form.is_valid() and _save(request, scope, form) is not None:
                messages.success(request, _("Event %(code)s is saved.") % {"code": found.code})
                return redirect("events:event", code=found.code)
            status = 400
    elif request.method == "POST":
        raise Http404
    (item,) = event_yields([found], as_of=local_date())
    if (fmt := export_format(request)) is not None:
        return table_response(
            request, title=found.name, columns=_columns(), rows=[_row(item)], fmt=fmt,
            filename=f"event-{found.code.lower()}", period=found.starts_on.isoformat(),
        )  # fmt: skip
    context = {"items": [item], "event": found, "form": form, "formats": EXPORT_FORMATS}
    return render(request, "events/event.html", context, status=status)
