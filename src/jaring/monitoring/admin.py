"""Back office for targets, the potential market, contests and scenario loads (tallies are derived data,
kept out of the admin: ``jaring tallies verify|rebuild`` looks after them)."""

from django.contrib import admin

from jaring.monitoring.models import (
    Contest,
    ContestPeriod,
    ContestPrize,
    InformalShare,
    PotentialMarket,
    ScenarioLoad,
    Target,
)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "metric", "segment", "start", "end", "value")
    list_filter = ("metric", "segment")
    search_fields = ("office__code", "outlet__code", "agent__code", "note")
    raw_id_fields = ("outlet", "agent")
    date_hierarchy = "start"


@admin.register(InformalShare)
class InformalShareAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "share", "source")


@admin.register(PotentialMarket)
class PotentialMarketAdmin(admin.ModelAdmin):
    list_display = ("region", "effective_from", "workers", "source")
    search_fields = ("region__code", "region__name")
    raw_id_fields = ("region",)


class ContestPeriodInline(admin.TabularInline):
    model = ContestPeriod
    extra = 0


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "metric", "partner", "region_prefix")
    search_fields = ("code", "name")
    filter_horizontal = ("outlets",)
    inlines = [ContestPeriodInline]


class ContestPrizeInline(admin.TabularInline):
    model = ContestPrize
    extra = 0


@admin.register(ContestPeriod)
class ContestPeriodAdmin(admin.ModelAdmin):
    list_display = ("contest", "code", "start", "end")
    list_filter = ("contest",)
    inlines = [ContestPrizeInline]


@admin.register(ScenarioLoad)
class ScenarioLoadAdmin(admin.ModelAdmin):
    list_display = ("code", "scale", "loaded_at", "sha256")
    readonly_fields = ("code", "sha256", "scale", "loaded_at", "summary")

    def has_add_permission(self, request):
        return False
