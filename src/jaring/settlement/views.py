"""The Settlement page (/settlement/): finance staff see each channel's settlement files and the open
differences per channel and business date, resolve a difference with a reason, and take both tables
away. To every other role the page does not exist (404)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jaring.accounts.models import Role
from jaring.accounts.scope import roles_only
from jaring.common.clock import local_date, month_of
from jaring.common.privacy import mask_nik
from jaring.contributions.remittances import Period, collector_balances
from jaring.imports.readers import template_csv
from jaring.settlement.models import Difference, PaymentChannel, SettlementFile
from jaring.settlement.queries import NIK_LENGTH, differences_of
from jaring.settlement.services import difference_resolve
from jaring.web.tables import Column, export_format, table_response

SETTLEMENT_ROLES = frozenset({Role.ADMIN, Role.FINANCE})
RECENT_FILES = 60
SHOWN_DIFFERENCES = 500


# Signed-out visitors sign in; signed-in users whose role does not settle get 404.
finance_only = roles_only(SETTLEMENT_ROLES)


class FilterForm(forms.Form):
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Channel"),
        queryset=PaymentChannel.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All channels"),
    )
    day = forms.DateField(
        label=gettext_lazy("Business date"), required=False, widget=forms.DateInput({"type": "date"})
    )
    resolved = forms.BooleanField(label=gettext_lazy("Resolved ones too"), required=False)


class ResolveForm(forms.Form):
    difference = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(label=gettext_lazy("How it was resolved"), max_length=300)


def _shown_code(code: str) -> str:
    """A line's customer number: a NIK (16 digits) masked, a payment code as it is."""
    return mask_nik(code) if len(code) == NIK_LENGTH else code


FILE_COLUMNS = (
    Column(gettext_lazy("Channel")),
    Column(gettext_lazy("Business date"), "date"),
    Column(gettext_lazy("File")),
    Column(gettext_lazy("Lines"), "count"),
    Column(gettext_lazy("Matched"), "count"),
    Column(gettext_lazy("Recorded now"), "count"),
    Column(gettext_lazy("Queued"), "count"),
    Column(gettext_lazy("Not in the file"), "count"),
    Column(gettext_lazy("Amount differs"), "count"),
    Column(gettext_lazy("Refused"), "count"),
    Column(gettext_lazy("Total"), "rupiah"),
    Column(gettext_lazy("Fees"), "rupiah"),
    Column(gettext_lazy("Transfer expected"), "rupiah"),
    Column(gettext_lazy("Transferred"), "rupiah"),
)
DIFFERENCE_COLUMNS = (
    Column(gettext_lazy("Channel")),
    Column(gettext_lazy("Business date"), "date"),
    Column(gettext_lazy("Difference")),
    Column(gettext_lazy("Line"), "count"),
    Column(gettext_lazy("Reference")),
    Column(gettext_lazy("Payment code")),
    Column(gettext_lazy("In the file"), "rupiah"),
    Column(gettext_lazy("In jaring"), "rupiah"),
    Column(gettext_lazy("Reason")),
    Column(gettext_lazy("Resolution")),
)
COLLECTOR_COLUMNS = (
    Column(gettext_lazy("Collector")),
    Column(gettext_lazy("Owed at the start"), "rupiah"),
    Column(gettext_lazy("Collected"), "rupiah"),
    Column(gettext_lazy("Remitted"), "rupiah"),
    Column(gettext_lazy("Still owed"), "rupiah"),
)


@require_GET
@finance_only
def settlement_home(request, scope):
    form = FilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    channel, day = chosen.get("channel"), chosen.get("day")
    files = SettlementFile.objects.select_related("channel").filter(superseded_by__isnull=True)
    if channel is not None:
        files = files.filter(channel=channel)
    if day is not None:
        files = files.filter(business_date=day)
    file_rows = [
        (
            f.channel.code,
            f.business_date,
            f.name,
            f.lines,
            *(f.counts.get(bucket, 0) for bucket in ("matched", "recorded", "queued", "missing_from_file")),
            f.counts.get("amount_differs", 0),
            f.counts.get("rejected", 0),
            f.total,
            f.fees,
            f.funds_expected,
            f.funds,
        )
        for f in files[:RECENT_FILES]
    ]
    differences = differences_of(channel=channel, day=day, open_only=not chosen.get("resolved"))
    shown = list(differences[:SHOWN_DIFFERENCES])
    difference_rows = [
        (
            d.channel.code,
            d.business_date,
            d.get_kind_display(),
            d.line,
            d.reference,
            _shown_code(d.payment_code),
            d.file_amount,
            d.recorded_amount,
            d.reason,
            d.resolution,
        )
        for d in shown
    ]
    month = month_of()
    collector_rows = [
        (f"{b.outlet.code} {b.outlet.name}", b.owed_before, b.collected, b.remitted, b.owed)
        for b in collector_balances(Period.of_month(month))
    ]
    if (fmt := export_format(request)) is not None:
        if request.GET.get("table") == "collectors":
            return table_response(
                request, title=_("Market collectors' remittances"), columns=COLLECTOR_COLUMNS,
                rows=collector_rows, fmt=fmt, filename="collector-remittances", period=str(month),
            )  # fmt: skip
        if request.GET.get("table") == "files":
            return table_response(
                request, title=_("Settlement files"), columns=FILE_COLUMNS, rows=file_rows, fmt=fmt,
                filename="settlement-files",
            )  # fmt: skip
        return table_response(
            request, title=_("Settlement differences"), columns=DIFFERENCE_COLUMNS, rows=difference_rows,
            fmt=fmt, filename="settlement-differences",
        )  # fmt: skip
    open_by_day = (
        Difference.objects.filter(
            resolved_at__isnull=True, business_date__gte=local_date() - timedelta(days=30)
        )
        .values("channel__code", "business_date")
        .annotate(count=Count("pk"), money=Count("pk", filter=Q(kind=Difference.Kind.FUNDS)))
        .order_by("-business_date", "channel__code")
    )
    return render(
        request,
        "settlement/home.html",
        {
            "form": form,
            "file_columns": FILE_COLUMNS,
            "files": file_rows,
            "differences": list(zip(shown, difference_rows, strict=True)),
            "more": differences.count() > SHOWN_DIFFERENCES,
            "open_by_day": list(open_by_day),
            "collector_columns": COLLECTOR_COLUMNS,
            "collectors": collector_rows,
            "month": month,
            "query": request.GET.urlencode(),
        },
    )


@require_POST
@finance_only
def difference_resolve_view(request, scope):
    form = ResolveForm(request.POST)
    back = request.POST.get("next", "")
    target = reverse("settlement:home") + (f"?{back}" if back else "")
    if not form.is_valid():
        messages.error(request, _("Say how the difference was resolved."))
        return redirect(target)
    difference = get_object_or_404(
        Difference.objects.select_related("channel"), pk=form.cleaned_data["difference"]
    )
    try:
        difference_resolve(difference=difference, resolution=form.cleaned_data["resolution"], actor=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Difference resolved."))
    return redirect(target)


@require_GET
@finance_only
def settlement_template(request, scope):
    response = HttpResponse(template_csv("settlement"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="settlement-template.csv"'
    return response
