"""The leads pages of the desk (/desk/employers/leads/): branch staff and administrators hand companies
over to Pos outlets and follow them; a Pos teller sees the leads handed to the outlet and records what
came of them (contacted, declined, registered as an employer of the outlet). The yield page
(/desk/employers/leads/yield/) counts what the hand-overs became, per outlet and per branch, with a CSV
and XLSX of the same rows. Every read passes through the user's scope; a lead outside it answers 404."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaring.accounts.models import Role
from jaring.accounts.scope import Scope, roles_only
from jaring.channels.models import Outlet, Partner
from jaring.common.clock import local_date
from jaring.common.fields import DayInput, ServiceForm
from jaring.employers.leads.queries import lead_find, lead_yield, leads_in_scope
from jaring.employers.leads.services import lead_contacted, lead_declined, lead_hand_over, lead_register
from jaring.employers.models import Employer, Lead
from jaring.employers.queries import employer_find
from jaring.org.models import Office
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response

# Who works leads: the branch hands them over (administrators anywhere), the Pos teller follows them up.
LEAD_ROLES = frozenset({Role.ADMIN, Role.BRANCH_STAFF, Role.OUTLET_TELLER})
# Who hands companies over (the others only follow up the leads handed to them).
HANDING_ROLES = frozenset({Role.ADMIN, Role.BRANCH_STAFF})
# Who reads the yield: those who work leads, and the regional and national staff who steer them.
YIELD_ROLES = LEAD_ROLES | {Role.REGIONAL_STAFF, Role.HEAD_OFFICE_ANALYST}
LIST_LIMIT = 200


def works_leads(scope: Scope) -> bool:
    """Whether the leads page is for this user: administrators and branch staff, and a teller of a Pos
    outlet (a bank's teller has no leads)."""
    if scope.role not in LEAD_ROLES:
        return False
    if scope.role == Role.OUTLET_TELLER:
        return scope.outlet is not None and scope.outlet.partner.kind == Partner.Kind.POS
    return True


class HandOverForm(ServiceForm):
    """A company to hand over, as typed; everything but its shape is judged by the service."""

    name = forms.CharField(label=gettext_lazy("Company name"), max_length=200, required=False)
    office = forms.ChoiceField(label=gettext_lazy("Handed over by (branch)"), choices=(), required=False)
    outlet = forms.ChoiceField(label=gettext_lazy("Handed to (Pos outlet)"), choices=(), required=False)
    nib = forms.CharField(label=gettext_lazy("NIB (13 digits, if any)"), max_length=40, required=False)
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=200, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    village_code = forms.CharField(
        label=gettext_lazy("Village code"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("As in the Kemendagri table, e.g. 64.71.05.1002."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=600, required=False)

    def __init__(self, *args, offices, outlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [(o.code, f"{o.code} · {o.name}") for o in offices]
        self.fields["outlet"].choices = [("", "---")] + [(o.code, f"{o.code} · {o.name}") for o in outlets]
        self.only_office = offices[0].code if len(offices) == 1 else ""
        self.fields["office"].initial = self.only_office

    def clean_office(self):
        # Branch staff hand over from their own branch: the one choice, chosen or not.
        return self.cleaned_data["office"] or self.only_office


def _handing_offices(scope: Scope) -> list[Office]:
    return list(scope.offices(Office.objects.filter(kind=Office.Kind.BRANCH)).order_by("code"))


def _pos_outlets(scope: Scope) -> list[Outlet]:
    outlets = Outlet.objects.filter(partner__kind=Partner.Kind.POS, is_active=True)
    return list(scope.outlets(outlets).order_by("code"))


def _status_choices():
    return [("", _("any")), *Lead.Status.choices]


@roles_only(LEAD_ROLES)
def leads(request, scope):
    if not works_leads(scope):
        raise Http404
    hands_over = scope.role in HANDING_ROLES
    form = None
    if hands_over:
        form = HandOverForm(offices=_handing_offices(scope), outlets=_pos_outlets(scope))
    status = 200
    action_errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "hand_over" and hands_over:
            form = HandOverForm(request.POST, offices=_handing_offices(scope), outlets=_pos_outlets(scope))
            if form.is_valid():
                data = form.cleaned_data
                try:
                    answer = lead_hand_over(
                        name=data["name"],
                        office=data["office"],
                        outlet=data["outlet"],
                        nib=data["nib"],
                        village_code=data["village_code"],
                        phone=data["phone"],
                        contact_name=data["contact_name"],
                        note=data["note"],
                        actor=request,
                    )
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    lead = answer.lead
                    text = (
                        _("%(name)s is handed over to %(outlet)s: lead %(number)s.")
                        if answer.created
                        else _("%(name)s was handed over to %(outlet)s before: lead %(number)s.")
                    )
                    messages.success(
                        request, text % {"name": lead.name, "outlet": lead.outlet.code, "number": lead.number}
                    )
                    return redirect("employers:leads")
        elif action in ("contacted", "declined", "register"):
            lead = lead_find(request.POST.get("lead", ""), leads_in_scope(scope, Lead.objects.all()))
            if lead is None:
                raise Http404
            try:
                done = _act(request, action, lead)
            except ValidationError as error:
                action_errors = [f"{lead.number}: {message}" for message in error.messages]
            else:
                messages.success(
                    request,
                    _("Lead %(number)s (%(name)s) is now %(status)s.")
                    % {"number": done.number, "name": done.name, "status": done.get_status_display()},
                )
                return redirect("employers:leads")
        else:
            raise Http404
        status = 400
    chosen = request.GET.get("status", "")
    shown = leads_in_scope(scope, Lead.objects.select_related("office", "outlet", "employer"))
    if chosen in Lead.Status.values:
        shown = shown.filter(status=chosen)
    rows = list(shown.order_by("-handed_at", "-id")[:LIST_LIMIT])
    for lead in rows:
        lead.shown_phone = scope.show_phone(lead.phone) if lead.phone else ""
        lead.moves = _moves(lead)
    context = {
        "form": form,
        "leads": rows,
        "limited": len(rows) == LIST_LIMIT,
        "statuses": _status_choices(),
        "chosen": chosen,
        "action_errors": action_errors,
        "employers": _linkable_employers(scope),
        "outlet": scope.outlet,
    }
    return render(request, "employers/leads.html", context, status=status)


def _act(request, action: str, lead: Lead) -> Lead:
    if action == "contacted":
        return lead_contacted(lead=lead, note=request.POST.get("note", ""), actor=request)
    if action == "declined":
        return lead_declined(lead=lead, reason=request.POST.get("reason", ""), actor=request)
    employer = employer_find(request.POST.get("employer", ""))
    if employer is None:
        raise ValidationError(
            {"employer": [ValidationError(_("No employer has that number, NIB or NPWP."), code="unknown")]}
        )
    return lead_register(lead=lead, employer=employer, actor=request)


def _moves(lead: Lead) -> set[str]:
    """What the page offers to do with the lead."""
    if lead.status == Lead.Status.HANDED_OVER:
        return {"contacted", "declined", "register"}
    if lead.status == Lead.Status.CONTACTED:
        return {"declined", "register"}
    if lead.status == Lead.Status.DECLINED:
        return {"contacted"}
    return set()


def _linkable_employers(scope: Scope) -> list[Employer]:
    """Employers registered by the user's Pos outlets and not yet linked to a lead: what a lead may
    become (offered as suggestions; any number may be typed)."""
    outlets = scope.outlets(Outlet.objects.filter(partner__kind=Partner.Kind.POS))
    employers = Employer.objects.filter(outlet__in=outlets.values("pk"), leads__isnull=True)
    return list(employers.order_by("-registered_at", "-id")[:50])


# -- the yield --------------------------------------------------------------------------------------------

YIELD_COLUMNS = [
    Column(gettext_lazy("Level")),
    Column(gettext_lazy("Code")),
    Column(gettext_lazy("Name")),
    Column(gettext_lazy("Handed over"), "count"),
    Column(gettext_lazy("Contacted"), "count"),
    Column(gettext_lazy("Registered"), "count"),
    Column(gettext_lazy("Declined"), "count"),
    Column(gettext_lazy("Open"), "count"),
    Column(gettext_lazy("Conversion"), "percent"),
    Column(gettext_lazy("Workers enrolled"), "count"),
    Column(gettext_lazy("Contributions paid"), "rupiah"),
]


class YieldForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DayInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DayInput())


def _period(request) -> tuple[YieldForm, date, date]:
    today = local_date()
    form = YieldForm(request.GET or None)
    start, end = today.replace(month=1, day=1), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    if start > end:
        start = end
    return form, start, end


@roles_only(YIELD_ROLES)
def lead_yield_page(request, scope):
    if scope.role == Role.OUTLET_TELLER and not works_leads(scope):
        raise Http404
    form, start, end = _period(request)
    report = lead_yield(start=start, end=end, scope=scope)
    if (fmt := export_format(request)) is not None:
        level = {"outlet": _("outlet"), "branch": _("branch"), "total": _("total")}
        rows = [
            [level[kind], row.code, row.name, row.handed, row.contacted, row.registered, row.declined,
             row.open, row.conversion, row.workers, row.paid]
            for kind, rows_of in (("outlet", report.outlets), ("branch", report.branches))
            for row in rows_of
        ]  # fmt: skip
        total = report.total
        rows.append(
            [level["total"], "", "", total.handed, total.contacted, total.registered, total.declined,
             total.open, total.conversion, total.workers, total.paid]
        )  # fmt: skip
        return table_response(
            request,
            title=_("Yield of leads handed to Pos"),
            columns=YIELD_COLUMNS,
            rows=rows,
            fmt=fmt,
            filename="lead-yield",
            period=f"{start.isoformat()}_{end.isoformat()}",
        )
    context = {"form": form, "report": report, "start": start, "end": end, "formats": EXPORT_FORMATS}
    return render(request, "employers/lead_yield.html", context)
