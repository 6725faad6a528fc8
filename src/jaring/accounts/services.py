"""Writes to staff accounts: create a staff user, give a user a role and a scope."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, changed_fields, snapshot
from jaring.accounts.models import Action, Role, StaffProfile
from jaring.accounts.scope import scope_forget
from jaring.channels.models import Agent, Outlet
from jaring.contributions.models import Payer
from jaring.org.models import Office


@dataclass(frozen=True)
class StaffUserCreated:
    user: object
    profile: StaffProfile
    password: str
    generated: bool


def audited_save(obj, *, actor, summary: str, what: Said):
    """Saves a new or corrected record (a back-office form's instance), reading the stored one under a
    row lock first, and audits it before and after with the fields that changed named. The caller holds
    the transaction."""
    stored = type(obj).objects.select_for_update().filter(pk=obj.pk).first() if obj.pk else None
    before = snapshot(stored)
    obj.save()
    after = snapshot(obj)
    if changed := changed_fields(before, after):
        what = what.plus(gettext_noop("fields changed: %(fields)s"), {"fields": ", ".join(changed)})
    audit(
        actor,
        Action.UPDATE if stored else Action.CREATE,
        obj=obj,
        before=before,
        after=after,
        summary=what.noted(summary),
    )
    return obj


def password_generate() -> str:
    """A random password of 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


@transaction.atomic
def staff_profile_assign(
    *,
    user,
    role: str,
    office: Office | None = None,
    outlet: Outlet | None = None,
    agent: Agent | None = None,
    payer: Payer | None = None,
    by=None,
    summary: str | Said = "",
) -> StaffProfile:
    """Gives ``user`` the role and scope (creating or replacing its profile), checked by
    ``StaffProfile.clean``; an admin becomes a Django superuser (the back office), any other role loses
    the back office. Audited as a create or an update by ``by`` (a request, a user, or None for the
    command line)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role %(role)s.") % {"role": role}})
    profile = StaffProfile.objects.select_for_update().filter(user=user).first()
    before = snapshot(profile)
    profile = profile or StaffProfile(user=user)
    profile.role = role
    profile.office, profile.outlet, profile.agent, profile.payer = office, outlet, agent, payer
    profile.full_clean(exclude=["user"])
    profile.save()
    is_admin = role == Role.ADMIN
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    scope_forget(user)
    audit(
        by,
        "update" if before else "create",
        obj=profile,
        before=before,
        after=profile,
        summary=summary
        or Said(
            gettext_noop("staff profile of %(user)s: %(role)s"), {"user": user.get_username(), "role": role}
        ),
    )
    return profile


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    role: str,
    office: Office | None = None,
    outlet: Outlet | None = None,
    agent: Agent | None = None,
    payer: Payer | None = None,
    password: str | None = None,
    email: str = "",
    by=None,
    summary: str = "",
) -> StaffUserCreated:
    """Creates a user with a role and scope. Without ``password`` one is generated (and returned, to be
    shown once); a given password must pass the password validators."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("A user %(username)s already exists.") % {"username": username}})
    user = User(username=username, email=email)
    user.full_clean(exclude=["password"])
    generated = password is None
    password = password_generate() if generated else password
    if not generated:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.save()
    profile = staff_profile_assign(
        user=user, role=role, office=office, outlet=outlet, agent=agent, payer=payer, by=by, summary=summary
    )
    return StaffUserCreated(user=user, profile=profile, password=password, generated=generated)


@transaction.atomic
def staff_user_password_set(
    *, username: str, password: str, superuser: bool | None = None, actor=None, summary: str = ""
):
    """Gives ``username`` (created when missing) the password ``password`` and makes the user active; with
    ``superuser`` set, gives or takes the back office. For the demo's well-known logins: the password
    validators are not applied. Audited without the password."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    before = snapshot(None if created else user)
    user.set_password(password)
    user.is_active = True
    if superuser is not None:
        user.is_staff = user.is_superuser = superuser
    user.save()
    what = Said(gettext_noop("password of %(user)s set"), {"user": username})
    audit(
        actor,
        "create" if created else "update",
        obj=user,
        before=before,
        after=user,
        summary=what.noted(summary),
    )
    return user
