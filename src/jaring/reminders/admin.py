"""The back office of the reminders: the rules and the holiday corrections (written through the services),
and the outbox, read only."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from jaring.reminders.models import HolidayCorrection, Reminder, ReminderRule
from jaring.reminders.services import holiday_correction_clear, holiday_correction_set, reminder_rule_save


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "valid_from", "valid_to", "uncertain", "source", "updated_at")
    list_filter = ("kind", "uncertain")
    search_fields = ("code", "source", "note")

    def get_readonly_fields(self, request, obj=None):
        # The code ties a rule to the packaged data (the seed adds codes it does not find).
        return ("kind", "code", "updated_at") if obj is not None else ("updated_at",)

    def has_delete_permission(self, request, obj=None):
        return False  # close its window instead: a deleted packaged rule comes back at the next seed

    def save_model(self, request, obj, form, change):
        try:
            reminder_rule_save(rule=obj, actor=request, summary="admin")
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error


@admin.register(HolidayCorrection)
class HolidayCorrectionAdmin(admin.ModelAdmin):
    list_display = ("day", "change", "name", "source", "updated_at")
    list_filter = ("change",)
    search_fields = ("name", "source")
    date_hierarchy = "day"

    def save_model(self, request, obj, form, change):
        holiday_correction_set(
            day=obj.day, name=obj.name, change=obj.change, source=obj.source, actor=request
        )

    def delete_model(self, request, obj):
        holiday_correction_clear(day=obj.day, actor=request)

    def delete_queryset(self, request, queryset):
        for correction in queryset:
            holiday_correction_clear(day=correction.day, actor=request)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The outbox as it is: written by the plan, the send and the delivery reports only."""

    list_display = (
        "id",
        "participant_id",
        "kind",
        "month",
        "channel",
        "status",
        "amount",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "kind", "channel")
    exclude = ("participant",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
