"""Back office for the rate book, payers and their bills, and (read only) the contribution ledger.

Payments, deposits, coverage runs, bills and bill lines are written only by ``contributions.services``
(append-only ledger, row locks, idempotency keys); here they can be looked at, never added, changed or
deleted. Rate rules are editable: saving one makes this process price with it at once.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jaring.contributions.models import (
    Bill,
    BillLine,
    CoverageRun,
    Deposit,
    GroupMembership,
    Payer,
    PayerGroup,
    Payment,
    RateRule,
)
from jaring.contributions.queries import ratebook_data
from jaring.contributions.services import (
    group_membership_save,
    group_memberships_remove,
    payer_group_save,
    payer_groups_remove,
    payer_save,
    payers_remove,
    rate_rule_save,
)
from jaring.contributions.services.payers import group_billed, membership_billed, payer_billed
from jaring.members.admin import ParticipantSearch
from jaring.rules.money import format_rupiah
from jaring.rules.programmes import format_programmes, parse_programmes
from jaring.rules.rates import load_ratebook


class MonthModelForm(forms.ModelForm):
    """A model form with a check that a window of months is in order."""

    def window_check(self, first_name: str, last_name: str) -> None:
        first, last = self.cleaned_data.get(first_name), self.cleaned_data.get(last_name)
        if first is not None and last is not None and last < first:
            self.add_error(last_name, _("The last month is before the first month."))


class MonthAdmin(admin.ModelAdmin):
    form = MonthModelForm


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted (the change page has no save button and refuses posts)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def rupiah(description: str, field: str):
    @admin.display(description=description, ordering=field)
    def show(self, obj):
        value = getattr(obj, field)
        return "" if value is None else format_rupiah(value)

    return show


# Rate book

_SECTION = {
    RateRule.Kind.SCHEDULE: "schedules",
    RateRule.Kind.ADJUSTMENT: "adjustments",
    RateRule.Kind.POLICY: "policies",
}


class RateRuleForm(MonthModelForm):
    class Meta:
        model = RateRule
        fields = ("kind", "code", "valid_from", "valid_to", "data", "uncertain", "source", "note")
        help_texts = {
            "data": _(
                "The entry without code and window, as in rules/data/bpu_rates.json. Write rates and factors "
                'as text ("0.5"), amounts as whole rupiah.'
            ),
        }

    def clean(self):
        cleaned = super().clean()
        self.window_check("valid_from", "valid_to")
        if self.errors:
            return cleaned
        kind = cleaned.get("kind") or self.instance.kind
        code = cleaned.get("code") or self.instance.code
        if not isinstance(cleaned.get("data"), dict):
            self.add_error("data", _("The entry is a JSON object ({...})."))
            return cleaned
        entry = {
            **cleaned["data"],
            "code": code,
            "valid_from": str(cleaned["valid_from"]),
            "valid_to": str(cleaned["valid_to"]) if cleaned.get("valid_to") else None,
        }
        # The whole book as it would be with this rule saved: a rule that cannot be read, or a schedule
        # overlapping another, is refused here rather than breaking every price afterwards.
        book = ratebook_data()
        original = self.instance.code if self.instance.pk else None
        for section in book.values():
            section[:] = [rule for rule in section if rule["code"] not in {original, code}]
        book[_SECTION[kind]].append(entry)
        try:
            load_ratebook(book)
        except (ValueError, TypeError, LookupError) as error:
            message = _("The rate book would not load with this rule: %(error)s") % {"error": error}
            raise forms.ValidationError(message) from error
        return cleaned


@admin.register(RateRule)
class RateRuleAdmin(MonthAdmin):
    form = RateRuleForm
    list_display = ("code", "kind", "valid_from", "valid_to", "uncertain", "source", "updated_at")
    list_filter = ("kind", "uncertain")
    search_fields = ("code", "source", "note")

    def get_readonly_fields(self, request, obj=None):
        # The code ties a rule to the packaged rate data (the seed adds codes it does not find), and a
        # rule does not change kind.
        return ("kind", "code", "updated_at") if obj is not None else ("updated_at",)

    def has_delete_permission(self, request, obj=None):
        # Deleting a packaged rule only brings it back at the next seed; close its window instead.
        return False

    def save_model(self, request, obj, form, change):
        rate_rule_save(rule=obj, actor=request, summary="admin")


# Payers and their bills


def _refused_or_done(request, remove) -> None:
    """Runs a removal; one the service refuses (something was billed since the page was shown) is
    refused as the page refuses it, and nothing is removed."""
    try:
        remove()
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from error


class PayerForm(forms.ModelForm):
    class Meta:
        model = Payer
        fields = ("code", "name", "kind", "programmes", "region", "outlet")

    def clean_programmes(self):
        try:
            return format_programmes(parse_programmes(self.cleaned_data["programmes"]))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    form = PayerForm
    list_display = ("code", "name", "kind", "programmes", "region", "outlet")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    autocomplete_fields = ("region", "outlet")
    list_select_related = ("region", "outlet")

    def save_model(self, request, obj, form, change):
        payer_save(payer=obj, actor=request, summary="admin")

    def has_delete_permission(self, request, obj=None):
        # A payer's bills are the record of what it was asked to pay: a billed payer stays.
        return super().has_delete_permission(request, obj) and not (obj is not None and payer_billed(obj))

    def delete_model(self, request, obj):
        _refused_or_done(request, lambda: payers_remove(payers=[obj], actor=request, summary="admin"))

    def delete_queryset(self, request, queryset):
        _refused_or_done(request, lambda: payers_remove(payers=queryset, actor=request, summary="admin"))


@admin.register(PayerGroup)
class PayerGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "payer")
    list_filter = ("payer__kind",)
    search_fields = ("code", "name", "payer__code", "payer__name")
    autocomplete_fields = ("payer",)
    list_select_related = ("payer",)

    def save_model(self, request, obj, form, change):
        payer_group_save(group=obj, actor=request, summary="admin")

    def has_delete_permission(self, request, obj=None):
        # A group whose members were billed through it stays; its memberships are ended instead.
        return super().has_delete_permission(request, obj) and not (obj is not None and group_billed(obj))

    def delete_model(self, request, obj):
        _refused_or_done(request, lambda: payer_groups_remove(groups=[obj], actor=request, summary="admin"))

    def delete_queryset(self, request, queryset):
        _refused_or_done(
            request, lambda: payer_groups_remove(groups=queryset, actor=request, summary="admin")
        )


class GroupMembershipForm(MonthModelForm):
    class Meta:
        model = GroupMembership
        fields = ("group", "participant", "first_month", "last_month")

    def clean(self):
        cleaned = super().clean()
        self.window_check("first_month", "last_month")
        return cleaned


@admin.register(GroupMembership)
class GroupMembershipAdmin(ParticipantSearch, MonthAdmin):
    form = GroupMembershipForm
    list_display = ("group", "participant", "first_month", "last_month")
    list_filter = ("group__payer__kind", "group")
    search_fields = ("participant__nik__exact",)
    autocomplete_fields = ("group",)
    raw_id_fields = ("participant",)
    list_select_related = ("group", "participant")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        group_membership_save(membership=obj, actor=request, summary="admin")

    def has_delete_permission(self, request, obj=None):
        # A member billed through the group stays: the membership is ended with its last month.
        allowed = super().has_delete_permission(request, obj)
        return allowed and not (obj is not None and membership_billed(obj))

    def delete_model(self, request, obj):
        remove = group_memberships_remove
        _refused_or_done(request, lambda: remove(memberships=[obj], actor=request, summary="admin"))

    def delete_queryset(self, request, queryset):
        remove = group_memberships_remove
        _refused_or_done(request, lambda: remove(memberships=queryset, actor=request, summary="admin"))


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    """Issued and paid by ``bill_issue`` / ``bill_pay`` (which write the ledger entries): read only."""

    list_display = ("payer", "month", "amount_display", "status", "issued_at", "paid_at")
    list_filter = ("status", "payer__kind")
    search_fields = ("payer__code", "payer__name")
    list_select_related = ("payer",)
    fields = ("payer", "month", "amount_display", "status", "issued_at", "paid_at", "lines_link")
    readonly_fields = fields

    amount_display = rupiah(_("amount"), "amount")

    @admin.display(description=_("lines"))
    def lines_link(self, bill):
        url = reverse("admin:contributions_billline_changelist") + f"?bill__id__exact={bill.pk}"
        return format_html('<a href="{}">{}</a>', url, _("%(count)s lines") % {"count": bill.lines.count()})


# The ledger (append-only)


@admin.register(BillLine)
class BillLineAdmin(ParticipantSearch, ReadOnlyAdmin):
    list_display = ("bill", "participant", "amount_display")
    list_filter = ("bill__status",)
    search_fields = ("participant__nik__exact",)
    raw_id_fields = ("bill", "participant")
    list_select_related = ("bill__payer", "participant")
    show_full_result_count = False

    amount_display = rupiah(_("amount"), "amount")


@admin.register(Payment)
class PaymentAdmin(ParticipantSearch, ReadOnlyAdmin):
    list_display = (
        "id", "paid_at", "participant", "kind", "first_month", "months", "amount_display", "channel",
        "outlet", "source", "idempotency_key",
    )  # fmt: skip
    list_filter = ("kind", "channel", "paid_at")
    search_fields = ("participant__nik__exact",)
    raw_id_fields = ("participant", "outlet", "agent", "bill", "reverses")
    list_select_related = ("participant", "outlet")
    show_full_result_count = False
    ordering = ("-paid_at", "-id")

    amount_display = rupiah(_("amount"), "amount")


@admin.register(CoverageRun)
class CoverageRunAdmin(ParticipantSearch, ReadOnlyAdmin):
    list_display = ("participant", "first_month", "last_month")
    search_fields = ("participant__nik__exact",)
    raw_id_fields = ("participant",)
    list_select_related = ("participant",)
    show_full_result_count = False


@admin.register(Deposit)
class DepositAdmin(ParticipantSearch, ReadOnlyAdmin):
    list_display = (
        "id", "collected_at", "participant", "amount_display", "balance_after_display", "outlet", "agent",
        "source",
    )  # fmt: skip
    list_filter = ("collected_at",)
    search_fields = ("participant__nik__exact",)
    raw_id_fields = ("participant", "outlet", "agent")
    list_select_related = ("participant", "outlet", "agent")
    show_full_result_count = False
    ordering = ("-collected_at", "-id")

    amount_display = rupiah(_("amount"), "amount")
    balance_after_display = rupiah(_("balance after"), "balance_after")
