from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jaring.perisai.models import AgentEvent, AgentRule, Payout, Statement
from jaring.perisai.services import agent_rule_check, agent_rule_save


class AgentRuleForm(forms.ModelForm):
    class Meta:
        model = AgentRule
        fields = ("kind", "code", "valid_from", "valid_to", "data", "uncertain", "source", "note")
        help_texts = {
            "data": _(
                "The entry without code and window, as in rules/data/perisai.json (commission, lifecycle) "
                "or perisai/quality_thresholds.json (quality thresholds). To change thresholds from a month, "
                "add a row starting that month rather than editing one already in force."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        rule = AgentRule(
            pk=self.instance.pk,
            kind=cleaned.get("kind") or self.instance.kind,
            code=cleaned.get("code") or self.instance.code,
            valid_from=cleaned.get("valid_from"),
            valid_to=cleaned.get("valid_to"),
            data=cleaned.get("data"),
        )
        try:
            agent_rule_check(rule)
        except ValidationError as error:
            raise ValidationError(error.message_dict) from error  # the fields are those of the form
        return cleaned


@admin.register(AgentRule)
class AgentRuleAdmin(admin.ModelAdmin):
    """Operators correct a Perisai rule (its window, its figures) or add quality thresholds in force from a
    month here; the rule book and the quality pages read the rows."""

    form = AgentRuleForm
    list_display = ("code", "kind", "valid_from", "valid_to", "uncertain", "source")
    list_filter = ("kind", "uncertain")
    search_fields = ("code", "source", "note")

    def get_readonly_fields(self, request, obj=None):
        # A rule does not change kind; its code ties it to the packaged data (the seed adds missing codes).
        return ("kind", "code") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        agent_rule_save(rule=obj, actor=request, summary="admin")

    def has_delete_permission(self, request, obj=None):
        # A packaged rule would come back at the next seed, and statements already computed were made
        # with the rules in force: a rule is closed (its window) or corrected, not deleted.
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgentEvent)
class AgentEventAdmin(ReadOnly):
    list_display = ("agent", "kind", "on", "reason", "by")
    list_filter = ("kind",)
    search_fields = ("agent__code",)


@admin.register(Statement)
class StatementAdmin(ReadOnly):
    list_display = ("agent", "month", "state", "collected", "commission", "bonus", "total", "payable")
    list_filter = ("state",)
    search_fields = ("agent__code",)


@admin.register(Payout)
class PayoutAdmin(ReadOnly):
    list_display = ("month", "created_at", "created_by", "statements", "amount")
