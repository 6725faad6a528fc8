"""The outreach registry in the back office: MoUs, commitments, budget lines, documents and sites are
read here (they are written on the /outreach/ pages and by ``jaring mou``/``jaring site``, through the
services); the outreach rules (the market target per branch, the look-ahead for expiring MoUs) are
corrected here through ``outreach_rule_save`` (the Paritrana weights too: a ``paritrana`` row whose weights
do not add up to 100 % is refused); the Paritrana interview scores are read here (written on the
/outreach/paritrana/ pages and by ``jaring paritrana interview``)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from jaring.outreach.models import (
    BudgetLine,
    Commitment,
    Mou,
    MouDocument,
    OutreachRule,
    PanelInterview,
    Site,
)
from jaring.outreach.services import outreach_rule_check, outreach_rule_save


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mou)
class MouAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "party", "region", "office", "signed_on", "valid_from", "valid_to")
    list_filter = ("party",)
    search_fields = ("number", "title", "manager_name")


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("mou", "kind", "target", "done_on", "reference")
    list_filter = ("kind",)


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ("commitment", "payer", "year", "ceiling", "account")


@admin.register(MouDocument)
class MouDocumentAdmin(ReadOnlyAdmin):
    # No link to the file: documents are served by /outreach/document/ after the scope check.
    list_display = ("mou", "title", "content_type", "size", "uploaded_at")


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "village",
        "office",
        "mou",
        "outlet",
        "traders",
        "traders_counted_on",
    )
    list_filter = ("kind",)
    search_fields = ("code", "name")


class OutreachRuleForm(forms.ModelForm):
    class Meta:
        model = OutreachRule
        fields = ("kind", "code", "valid_from", "valid_to", "data", "uncertain", "source", "note")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        rule = OutreachRule(kind=cleaned.get("kind") or self.instance.kind, data=cleaned.get("data"))
        try:
            outreach_rule_check(rule)
        except ValidationError as error:
            raise ValidationError(error.message_dict) from error
        return cleaned


@admin.register(OutreachRule)
class OutreachRuleAdmin(admin.ModelAdmin):
    """The figures the outreach steering reads, as effective-dated rows: add a row from a month rather
    than editing one already in force."""

    form = OutreachRuleForm
    list_display = ("code", "kind", "valid_from", "valid_to", "data", "source")
    list_filter = ("kind",)

    def get_readonly_fields(self, request, obj=None):
        return ("kind", "code") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        outreach_rule_save(rule=obj, actor=request, summary="admin")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PanelInterview)
class PanelInterviewAdmin(ReadOnlyAdmin):
    list_display = ("region", "year", "score", "entered_at", "entered_by")
    list_filter = ("year",)
    search_fields = ("region__code", "region__name")
