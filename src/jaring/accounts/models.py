"""Staff roles and scopes, and the append-only audit trail.

A staff user has one ``StaffProfile``: a role and the part of the network the role works on (an office
subtree, an outlet, an agent or a payer). ``jaring.accounts.scope`` turns it into the filters every page,
export and report applies. ``AuditEntry`` records who signed in, who changed what, and who viewed or
exported personal data (docs/security.md).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jaring.channels.models import Agent, Outlet
from jaring.contributions.models import Payer
from jaring.org.models import Office


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    HEAD_OFFICE_ANALYST = "head_office_analyst", _("head-office analyst")
    REGIONAL_STAFF = "regional_staff", _("regional office staff")
    BRANCH_STAFF = "branch_staff", _("branch office staff")
    OUTLET_TELLER = "outlet_teller", _("outlet teller")
    AGENT = "agent", _("field agent")
    PAYER = "payer", _("payer")
    AUDITOR = "auditor", _("auditor")
    FINANCE = "finance", _("finance staff")


# Roles that see the whole country; their profile's office, if any, is the head office.
NATIONAL_ROLES = frozenset({Role.ADMIN, Role.HEAD_OFFICE_ANALYST, Role.AUDITOR, Role.FINANCE})
OFFICE_ROLES = frozenset({Role.REGIONAL_STAFF, Role.BRANCH_STAFF})
# Roles that follow the drive from an office (dashboards, the agents of their offices).
STAFF_ROLES = NATIONAL_ROLES | OFFICE_ROLES
# Roles that read the audit trail.
AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})
# The kind of office each office-scoped role is bound to.
OFFICE_KIND = {Role.REGIONAL_STAFF: Office.Kind.REGIONAL, Role.BRANCH_STAFF: Office.Kind.BRANCH}


def _only(*names: str) -> Q:
    """Exactly the scope columns ``names`` are set; the other scope columns are empty."""
    condition = Q()
    for column in ("office", "outlet", "agent", "payer"):
        condition &= Q(**{f"{column}__isnull": column not in names})
    return condition


class StaffProfile(models.Model):
    """The role of a staff user and the scope it works on.

    The database holds the shape (which scope column a role needs, and that no other is set);
    ``clean`` adds what a check constraint cannot see: the kind of office a role is bound to.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("office"),
        help_text=_("Regional or branch staff: their office and every office below it."),
    )
    outlet = models.ForeignKey(
        Outlet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("outlet"),
        help_text=_("Outlet tellers: their outlet and its child outlets."),
    )
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent")
    )
    payer = models.ForeignKey(
        Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("payer")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(OFFICE_ROLES)) & _only("office")
                    | Q(role=Role.OUTLET_TELLER) & _only("outlet")
                    | Q(role=Role.AGENT) & _only("agent")
                    | Q(role=Role.PAYER) & _only("payer")
                    | Q(
                        role__in=sorted(NATIONAL_ROLES),
                        outlet__isnull=True,
                        agent__isnull=True,
                        payer__isnull=True,
                    )
                ),
                name="staff_profile_scope_fits_role",
                violation_error_message=_("The scope does not fit the role."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def clean(self):
        """Per field: the scope a role needs, and nothing else."""
        errors: dict[str, str] = {}
        needed = {Role.OUTLET_TELLER: "outlet", Role.AGENT: "agent", Role.PAYER: "payer"}.get(self.role)
        if self.role in OFFICE_ROLES:
            needed = "office"
        for column in ("office", "outlet", "agent", "payer"):
            set_ = getattr(self, f"{column}_id") is not None
            if column == needed and not set_:
                errors[column] = _("Required for the role %(role)s.") % {"role": self.get_role_display()}
            elif column != needed and set_ and not (column == "office" and self.role in NATIONAL_ROLES):
                errors[column] = _("Leave empty for the role %(role)s.") % {"role": self.get_role_display()}
        if self.office_id is not None and "office" not in errors:
            kind = OFFICE_KIND.get(self.role, Office.Kind.HEAD if self.role in NATIONAL_ROLES else None)
            if kind is not None and self.office.kind != kind:
                errors["office"] = _("The role %(role)s takes a %(kind)s; %(office)s is not one.") % {
                    "role": self.get_role_display(),
                    "kind": Office.Kind(kind).label,
                    "office": self.office,
                }
        if errors:
            raise ValidationError(errors)


class Action(models.TextChoices):
    VIEW_PERSONAL_DATA = "view_personal_data", _("viewed personal data")
    EXPORT = "export", _("exported")
    REVEAL = "reveal", _("revealed personal data")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("failed to sign in")
    LOGOUT = "logout", _("signed out")
    REFUSED = "refused", _("refused a request")


PERSONAL_DATA_ACTIONS = frozenset({Action.VIEW_PERSONAL_DATA, Action.EXPORT, Action.REVEAL})


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("audit entries are append-only")

    def delete(self):
        raise TypeError("audit entries are append-only")


class AuditEntry(models.Model):
    """One thing a person did: signed in, changed a record, viewed or exported personal data.

    Append-only: an entry is never changed (the database refuses an UPDATE) and the application never
    deletes one. The user is kept as id and username, not as a foreign key, so that an entry outlives its
    user unchanged. ``before``/``after`` never hold a full NIK or phone number (``audit.snapshot``).
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user_pk = models.BigIntegerField(_("user id"), null=True, blank=True)
    username = models.CharField(_("user"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    # the summary in words jaring translates when it is read (``audit.Said``): message, values, note
    said = models.JSONField(_("summary, to translate"), null=True, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit entries are append-only")

    @property
    def shown_summary(self) -> str:
        """The summary in the language of the page (as written when it was not written to translate)."""
        if not self.said:
            return self.summary
        from jaring.accounts.audit import Said

        return Said.from_json(self.said).text(translated=True)
