"""The Paritrana pages (/outreach/paritrana/): the ranking of the provinces (nationally) or of one
province's regencies/cities, a region's score with its arithmetic and the sources of its figures, and the
weights in force. Staff roles read within their scope (a region outside it answers 404); administrators,
regional and branch staff enter the panel's interview scores of their regions; administrators set the
weights. Every table has a CSV and XLSX export of the same rows."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaring.accounts.models import Role
from jaring.accounts.scope import roles_only
from jaring.common.clock import local_date
from jaring.outreach import paritrana
from jaring.outreach.models import OutreachRule
from jaring.outreach.paritrana_queries import (
    paritrana_ranking,
    paritrana_score,
    region_find,
    regions_in_scope,
    score_month,
    weights_in_force,
)
from jaring.outreach.paritrana_services import FIRST_YEAR, interview_set, paritrana_weights_set
from jaring.outreach.views import OUTREACH_ROLES, WRITING_ROLES, ServiceForm
from jaring.regions.models import Region
from jaring.rules.months import Month
from jaring.web.tables import EXPORT_FORMATS, Column, export_format, table_response

CRITERION_LABELS = {
    "regulation": gettext_lazy("Regional regulation issued"),
    "budget": gettext_lazy("Budget for contributions"),
    "wage_earners": gettext_lazy("Wage earners covered, % of the wage-earning workforce"),
    "informal": gettext_lazy("Informal workers covered, % of the informal workforce"),
    "employers": gettext_lazy("Employers registered per 1,000 wage earners"),
    "growth": gettext_lazy("Growth of active participants over a year, %"),
    "interview": gettext_lazy("Panel interview score"),
}
GROUP_LABELS = {
    paritrana.POLICY: gettext_lazy("Policy"),
    paritrana.IMPLEMENTATION: gettext_lazy("Implementation"),
    paritrana.PERFORMANCE: gettext_lazy("Performance"),
    paritrana.INTERVIEW: gettext_lazy("Interview"),
}
RANKING_COLUMNS = [
    Column(gettext_lazy("Rank"), "count"),
    Column(gettext_lazy("Code")),
    Column(gettext_lazy("Region")),
    Column(gettext_lazy("Policy")),
    Column(gettext_lazy("Implementation")),
    Column(gettext_lazy("Performance")),
    Column(gettext_lazy("Interview")),
    Column(gettext_lazy("Score")),
]
BREAKDOWN_COLUMNS = [
    Column(gettext_lazy("Criterion")),
    Column(gettext_lazy("Group")),
    Column(gettext_lazy("Value")),
    Column(gettext_lazy("Full marks")),
    Column(gettext_lazy("Marks, 0 to 100")),
    Column(gettext_lazy("Weight, %")),
    Column(gettext_lazy("Contribution")),
]


class InterviewForm(ServiceForm):
    score = forms.CharField(label=gettext_lazy("Interview score, 0 to 100"), required=False, max_length=20)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=600)


class WeightsForm(ServiceForm):
    valid_from = forms.CharField(label=gettext_lazy("In force from (YYYY-MM)"), required=False, max_length=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in paritrana.CRITERIA:
            self.fields[name] = forms.CharField(
                label=CRITERION_LABELS[name], required=False, max_length=20, help_text="%"
            )
        self.fields["source"] = forms.CharField(label=gettext_lazy("Source"), required=False, max_length=200)
        self.fields["note"] = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=600)


def _year(request) -> int:
    today = local_date()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError as error:
        raise Http404 from error
    if not FIRST_YEAR <= year <= today.year:
        raise Http404
    return year


def _rows(lines):
    return [
        {
            "line": line,
            "label": CRITERION_LABELS[line.criterion],
            "group": GROUP_LABELS[line.group],
        }
        for line in lines
    ]


def _groups(score) -> list:
    groups = score.score.by_group()
    return [groups.get(name) for name in GROUP_LABELS]


@roles_only(OUTREACH_ROLES)
def ranking(request, scope):
    year = _year(request)
    province = None
    if code := request.GET.get("province", "").strip():
        province = region_find(code, regions_in_scope(scope).filter(level=Region.Level.PROVINCE))
        if province is None:
            raise Http404
    level = (
        Region.Level.REGENCY if province or request.GET.get("level") == "regency" else Region.Level.PROVINCE
    )
    result = paritrana_ranking(year, level=level, province=province.code if province else "", scope=scope)
    scores = result.scores if result else ()
    if (fmt := export_format(request)) is not None:
        rows = [[s.rank, s.region.code, s.region.name, *_groups(s), s.total] for s in scores]
        where = province.name if province else _("Indonesia")
        return table_response(
            request,
            title=_("Paritrana %(year)s: %(where)s") % {"year": year, "where": where},
            columns=RANKING_COLUMNS,
            rows=rows,
            fmt=fmt,
            filename=f"paritrana-{year}",
        )
    provinces = regions_in_scope(scope).filter(level=Region.Level.PROVINCE).order_by("code")
    context = {
        "year": year,
        "years": list(range(local_date().year, FIRST_YEAR - 1, -1)),
        "province": province,
        "provinces": provinces,
        "level": level,
        "ranking": result,
        "scores": [{"score": s, "groups": _groups(s)} for s in scores],
        "formats": EXPORT_FORMATS,
        "group_labels": list(GROUP_LABELS.values()),
    }
    return render(request, "outreach/paritrana.html", context)


@roles_only(OUTREACH_ROLES)
def region_page(request, scope):
    region = region_find(request.GET.get("code", ""), regions_in_scope(scope))
    if region is None:
        raise Http404
    year = _year(request)
    writes = scope.role in WRITING_ROLES
    form = InterviewForm() if writes else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        form = InterviewForm(request.POST)
        if form.is_valid():
            try:
                interview_set(
                    region_code=region.code,
                    year=year,
                    score=form.cleaned_data["score"],
                    note=form.cleaned_data["note"],
                    actor=request,
                    scope=scope,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('outreach:paritrana_region')}?code={region.code}&year={year}")
        status = 400
    result = paritrana_score(region, year)  # None when no weights are in force: the page says so
    if (fmt := export_format(request)) is not None:
        if result is None:
            raise Http404
        rows = [
            [
                str(CRITERION_LABELS[line.criterion]),
                str(GROUP_LABELS[line.group]),
                "" if line.value is None else str(line.value),
                str(line.full),
                str(line.marks),
                str(line.weight),
                str(line.contribution),
            ]
            for line in result.score.lines
        ]
        rows.append([_("Score"), "", "", "", "", "100", str(result.total)])
        return table_response(
            request,
            title=_("Paritrana %(year)s: %(where)s") % {"year": year, "where": region.name},
            columns=BREAKDOWN_COLUMNS,
            rows=rows,
            fmt=fmt,
            filename=f"paritrana-{year}-{region.code}",
        )
    province = None
    if region.level == Region.Level.REGENCY:
        province = regions_in_scope(scope).filter(code=region.parent_id).first()
    context = {
        "region": region,
        "province": province,
        "year": year,
        "years": list(range(local_date().year, FIRST_YEAR - 1, -1)),
        "result": result,
        "rows": _rows(result.score.lines) if result else [],
        "form": form,
        "formats": EXPORT_FORMATS,
    }
    return render(request, "outreach/paritrana_region.html", context, status=status)


@roles_only(OUTREACH_ROLES)
def weights(request, scope):
    month = Month.from_date(local_date())
    current = weights_in_force(month)
    form = None
    if scope.role == Role.ADMIN:
        initial = {"valid_from": str(month + 1)}
        if current:
            initial |= {name: str(value.normalize()) for name, value in current.weights.items()}
        form = WeightsForm(initial=initial)
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        form = WeightsForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                rule = paritrana_weights_set(
                    weights={name: d[name] for name in paritrana.CRITERIA},
                    valid_from=d["valid_from"],
                    source=d["source"],
                    note=d["note"],
                    actor=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, _("The weights are in force from %(month)s.") % {"month": rule.valid_from}
                )
                return redirect(reverse("outreach:paritrana_weights"))
        status = 400
    history = [
        weights_in_force(rule.valid_from)
        for rule in OutreachRule.objects.filter(kind=OutreachRule.Kind.PARITRANA).order_by("-valid_from")
    ]
    rows = [
        {
            "name": name,
            "label": CRITERION_LABELS[name],
            "group": GROUP_LABELS[group],
            "weight": current.weights[name] if current else None,
            "full": current.full[name] if current else None,
        }
        for name, group in paritrana.CRITERIA.items()
    ]
    context = {
        "in_force": current,
        "rows": rows,
        "history": [w for w in history if w is not None],
        "form": form,
        "month": month,
        "score_month": score_month(local_date().year),
    }
    return render(request, "outreach/paritrana_weights.html", context, status=status)
