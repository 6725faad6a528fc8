"""Back office for partners, their outlets and their agents."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Agent, Outlet, Partner
from jaring.channels.services import agent_save, outlet_save, partner_save, partners_remove
from jaring.common.privacy import mask_phone
from jaring.regions.models import Region


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        partner_save(partner=obj, actor=request, summary="admin")

    def delete_model(self, request, obj):
        partners_remove(partners=Partner.objects.filter(pk=obj.pk), actor=request, summary="admin")

    def delete_queryset(self, request, queryset):
        partners_remove(partners=queryset, actor=request, summary="admin")


class OutletForm(forms.ModelForm):
    class Meta:
        model = Outlet
        fields = ("code", "name", "partner", "region", "parent", "office", "is_active")

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region.level < Region.Level.REGENCY:
            raise forms.ValidationError(_("An outlet is in a regency/city, a district or a village."))
        return region

    def clean(self):
        cleaned = super().clean()
        partner, parent = cleaned.get("partner"), cleaned.get("parent")
        if parent is not None:
            if self.instance.pk and parent.pk == self.instance.pk:
                self.add_error("parent", _("An outlet cannot be its own parent."))
            elif partner is not None and parent.partner_id != partner.pk:
                self.add_error("parent", _("A parent outlet must belong to the same partner."))
        return cleaned


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    form = OutletForm
    list_display = ("code", "name", "partner", "region", "office", "is_active")
    list_filter = ("is_active", "partner__kind", "partner")
    search_fields = ("code", "name")
    autocomplete_fields = ("partner", "region", "parent", "office")
    list_select_related = ("partner", "region", "office")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        outlet_save(outlet=obj, actor=request, summary="admin")

    def has_delete_permission(self, request, obj=None):
        # Participants and payments are credited to outlets (PROTECT): an outlet is closed, not deleted.
        return False


class AgentForm(forms.ModelForm):
    class Meta:
        model = Agent
        fields = (
            "code", "name", "partner", "outlet", "office", "phone", "status", "participant", "bank",
            "bank_account", "bank_account_name", "trained_on", "exam_passed_on", "certificate_number",
            "assignment_letter", "assignment_letter_on",
        )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        partner, outlet = cleaned.get("partner"), cleaned.get("outlet")
        if partner is not None and outlet is not None and outlet.partner_id != partner.pk:
            self.add_error("outlet", _("An agent's outlet must belong to the agent's partner."))
        return cleaned


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    form = AgentForm
    list_display = ("code", "name", "partner", "outlet", "phone_masked", "status")
    list_filter = ("status", "partner__kind", "partner")
    search_fields = ("code", "name")
    autocomplete_fields = ("partner", "outlet", "bank")
    raw_id_fields = ("participant",)
    list_select_related = ("partner", "outlet")
    show_full_result_count = False
    lifecycle_fields = (
        "activated_on", "deactivated_on", "deactivation_reason", "rejoin_from", "terminated_on",
        "termination_reason",
    )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        # A Perisai agent moves through the lifecycle with its services (jaring.perisai.services), which
        # check the rules and keep the history; the back office shows the state without editing it.
        if obj is not None:
            return ("status", *self.lifecycle_fields)
        return self.lifecycle_fields

    @admin.display(description=_("phone"))
    def phone_masked(self, agent):
        return mask_phone(agent.phone)

    def save_model(self, request, obj, form, change):
        agent_save(agent=obj, actor=request, summary="admin")

    def has_delete_permission(self, request, obj=None):
        # Participants and payments are credited to agents (PROTECT): an agent is made inactive instead.
        return False
