"""Back office for staff profiles (a role and a scope per user) and the read-only audit trail."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from jaring.accounts.models import AuditEntry, StaffProfile
from jaring.accounts.services import staff_profile_assign


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fields = ("role", "office", "outlet", "agent", "payer")
    raw_id_fields = ("office", "outlet", "agent", "payer")
    verbose_name_plural = _("role and scope")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "office", "outlet", "agent", "payer", "updated_at")
    list_filter = ("role",)
    search_fields = ("user__username",)
    list_select_related = ("user", "office", "outlet", "agent", "payer")
    fields = ("user", "role", "office", "outlet", "agent", "payer")
    raw_id_fields = ("user", "office", "outlet", "agent", "payer")

    def save_model(self, request, obj, form, change):
        _assign(obj, request)

    def has_delete_permission(self, request, obj=None):
        # A user without a role sees nothing; give the role "none" rather than deleting the profile.
        return False


def _assign(profile: StaffProfile, request) -> StaffProfile:
    """The role and scope of a profile form, given through ``staff_profile_assign`` (its checks, the
    back office for admins only, the audit entry)."""
    return staff_profile_assign(
        user=profile.user, role=profile.role, office=profile.office, outlet=profile.outlet,
        agent=profile.agent, payer=profile.payer, by=request, summary="admin",
    )  # fmt: skip


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's user admin, with the role and scope on the same page."""

    inlines = (StaffProfileInline,)
    list_display = ("username", "email", "role", "is_active", "is_superuser", "last_login")
    list_select_related = ("staff_profile",)

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffProfile:
            return super().save_formset(request, form, formset, change)
        for profile_form in formset.forms:
            if profile_form.has_changed() and profile_form.is_valid():
                profile = profile_form.instance  # the form's values, not saved yet
                profile.user = form.instance
                _assign(profile, request)
        return None

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def role(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.get_role_display() if profile else "-"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: entries are never added, changed or deleted by hand."""

    list_display = ("at", "username", "role", "action", "object_type", "object_id", "summary", "ip")
    list_filter = ("action", "role", "at")
    search_fields = ("username__exact", "object_id__exact")
    show_full_result_count = False
    fields = (
        "at", "username", "user_pk", "role", "action", "object_type", "object_id", "summary", "before",
        "after", "ip", "user_agent",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
