from django.contrib import admin

from jaring.perisai.models import AgentEvent, AgentRule, Payout, Statement


@admin.register(AgentRule)
class AgentRuleAdmin(admin.ModelAdmin):
    """Operators correct a Perisai rule (its window, its figures) here; the rule book reads the rows."""

    list_display = ("code", "kind", "valid_from", "valid_to", "uncertain")
    list_filter = ("kind", "uncertain")


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
