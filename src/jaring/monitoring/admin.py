"""Back office for targets, the potential market, contests and scenario loads (tallies are derived data,
kept out of the admin: ``jaring tallies verify|rebuild`` looks after them). Targets, the potential market
and the informal share are saved through ``monitoring.services``; contests are declared with ``jaring
contest define`` and only shown here."""

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
from jaring.monitoring.services import informal_share_set, potential_set, target_delete, target_set


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "metric", "segment", "start", "end", "value")
    list_filter = ("metric", "segment")
    search_fields = ("office__code", "outlet__code", "agent__code", "note")
    raw_id_fields = ("outlet", "agent")
    date_hierarchy = "start"

    def get_readonly_fields(self, request, obj=None):
        # A target is known by its owner, metric, segment and period: only its value and note change.
        return ("office", "outlet", "agent", "metric", "segment", "start", "end") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        saved = target_set(
            metric=obj.metric, start=obj.start, end=obj.end, value=obj.value, office=obj.office,
            outlet=obj.outlet, agent=obj.agent, segment=obj.segment, note=obj.note, actor=request,
            summary="admin",
        )  # fmt: skip
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        target_delete(target=obj, actor=request, summary="admin")

    def delete_queryset(self, request, queryset):
        for target in queryset:
            target_delete(target=target, actor=request, summary="admin")


@admin.register(InformalShare)
class InformalShareAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "share", "source")

    def get_readonly_fields(self, request, obj=None):
        return ("effective_from",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        saved = informal_share_set(
            share=obj.share,
            effective_from=obj.effective_from,
            source=obj.source,
            actor=request,
            summary="admin",
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        # A share in force is replaced by one from a later day, not deleted.
        return False


@admin.register(PotentialMarket)
class PotentialMarketAdmin(admin.ModelAdmin):
    list_display = ("region", "effective_from", "workers", "source")
    search_fields = ("region__code", "region__name")
    raw_id_fields = ("region",)

    def get_readonly_fields(self, request, obj=None):
        return ("region", "effective_from") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        (saved,) = potential_set(
            region=obj.region, workers=obj.workers, effective_from=obj.effective_from, source=obj.source,
            actor=request, summary="admin",
        )  # fmt: skip
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        # A figure is corrected with a new value (or one from a later day), not deleted.
        return False


class ContestPeriodInline(ReadOnlyInline):
    model = ContestPeriod
    fields = ("code", "start", "end")
    readonly_fields = fields


@admin.register(Contest)
class ContestAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "metric", "partner", "region_prefix")
    search_fields = ("code", "name")
    filter_horizontal = ("outlets",)
    inlines = [ContestPeriodInline]


class ContestPrizeInline(ReadOnlyInline):
    model = ContestPrize
    fields = ("rank", "amount")
    readonly_fields = fields


@admin.register(ContestPeriod)
class ContestPeriodAdmin(ReadOnlyAdmin):
    list_display = ("contest", "code", "start", "end")
    list_filter = ("contest",)
    inlines = [ContestPrizeInline]


@admin.register(ScenarioLoad)
class ScenarioLoadAdmin(ReadOnlyAdmin):
    list_display = ("code", "scale", "loaded_at", "sha256")
    readonly_fields = ("code", "sha256", "scale", "loaded_at", "summary")
