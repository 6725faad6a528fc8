"""Back office for occupations, participants and refused duplicate registrations.

Lists never show a full NIK or phone number (UU 27/2022): they show ``mask_nik`` / ``mask_phone``. The
search box takes a full NIK (exact match, on the unique index) or an 11-digit participant number; it
never runs a ``LIKE`` over millions of rows. Participants are registered through
``participant_register`` (every channel's rules), never added in the back office, and never deleted;
a correction of their details is ``participant_correct``, an occupation is saved with ``occupation_save``.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jaring.common.clock import month_of
from jaring.common.privacy import mask_nik, mask_phone
from jaring.contributions.models import CoverageRun, Payment
from jaring.members.models import DuplicateAttempt, Occupation, Participant
from jaring.members.queries import identifier_parse
from jaring.members.services import CORRECTABLE, occupation_save, participant_correct
from jaring.regions.models import Region
from jaring.rules.nik import NIK_SEPARATORS
from jaring.rules.programmes import format_programmes, parse_programmes


class ParticipantSearch:
    """Search by a full NIK or a participant number, both exact and indexed.

    ``participant_path`` leads from the listed model to its participant (``"participant__"``, or ``""``
    for the participant itself); ``search_fields`` hold the exact NIK lookup (``nik__exact``, not
    ``=nik``: ``=`` is ``iexact``, an ``UPPER()`` comparison that no index serves on PostgreSQL).
    """

    participant_path = "participant__"
    search_help_text = _("Full NIK (16 digits) or participant number (11 digits).")

    def get_search_results(self, request, queryset, search_term):
        parsed = identifier_parse(search_term)
        if parsed is not None:
            return queryset.filter(**{f"{self.participant_path}{parsed[0]}": parsed[1]}), False
        if NIK_SEPARATORS.sub("", search_term or "").isdigit():
            return queryset.none(), False  # a mistyped number or NIK names nobody
        return super().get_search_results(request, queryset, search_term)


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "permanence")
    list_filter = ("permanence",)
    search_fields = ("code", "name", "name_en")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # Participants point at occupations (PROTECT); the confirmation page would list them all.
        return False

    def save_model(self, request, obj, form, change):
        occupation_save(occupation=obj, actor=request, summary="admin")


class ParticipantForm(forms.ModelForm):
    """The fields a back-office user may correct, checked by the registration rules."""

    class Meta:
        model = Participant
        fields = (
            "name",
            "phone",
            "village",
            "occupation",
            "permanence",
            "segment",
            "declared_income",
            "programmes",
        )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("The name is required."))
        return name

    def clean_phone(self):
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch == "+")
        if phone and not (8 <= len(phone.lstrip("+")) <= 15):
            raise forms.ValidationError(_("A phone number has 8 to 15 digits."))
        return phone

    def clean_village(self):
        village = self.cleaned_data["village"]
        if village.level != Region.Level.VILLAGE:
            raise forms.ValidationError(_("Choose a village (desa/kelurahan) code like 64.71.01.1001."))
        return village

    def clean_programmes(self):
        try:
            return format_programmes(parse_programmes(self.cleaned_data["programmes"]))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_declared_income(self):
        from jaring.contributions.queries import ratebook

        income = self.cleaned_data["declared_income"]
        try:
            problems = ratebook().income_problems(month_of(), income)
        except (LookupError, ValueError, TypeError) as error:
            raise forms.ValidationError(str(error)) from error
        if problems:
            raise forms.ValidationError(problems)
        return income


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CoverageRunInline(ReadOnlyInline):
    model = CoverageRun
    fields = ("first_month", "last_month")
    readonly_fields = fields
    verbose_name_plural = _("covered months (from the ledger)")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fk_name = "participant"
    fields = ("kind", "first_month", "months", "amount", "channel", "outlet", "paid_at", "idempotency_key")
    readonly_fields = fields
    ordering = ("paid_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("outlet")


@admin.register(Participant)
class ParticipantAdmin(ParticipantSearch, admin.ModelAdmin):
    form = ParticipantForm
    participant_path = ""
    list_display = (
        "number_display", "nik_masked", "name", "phone_masked", "status", "paid_through", "programmes",
        "channel", "outlet", "office", "registered_at",
    )  # fmt: skip
    list_filter = ("standing__status", "segment", "channel", "sex", "registered_at", "office")
    search_fields = ("nik__exact",)
    list_select_related = ("outlet", "office", "standing")
    show_full_result_count = False
    ordering = ("-id",)
    raw_id_fields = ("village",)
    autocomplete_fields = ("occupation",)
    readonly_fields = (
        "number_display", "nik", "birth_date", "sex", "office", "channel", "outlet", "agent", "registered_at",
        "registered_month", "status", "paid_through", "deposit_balance", "created_at",
    )  # fmt: skip
    work = ("village", "office", "occupation", "permanence", "segment", "declared_income", "programmes")
    fieldsets = (
        (None, {"fields": ("number_display", "nik", "name", "birth_date", "sex", "phone")}),
        (_("Work and cover"), {"fields": work}),
        (_("Acquisition"), {"fields": ("channel", "outlet", "agent", "registered_at", "registered_month")}),
        (
            _("Standing (kept from the ledger)"),
            {"fields": ("status", "paid_through", "deposit_balance", "created_at")},
        ),
    )
    inlines = (CoverageRunInline, PaymentInline)

    @admin.display(description=_("participant number"), ordering="id")
    def number_display(self, participant):
        return participant.number

    @admin.display(description=_("NIK"))
    def nik_masked(self, participant):
        return participant.masked_nik

    @admin.display(description=_("phone"))
    def phone_masked(self, participant):
        return mask_phone(participant.phone)

    @admin.display(description=_("status"), ordering="standing__status")
    def status(self, participant):
        return participant.standing.get_status_display()

    @admin.display(description=_("paid through"), ordering="standing__paid_through")
    def paid_through(self, participant):
        return participant.standing.paid_through

    @admin.display(description=_("deposit balance"))
    def deposit_balance(self, participant):
        return participant.standing.deposit_balance

    def has_add_permission(self, request):
        # Registration goes through ``participant_register`` so that every rule (NIK, duplicates, income
        # levels, acquisition credit) applies.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Only the corrected columns are written, under a row lock; the standing is kept by the
        # contribution services, in its own row.
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in CORRECTABLE}
        stored = participant_correct(participant=obj, changes=changes, actor=request, summary="admin")
        obj.office = stored.office


@admin.register(DuplicateAttempt)
class DuplicateAttemptAdmin(ParticipantSearch, admin.ModelAdmin):
    """A record of refused registrations, for reporting: read only."""

    participant_path = "participant__"
    list_display = ("attempted_at", "nik_masked", "participant", "channel", "outlet", "agent")
    list_filter = ("channel", "attempted_at")
    search_fields = ("nik__exact",)
    list_select_related = ("participant", "outlet", "agent")
    show_full_result_count = False
    fields = ("nik_masked", "participant", "channel", "outlet", "agent", "attempted_at")
    readonly_fields = fields

    @admin.display(description=_("NIK"))
    def nik_masked(self, attempt):
        return mask_nik(attempt.nik)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
