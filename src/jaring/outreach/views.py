"""The outreach pages (/outreach/): the MoUs with local governments and market managers (list, expiring
ones, one MoU with its commitments' progress, budget lines and documents) and the outreach sites with
each branch's government-run markets against its target. Staff roles read within their scope (an MoU
or site outside it answers 404, a document too); administrators, regional and branch staff write. Every
table has a CSV and XLSX export of the same rows."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.accounts.models import STAFF_ROLES, Action, Role
from jaring.accounts.scope import Scope, roles_only
from jaring.channels.models import Partner
from jaring.common.clock import local_date
from jaring.common.documents import DOCUMENT_MAX_BYTES, document_file
from jaring.common.fields import DayInput, ServiceForm
from jaring.org.models import Office
from jaring.outreach.models import Commitment, Mou, MouDocument, Site
from jaring.outreach.queries import (
    daily_collection,
    market_target,
    mou_find,
    mou_party_name,
    mou_report,
    mous_expiring,
    mous_in_scope,
    mous_kept_by,
    site_figures,
    site_find,
    sites_in_scope,
)
from jaring.outreach.services import (
    DOCUMENT_DIR,
    budget_line_add,
    commitment_add,
    document_attach,
    mou_create,
    regulation_issued,
    site_create,
    site_traders_count,
)
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response

OUTREACH_ROLES = STAFF_ROLES
WRITING_ROLES = frozenset({Role.ADMIN, Role.REGIONAL_STAFF, Role.BRANCH_STAFF})
LIST_LIMIT = 300


def _text(label, **kwargs):
    return forms.CharField(label=label, required=False, max_length=kwargs.pop("max_length", 600), **kwargs)


def _day(label):
    return forms.CharField(label=label, required=False, max_length=20, widget=DayInput())


class MouForm(ServiceForm):
    number = _text(gettext_lazy("MoU number"), max_length=80)
    title = _text(gettext_lazy("Title"))
    party = forms.ChoiceField(label=gettext_lazy("Signed with"), choices=Mou.Party.choices, required=False)
    region = _text(
        gettext_lazy("Region code"),
        max_length=20,
        help_text=gettext_lazy("Kemendagri code: 31 (a province), 64.71 (a regency/city)."),
    )
    partner = forms.ChoiceField(label=gettext_lazy("Market collector (partner)"), choices=(), required=False)
    manager_name = _text(gettext_lazy("Market manager's name"))
    party_signatory = _text(gettext_lazy("Signed for the party by"))
    office = forms.ChoiceField(label=gettext_lazy("BPJS office"), choices=(), required=False)
    office_signatory = _text(gettext_lazy("Signed for BPJS by"))
    signed_on = _day(gettext_lazy("Signed on"))
    valid_from = _day(gettext_lazy("Valid from"))
    valid_to = _day(gettext_lazy("Valid to"))
    payer_groups = _text(gettext_lazy("Payer groups (codes, comma separated)"))
    note = _text(gettext_lazy("Note"))

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [(o.code, f"{o.code} · {o.name}") for o in offices]
        collectors = Partner.objects.filter(kind=Partner.Kind.MARKET_COLLECTOR).order_by("code")
        self.fields["partner"].choices = [("", "---")] + [
            (p.code, f"{p.code} · {p.name}") for p in collectors
        ]


class CommitmentForm(ServiceForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Commitment"), choices=Commitment.Kind.choices, required=False
    )
    target = _text(gettext_lazy("Target (count)"), max_length=20)
    note = _text(gettext_lazy("Note"))


class BudgetLineForm(ServiceForm):
    commitment = forms.IntegerField(widget=forms.HiddenInput, required=False)
    payer = _text(gettext_lazy("Payer (code)"), max_length=40)
    year = _text(gettext_lazy("Budget year"), max_length=10)
    ceiling = _text(gettext_lazy("Ceiling (pagu), rupiah"), max_length=30)
    account = _text(gettext_lazy("Account code"), max_length=80)


class RegulationForm(ServiceForm):
    commitment = forms.IntegerField(widget=forms.HiddenInput, required=False)
    done_on = _day(gettext_lazy("Issued on"))
    reference = _text(gettext_lazy("Regulation number"), max_length=120)


class DocumentForm(ServiceForm):
    title = _text(gettext_lazy("Document title"))
    file = forms.FileField(label=gettext_lazy("File (PDF, JPEG or PNG)"), required=False)


class SiteForm(ServiceForm):
    code = _text(gettext_lazy("Site code"), max_length=40)
    name = _text(gettext_lazy("Name"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Site.Kind.choices, required=False)
    village = _text(
        gettext_lazy("Village code"),
        max_length=20,
        help_text=gettext_lazy("As in the Kemendagri table, e.g. 64.71.05.1002."),
    )
    mou = _text(gettext_lazy("MoU number"), max_length=80)
    outlet = _text(gettext_lazy("Collector outlet (code)"), max_length=40)
    manager_name = _text(gettext_lazy("Manager or collector"))
    traders = _text(gettext_lazy("Traders counted"), max_length=20)
    traders_counted_on = _day(gettext_lazy("Counted on"))


class TradersForm(ServiceForm):
    traders = _text(gettext_lazy("Traders counted"), max_length=20)
    traders_counted_on = _day(gettext_lazy("Counted on"))


def _writes(scope: Scope) -> bool:
    return scope.role in WRITING_ROLES


def _offices(scope: Scope) -> list[Office]:
    return list(scope.offices(Office.objects.all()).order_by("path"))


# -- MoUs ---------------------------------------------------------------------------------------------------

MOU_COLUMNS = [
    Column(gettext_lazy("Number")),
    Column(gettext_lazy("Title")),
    Column(gettext_lazy("Signed with")),
    Column(gettext_lazy("Party")),
    Column(gettext_lazy("BPJS office")),
    Column(gettext_lazy("Signed on"), "date"),
    Column(gettext_lazy("Valid from"), "date"),
    Column(gettext_lazy("Valid to"), "date"),
]


@roles_only(OUTREACH_ROLES)
def mous(request, scope):
    form = MouForm(offices=_offices(scope)) if _writes(scope) else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        form = MouForm(request.POST, offices=_offices(scope))
        if form.is_valid():
            data = form.cleaned_data
            try:
                mou = mou_create(
                    number=data["number"],
                    title=data["title"],
                    party=data["party"],
                    region_code=data["region"],
                    partner=data["partner"] or None,
                    manager_name=data["manager_name"],
                    party_signatory=data["party_signatory"],
                    office=data["office"],
                    office_signatory=data["office_signatory"],
                    signed_on=data["signed_on"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    payer_groups=[c for c in data["payer_groups"].replace(";", ",").split(",") if c.strip()],
                    note=data["note"],
                    actor=request,
                    scope=scope,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("MoU %(number)s is registered.") % {"number": mou.number})
                return redirect(f"{reverse('outreach:mou')}?number={mou.number}")
        status = 400
    rows = list(
        mous_in_scope(scope, Mou.objects.select_related("office", "region", "partner")).order_by(
            "-signed_on", "number"
        )[:LIST_LIMIT]
    )
    if (fmt := export_format(request)) is not None:
        table = [
            [
                m.number,
                m.title,
                m.get_party_display(),
                mou_party_name(m),
                m.office.code,
                m.signed_on,
                m.valid_from,
                m.valid_to,
            ]
            for m in rows
        ]
        return table_response(
            request, title=_("MoUs"), columns=MOU_COLUMNS, rows=table, fmt=fmt, filename="mous"
        )
    expiring, ahead = mous_expiring(scope=scope)
    today = local_date()
    for mou in rows:
        mou.party_name = mou_party_name(mou)
        mou.in_force = mou.valid_from <= today <= mou.valid_to
    context = {
        "form": form,
        "mous": rows,
        "expiring": expiring,
        "ahead": ahead,
        "formats": EXPORT_FORMATS,
        "limited": len(rows) == LIST_LIMIT,
    }
    return render(request, "outreach/mous.html", context, status=status)


def _mou_or_404(scope: Scope, number: str) -> Mou:
    mou = mou_find(number, mous_in_scope(scope))
    if mou is None:
        raise Http404
    return mou


COMMITMENT_COLUMNS = [
    Column(gettext_lazy("Commitment")),
    Column(gettext_lazy("Target"), "count"),
    Column(gettext_lazy("Reached"), "count"),
    Column(gettext_lazy("Note")),
]
BUDGET_COLUMNS = [
    Column(gettext_lazy("Payer")),
    Column(gettext_lazy("Budget year"), "count"),
    Column(gettext_lazy("Ceiling (pagu)"), "rupiah"),
    Column(gettext_lazy("Billed"), "rupiah"),
    Column(gettext_lazy("Paid"), "rupiah"),
    Column(gettext_lazy("Members"), "count"),
    Column(gettext_lazy("Price a month"), "rupiah"),
    Column(gettext_lazy("Forecast next year"), "rupiah"),
    Column(gettext_lazy("Arithmetic")),
]


@roles_only(OUTREACH_ROLES)
def mou_page(request, scope):
    mou = _mou_or_404(scope, request.GET.get("number", ""))
    writes = _writes(scope) and mous_kept_by(scope).filter(pk=mou.pk).exists()
    forms_ = {
        "commitment": CommitmentForm(prefix="c"),
        "budget": BudgetLineForm(prefix="b"),
        "regulation": RegulationForm(prefix="r"),
        "document": DocumentForm(prefix="d"),
    }
    status = 200
    if request.method == "POST":
        if not writes:
            raise Http404
        action = request.POST.get("action", "")
        done = _mou_act(request, mou, action, forms_)
        if done:
            return redirect(f"{reverse('outreach:mou')}?number={mou.number}")
        status = 400
    report = mou_report(mou)
    if (fmt := export_format(request)) is not None:
        if request.GET.get("table") == "budget":
            rows = [
                [
                    b.line.payer.code,
                    b.line.year,
                    b.line.ceiling,
                    b.billed,
                    b.paid,
                    b.members,
                    b.forecast.monthly_price if b.forecast else None,
                    b.forecast.total if b.forecast else None,
                    b.forecast.arithmetic() if b.forecast else b.forecast_problem,
                ]
                for b in report.budget
            ]
            return table_response(
                request,
                title=_("Budget lines of MoU %(number)s") % {"number": mou.number},
                columns=BUDGET_COLUMNS,
                rows=rows,
                fmt=fmt,
                filename="mou-budget",
            )
        rows = [
            [c.commitment.get_kind_display(), c.commitment.target, c.reached, c.commitment.note]
            for c in report.commitments
        ]
        return table_response(
            request,
            title=_("Commitments of MoU %(number)s") % {"number": mou.number},
            columns=COMMITMENT_COLUMNS,
            rows=rows,
            fmt=fmt,
            filename="mou-commitments",
        )
    context = {
        "mou": mou,
        "party_name": mou_party_name(mou),
        "report": report,
        "writes": writes,
        "documents": list(mou.documents.order_by("uploaded_at", "id")),
        "formats": EXPORT_FORMATS,
        "cover_commitments": [
            c for c in report.commitments if c.commitment.kind == Commitment.Kind.COVER_WORKERS
        ],
        "regulation_commitments": [
            c
            for c in report.commitments
            if c.commitment.kind == Commitment.Kind.REGULATION and not c.commitment.done_on
        ],
        "max_mb": DOCUMENT_MAX_BYTES // (1024 * 1024),
        **forms_,
    }
    return render(request, "outreach/mou.html", context, status=status)


def _commitment_of(mou: Mou, pk) -> Commitment:
    found = mou.commitments.filter(pk=pk).first() if pk else None
    if found is None:
        raise Http404
    return found


def _mou_act(request, mou: Mou, action: str, forms_: dict) -> bool:
    """Runs the action posted on the MoU's page; True when it was done (the form keeps the errors)."""
    if action == "commitment":
        form = forms_["commitment"] = CommitmentForm(request.POST, prefix="c")
        call = lambda d: commitment_add(  # noqa: E731
            mou=mou, kind=d["kind"], target=d["target"], note=d["note"], actor=request
        )
    elif action == "budget":
        form = forms_["budget"] = BudgetLineForm(request.POST, prefix="b")
        call = lambda d: budget_line_add(  # noqa: E731
            commitment=_commitment_of(mou, d["commitment"]),
            payer=d["payer"],
            year=d["year"],
            ceiling=d["ceiling"],
            account=d["account"],
            actor=request,
        )
    elif action == "regulation":
        form = forms_["regulation"] = RegulationForm(request.POST, prefix="r")
        call = lambda d: regulation_issued(  # noqa: E731
            commitment=_commitment_of(mou, d["commitment"]),
            done_on=d["done_on"],
            reference=d["reference"],
            actor=request,
        )
    elif action == "document":
        form = forms_["document"] = DocumentForm(request.POST, request.FILES, prefix="d")

        def call(d):
            return document_attach(mou=mou, title=d["title"], content=d["file"], actor=request)
    else:
        raise Http404
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    messages.success(request, _("Saved."))
    return True


@roles_only(OUTREACH_ROLES)
def document(request, scope):
    """A document of an MoU the user sees, served from outside the static files after that check (and
    audited as viewed); 404 for anything else."""
    try:
        pk = int(request.GET.get("id", ""))
    except ValueError:
        raise Http404 from None
    found = MouDocument.objects.filter(pk=pk, mou__in=mous_in_scope(scope).values("pk")).first()
    if found is None:
        raise Http404
    path = document_file(found.path, DOCUMENT_DIR)
    if path is None:
        raise Http404
    said = Said(
        gettext_noop("document %(title)s of MoU %(number)s opened"),
        {"title": found.title, "number": found.mou.number},
    )
    audit(request, Action.VIEW_PERSONAL_DATA, obj=found, summary=said)
    suffix = path.suffix
    response = FileResponse(
        path.open("rb"),
        content_type=found.content_type,
        as_attachment=False,
        filename=f"mou-{found.mou_id}-{found.pk}{suffix}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- sites --------------------------------------------------------------------------------------------------

SITE_COLUMNS = [
    Column(gettext_lazy("Code")),
    Column(gettext_lazy("Name")),
    Column(gettext_lazy("Kind")),
    Column(gettext_lazy("Village")),
    Column(gettext_lazy("Branch")),
    Column(gettext_lazy("MoU")),
    Column(gettext_lazy("Collector outlet")),
    Column(gettext_lazy("Traders counted"), "count"),
    Column(gettext_lazy("Counted on"), "date"),
    Column(gettext_lazy("Registered"), "count"),
    Column(gettext_lazy("Active"), "count"),
    Column(gettext_lazy("Collected, 30 days"), "rupiah"),
    Column(gettext_lazy("Deposited, 30 days"), "rupiah"),
]
TARGET_COLUMNS = [
    Column(gettext_lazy("Branch")),
    Column(gettext_lazy("Name")),
    Column(gettext_lazy("Government-run markets under MoU"), "count"),
    Column(gettext_lazy("Required"), "count"),
    Column(gettext_lazy("Met")),
    Column(gettext_lazy("Markets")),
]


@roles_only(OUTREACH_ROLES)
def sites(request, scope):
    form = SiteForm() if _writes(scope) else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        form = SiteForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                site = site_create(
                    code=d["code"],
                    name=d["name"],
                    kind=d["kind"],
                    village_code=d["village"],
                    mou=d["mou"] or None,
                    outlet=d["outlet"] or None,
                    manager_name=d["manager_name"],
                    traders=d["traders"] or None,
                    traders_counted_on=d["traders_counted_on"],
                    actor=request,
                    scope=scope,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Site %(code)s is registered.") % {"code": site.code})
                return redirect(f"{reverse('outreach:site')}?code={site.code}")
        status = 400
    shown = sites_in_scope(scope, Site.objects.select_related("office", "village", "mou", "outlet")).order_by(
        "code"
    )
    figures = site_figures(list(shown[:LIST_LIMIT]))
    branches, required = market_target(scope=scope)
    fmt = export_format(request)
    if fmt is not None and request.GET.get("table") == "target":
        rows = [
            [
                b.office.code,
                b.office.name,
                b.attainment.count,
                b.attainment.required,
                _("yes") if b.attainment.met else _("no"),
                ", ".join(b.markets),
            ]
            for b in branches
        ]
        return table_response(
            request,
            title=_("Government-run markets per branch"),
            columns=TARGET_COLUMNS,
            rows=rows,
            fmt=fmt,
            filename="market-target",
        )
    if fmt is not None:
        rows = [
            [
                f.site.code,
                f.site.name,
                f.site.get_kind_display(),
                f.site.village.name,
                f.site.office.code,
                f.site.mou.number if f.site.mou_id else "",
                f.site.outlet.code if f.site.outlet_id else "",
                f.site.traders,
                f.site.traders_counted_on,
                f.registered,
                f.active,
                f.collected_30d,
                f.deposits_30d,
            ]
            for f in figures
        ]
        return table_response(
            request,
            title=_("Outreach sites"),
            columns=SITE_COLUMNS,
            rows=rows,
            fmt=fmt,
            filename="outreach-sites",
        )
    context = {
        "form": form,
        "figures": figures,
        "branches": branches,
        "required": required,
        "formats": EXPORT_FORMATS,
        "limited": len(figures) == LIST_LIMIT,
    }
    return render(request, "outreach/sites.html", context, status=status)


@roles_only(OUTREACH_ROLES)
def site_page(request, scope):
    site = site_find(request.GET.get("code", ""), sites_in_scope(scope))
    if site is None:
        raise Http404
    form = TradersForm() if _writes(scope) else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        form = TradersForm(request.POST)
        if form.is_valid():
            try:
                site_traders_count(
                    site=site,
                    traders=form.cleaned_data["traders"],
                    counted_on=form.cleaned_data["traders_counted_on"],
                    actor=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('outreach:site')}?code={site.code}")
        status = 400
    (figures,) = site_figures([site])
    days = daily_collection(site)
    if (fmt := export_format(request)) is not None:
        columns = [
            Column(_("Day"), "date"),
            Column(_("Deposits"), "count"),
            Column(_("Deposited"), "rupiah"),
            Column(_("Contributions paid"), "rupiah"),
        ]
        return table_response(
            request,
            title=_("Daily collection at %(code)s") % {"code": site.code},
            columns=columns,
            rows=[list(row) for row in days],
            fmt=fmt,
            filename="site-collection",
        )
    mou_visible = site.mou_id and mous_in_scope(scope).filter(pk=site.mou_id).exists()
    context = {
        "site": site,
        "figures": figures,
        "days": days,
        "form": form,
        "formats": EXPORT_FORMATS,
        "mou_visible": mou_visible,
    }
    return render(request, "outreach/site.html", context, status=status)
