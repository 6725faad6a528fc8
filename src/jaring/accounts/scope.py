"""What a signed-in user may see and where they may act: ``scope_for(user)``.

Every page, export, report and dashboard passes its querysets through the user's ``Scope``::

    scope = scope_for(request.user)
    participants = scope.participants(Participant.objects.filter(standing__status="active"))
    participant = get_in_scope_or_404(scope.participants, Participant.objects.all(), pk=pk)

Anything outside the scope behaves as if it did not exist (the views answer 404, never 403, so a
participant number or an outlet code tells nothing to someone not entitled to it). The rules per role are
in docs/security.md; in short:

- admin, head_office_analyst, auditor: the whole country.
- regional_staff, branch_staff: an office subtree (``Office.path`` prefix). A participant is in it if it
  lives in the subtree's area (its branch ``office``) **or** it was acquired at an outlet of the subtree:
  a branch sees the people it serves and the people its outlets signed up.
- outlet_teller: an outlet and its child outlets (a Pos KCU and its KCs): the participants acquired there.
- agent: the participants the agent signed up.
- payer: the members of its groups, and its own bills.
- a user without a profile: a superuser is a national admin; anyone else sees nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from jaring.accounts.models import AUDIT_ROLES, NATIONAL_ROLES, OFFICE_ROLES, Role, StaffProfile
from jaring.channels.models import Agent, Outlet
from jaring.common.privacy import mask_nik, mask_phone
from jaring.contributions.models import Bill, GroupMembership, Payer, Payment
from jaring.imports.models import ImportJob
from jaring.members.models import Participant
from jaring.org.models import Office
from jaring.org.queries import in_office_subtree, office_subtree

# Roles that see a full NIK and phone number. Analysts, regional staff and payers work on aggregates or
# on people they do not serve in person; auditors see masked data and reveal one record at a time, with
# a reason, as an audited action (``Scope.may_reveal``).
PERSONAL_DATA_ROLES = frozenset({Role.OUTLET_TELLER, Role.AGENT, Role.BRANCH_STAFF, Role.ADMIN})
# Roles that register workers and take payments.
ACTING_ROLES = frozenset({Role.OUTLET_TELLER, Role.AGENT, Role.BRANCH_STAFF, Role.ADMIN})


@dataclass(frozen=True)
class Scope:
    """The part of the network a user works on. Build it with ``scope_for``; it never changes.

    ``role`` is None for a user who sees nothing (anonymous, inactive, or signed in without a profile).
    ``office`` is the root of an office subtree (regional and branch staff) and None otherwise: None for
    national roles, and None for outlet, agent and payer scopes, which are not office-shaped.
    """

    role: str | None
    user_id: int | None = None
    office: Office | None = None
    outlet: Outlet | None = None
    outlet_ids: frozenset[int] = field(default_factory=frozenset)
    agent: Agent | None = None
    payer: Payer | None = None

    # -- questions -----------------------------------------------------------------------------------

    @property
    def is_national(self) -> bool:
        return self.role in NATIONAL_ROLES

    @property
    def is_empty(self) -> bool:
        """Sees nothing at all."""
        return self.role is None

    @property
    def sees_personal_data(self) -> bool:
        """Full NIK and phone on screen and in exports; masked (``common.privacy``) otherwise."""
        return self.role in PERSONAL_DATA_ROLES

    @property
    def may_reveal(self) -> bool:
        """May unmask one record's NIK and phone with a reason, audited as ``reveal`` (auditors)."""
        return self.role == Role.AUDITOR

    @property
    def may_audit(self) -> bool:
        """May read and export the audit trail (``/audit/``)."""
        return self.role in AUDIT_ROLES

    def show_nik(self, nik: str) -> str:
        return nik if self.sees_personal_data else mask_nik(nik)

    def show_phone(self, phone: str) -> str:
        return phone if self.sees_personal_data else mask_phone(phone)

    def can_act_at(self, outlet: Outlet) -> bool:
        """May register workers and take payments at ``outlet``: a teller at their outlets, an agent at
        the agent's outlet, branch staff at outlets of their branch, an admin anywhere. Analysts,
        regional staff, auditors and payers never act. (Whether the outlet is still active is the
        service's rule, not the scope's.)"""
        if self.role not in ACTING_ROLES or outlet is None:
            return False
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.OUTLET_TELLER:
            return outlet.pk in self.outlet_ids
        if self.role == Role.AGENT:
            return self.agent.outlet_id is not None and self.agent.outlet_id == outlet.pk
        # branch staff: the outlet reports to the branch (or an office below it)
        return outlet.office_id is not None and outlet.office.path.startswith(self.office.path)

    @property
    def label(self) -> str:
        """What the scope covers, for people: "office KC-BPN (KC Balikpapan) and below"."""
        if self.role is None:
            return _("nothing")
        if self.is_national:
            return _("national")
        if self.office is not None:
            return _("office %(code)s (%(name)s) and below") % {"code": self.office.code, "name": self.office}
        if self.outlet is not None:
            return _("outlet %(code)s (%(name)s) and its child outlets") % {
                "code": self.outlet.code,
                "name": self.outlet.name,
            }
        if self.agent is not None:
            return _("agent %(code)s (%(name)s)") % {"code": self.agent.code, "name": self.agent.name}
        return _("payer %(code)s (%(name)s)") % {"code": self.payer.code, "name": self.payer.name}

    # -- filters -------------------------------------------------------------------------------------
    # Each takes a queryset of its model (or None for all rows) and returns it narrowed to the scope. They
    # filter with IN (subquery) rather than joins over many-valued relations, so a row never repeats.

    def participants(self, qs: QuerySet | None = None) -> QuerySet:
        qs = _of(qs, Participant)
        if self.is_national:
            return qs
        if self.office is not None:
            return qs.filter(Q(office_id__in=self._offices()) | Q(outlet_id__in=self._office_outlets()))
        if self.outlet is not None:
            return qs.filter(outlet_id__in=self.outlet_ids)
        if self.agent is not None:
            return qs.filter(agent_id=self.agent.pk)
        if self.payer is not None:
            return qs.filter(pk__in=self._payer_members())
        return qs.none()

    def payments(self, qs: QuerySet | None = None) -> QuerySet:
        """Ledger entries of participants in scope, and entries taken at outlets (or by the agent) in
        scope. A payer sees the entries it paid (its bills), not what members paid themselves."""
        qs = _of(qs, Payment)
        if self.is_national:
            return qs
        if self.office is not None:
            return qs.filter(
                Q(participant_id__in=self.participants().values("pk"))
                | Q(outlet_id__in=self._office_outlets())
            )
        if self.outlet is not None:
            return qs.filter(Q(outlet_id__in=self.outlet_ids) | Q(participant__outlet_id__in=self.outlet_ids))
        if self.agent is not None:
            return qs.filter(Q(agent_id=self.agent.pk) | Q(participant__agent_id=self.agent.pk))
        if self.payer is not None:
            return qs.filter(bill__payer_id=self.payer.pk)
        return qs.none()

    def outlets(self, qs: QuerySet | None = None) -> QuerySet:
        """Outlets reporting to the office subtree; a teller's outlets; an agent's outlet; a payer's own
        outlet (the one credited with its payments)."""
        qs = _of(qs, Outlet)
        if self.is_national:
            return qs
        if self.office is not None:
            return qs.filter(in_office_subtree(self.office, via="office"))
        if self.outlet is not None:
            return qs.filter(pk__in=self.outlet_ids)
        if self.agent is not None:
            return qs.filter(pk=self.agent.outlet_id)
        if self.payer is not None:
            return qs.filter(pk=self.payer.outlet_id)
        return qs.none()

    def offices(self, qs: QuerySet | None = None) -> QuerySet:
        """The office subtree; outlet, agent and payer scopes see no office (dashboards are for staff)."""
        qs = _of(qs, Office)
        if self.is_national:
            return qs
        if self.office is not None:
            return qs.filter(in_office_subtree(self.office))
        return qs.none()

    def agents(self, qs: QuerySet | None = None) -> QuerySet:
        qs = _of(qs, Agent)
        if self.is_national:
            return qs
        if self.office is not None:
            return qs.filter(in_office_subtree(self.office, via="outlet__office"))
        if self.outlet is not None:
            return qs.filter(outlet_id__in=self.outlet_ids)
        if self.agent is not None:
            return qs.filter(pk=self.agent.pk)
        return qs.none()

    def payers(self, qs: QuerySet | None = None) -> QuerySet:
        """A payer itself; payers whose outlet is in scope; for office staff also payers paying for
        someone the office serves."""
        qs = _of(qs, Payer)
        if self.is_national:
            return qs
        if self.office is not None:
            members = GroupMembership.objects.filter(participant_id__in=self.participants().values("pk"))
            return qs.filter(
                in_office_subtree(self.office, via="outlet__office")
                | Q(pk__in=members.values("group__payer_id"))
            )
        if self.outlet is not None:
            return qs.filter(outlet_id__in=self.outlet_ids)
        if self.payer is not None:
            return qs.filter(pk=self.payer.pk)
        return qs.none()

    def bills(self, qs: QuerySet | None = None) -> QuerySet:
        qs = _of(qs, Bill)
        if self.is_national:
            return qs
        if self.role is None:
            return qs.none()
        return qs.filter(payer_id__in=self.payers().values("pk"))

    def import_jobs(self, qs: QuerySet | None = None) -> QuerySet:
        """Office staff: jobs uploaded by anyone working in the office subtree (or by themselves);
        everyone else: their own uploads."""
        qs = _of(qs, ImportJob)
        if self.is_national:
            return qs
        if self.role is None or self.user_id is None:
            return qs.none()
        if self.office is not None:
            return qs.filter(
                Q(created_by_id=self.user_id)
                | in_office_subtree(self.office, via="created_by__staff_profile__office")
                | in_office_subtree(self.office, via="created_by__staff_profile__outlet__office")
                | in_office_subtree(self.office, via="created_by__staff_profile__agent__outlet__office")
            )
        return qs.filter(created_by_id=self.user_id)

    # -- helpers ---------------------------------------------------------------------------------------

    def _offices(self) -> QuerySet:
        return office_subtree(self.office).values("pk")

    def _office_outlets(self) -> QuerySet:
        return Outlet.objects.filter(in_office_subtree(self.office, via="office")).values("pk")

    def _payer_members(self) -> QuerySet:
        return GroupMembership.objects.filter(group__payer_id=self.payer.pk).values("participant_id")


NOTHING = Scope(role=None)


def scope_for(user: Any) -> Scope:
    """The scope of ``user`` (a User, an AnonymousUser or None), read once per user object.

    Anonymous and inactive users, and users without a ``StaffProfile``, see nothing, except a superuser
    without a profile, who is a national admin. A profile wins over the superuser flag.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, "_jaring_scope", None)
    if cached is not None:
        return cached
    scope = scope_build(user)
    user._jaring_scope = scope
    return scope


def scope_forget(user: Any) -> None:
    """Drops the scope cached on ``user`` (after its profile changed)."""
    if user is not None and hasattr(user, "_jaring_scope"):
        del user._jaring_scope


def scope_build(user) -> Scope:
    """The scope ``user``'s profile gives, whether or not the user is active (for listings; pages use
    ``scope_for``)."""
    profile = (
        StaffProfile.objects.select_related("office", "outlet", "agent", "payer")
        .filter(user_id=user.pk)
        .first()
    )
    if profile is None:
        return Scope(role=Role.ADMIN, user_id=user.pk) if user.is_superuser else NOTHING
    role = Role(profile.role)
    if role in NATIONAL_ROLES:
        return Scope(role=role, user_id=user.pk)
    if role in OFFICE_ROLES:
        return Scope(role=role, user_id=user.pk, office=profile.office)
    if role == Role.OUTLET_TELLER:
        return Scope(
            role=role, user_id=user.pk, outlet=profile.outlet, outlet_ids=outlet_family(profile.outlet)
        )
    if role == Role.AGENT:
        return Scope(role=role, user_id=user.pk, agent=profile.agent)
    return Scope(role=role, user_id=user.pk, payer=profile.payer)


def outlet_family(outlet: Outlet) -> frozenset[int]:
    """``outlet`` and every outlet below it (a KCU, its KCs, and so on), one query per level."""
    family = {outlet.pk}
    level = [outlet.pk]
    while level:
        children = Outlet.objects.filter(parent_id__in=level).values_list("pk", flat=True)
        level = [pk for pk in children if pk not in family]  # a cycle in bad data must not loop forever
        family.update(level)
    return frozenset(family)


def get_in_scope_or_404(scope_method, qs: QuerySet, **lookup) -> Model:
    """The one object of ``qs`` matching ``lookup`` that ``scope_method`` lets through, or Http404:
    an object outside the scope is reported exactly like one that does not exist.

    ``get_in_scope_or_404(scope.participants, Participant.objects.select_related("outlet"), pk=pk)``
    """
    return get_object_or_404(scope_method(qs), **lookup)


def _of(qs: QuerySet | None, model: type[Model]) -> QuerySet:
    if qs is None:
        return model._default_manager.all()
    if not issubclass(qs.model, model):
        raise TypeError(f"expected a queryset of {model.__name__}, got one of {qs.model.__name__}")
    return qs


def roles_only(roles: Collection[str]):
    """A view decorator for pages a few roles have: signed-out visitors are sent to sign in, signed-in
    users of other roles get 404 (the page does not exist for them), and the view is called with the
    user's scope after the request."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            scope = scope_for(request.user)
            if scope.role not in roles:
                raise Http404
            return view(request, scope, *args, **kwargs)

        return wrapped

    return decorate
