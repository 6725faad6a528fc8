"""Back office for the office tree and the regencies/cities each branch serves."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jaring.org.models import BranchArea, Office
from jaring.org.services import branch_area_save, branch_areas_remove, office_create, office_rename
from jaring.regions.models import Region

# The kind of office each kind sits under (as ``org.services.office_create`` enforces).
PARENT_KIND = {Office.Kind.REGIONAL: Office.Kind.HEAD, Office.Kind.BRANCH: Office.Kind.REGIONAL}


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ("code", "name", "kind", "parent")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned  # code, kind and parent are read-only once created
        kind, parent = cleaned.get("kind"), cleaned.get("parent")
        if kind is None:
            return cleaned
        expected = PARENT_KIND.get(kind)
        if expected is None and parent is not None:
            self.add_error("parent", _("The head office has no parent office."))
        elif expected is not None and (parent is None or parent.kind != expected):
            self.add_error(
                "parent",
                _("This kind of office belongs under a %(kind)s.")
                % {
                    "kind": Office.Kind(expected).label,
                },
            )
        return cleaned


class BranchAreaForm(forms.ModelForm):
    class Meta:
        model = BranchArea
        fields = ("office", "regency")

    def clean_office(self):
        office = self.cleaned_data["office"]
        if office.kind != Office.Kind.BRANCH:
            raise forms.ValidationError(_("Only a branch office serves regencies/cities."))
        return office

    def clean_regency(self):
        regency = self.cleaned_data["regency"]
        if regency.level != Region.Level.REGENCY:
            raise forms.ValidationError(_("Choose a regency/city (a code like 64.71)."))
        return regency


class BranchAreaInline(admin.TabularInline):
    """The regencies/cities the branch serves, shown on its page; they are assigned on the branch area
    pages (``branch_area_save``)."""

    model = BranchArea
    fields = ("regency",)
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    form = OfficeForm
    list_display = ("code", "name", "kind", "parent", "path")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        # Moving an office (or renaming its code) would have to rewrite the path of its whole subtree,
        # which is what scopes every page and export; that is not something a form does.
        return ("code", "kind", "parent", "path") if obj is not None else ("path",)

    def get_inlines(self, request, obj):
        return [BranchAreaInline] if obj is not None and obj.kind == Office.Kind.BRANCH else []

    def save_model(self, request, obj, form, change):
        if change:
            office_rename(office=obj, actor=request, summary="admin")
            return
        created = office_create(
            code=obj.code, name=obj.name, kind=obj.kind, parent=obj.parent, actor=request, summary="admin"
        )
        obj.pk, obj.path = created.pk, created.path

    def has_delete_permission(self, request, obj=None):
        # Outlets and participants point at offices (PROTECT), and deleting would orphan the subtree paths.
        return False


@admin.register(BranchArea)
class BranchAreaAdmin(admin.ModelAdmin):
    form = BranchAreaForm
    list_display = ("regency_code", "regency_name", "office")
    list_filter = ("office",)
    search_fields = ("^regency__code", "regency__name", "office__code", "office__name")
    autocomplete_fields = ("office", "regency")
    list_select_related = ("regency", "office")

    def save_model(self, request, obj, form, change):
        branch_area_save(area=obj, actor=request, summary="admin")

    def delete_model(self, request, obj):
        branch_areas_remove(areas=BranchArea.objects.filter(pk=obj.pk), actor=request, summary="admin")

    def delete_queryset(self, request, queryset):
        branch_areas_remove(areas=queryset, actor=request, summary="admin")

    @admin.display(description=_("regency/city code"), ordering="regency_id")
    def regency_code(self, area):
        return area.regency_id

    @admin.display(description=_("regency/city"), ordering="regency__name")
    def regency_name(self, area):
        return area.regency.name
