"""Back office for the Kemendagri region table (about 91,600 rows: never rendered as one select)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jaring.regions.models import Region
from jaring.regions.services import region_save


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ("code", "name", "level", "parent", "population_male", "population_female", "population")

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("code") or (self.instance.code if self.instance.pk else "")
        level, parent = cleaned.get("level"), cleaned.get("parent")
        if not code or level is None:
            return cleaned
        if code.count(".") + 1 != level:
            self.add_error(
                "level",
                _("Code %(code)s is a level %(level)s code.")
                % {
                    "code": code,
                    "level": code.count(".") + 1,
                },
            )
        expected_parent = code.rpartition(".")[0] or None
        if (parent.code if parent else None) != expected_parent:
            self.add_error(
                "parent",
                _("The parent of %(code)s is %(parent)s.") % {"code": code, "parent": expected_parent or "-"},
            )
        return cleaned


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ("code", "name", "level", "parent", "population")
    list_filter = ("level",)
    # "^code" is a prefix match (index friendly: "64.71" lists a city and everything in it).
    search_fields = ("^code", "name")
    search_help_text = _("Region code prefix (64.71) or part of the name.")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)
    show_full_result_count = False
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key: changing it in a form would create a second region.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # Offices, outlets and participants point at regions (PROTECT); a region is corrected, not deleted.
        return False

    def save_model(self, request, obj, form, change):
        region_save(region=obj, actor=request, summary="admin")
