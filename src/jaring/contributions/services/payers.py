"""Writes of payers, their groups and the groups' members (the back office): each saved or removed with an
audit entry as done by the ``actor`` (a request, a user, an ``Actor``, or None for the command line: say
who in ``summary``).

Bills are the record of what a payer was asked to pay and for whom, so nothing a bill was made from is
removed: a payer with bills stays, and so does a group or a membership whose member was billed through
it (end the membership with its last month instead). A group whose members were billed keeps its payer.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.accounts.models import Action
from jaring.accounts.services import audited_save
from jaring.contributions.models import BillLine, GroupMembership, Payer, PayerGroup
from jaring.rules.months import Month
from jaring.rules.programmes import format_programmes, parse_programmes


def _month(value) -> Month:
    return value if isinstance(value, Month) else Month(value)


def _removed(obj, *, actor, summary: str, what: Said) -> None:
    audit(actor, Action.DELETE, obj=obj, before=obj, summary=what.noted(summary))
    obj.delete()


# -- what a bill was made from -------------------------------------------------------------------------


def payer_billed(payer: Payer) -> bool:
    """Whether the payer was ever billed."""
    return payer.pk is not None and payer.bills.exists()


def membership_billed(membership: GroupMembership) -> bool:
    """Whether the member was on a bill of the group's payer for a month of the membership."""
    if membership.pk is None:
        return False
    stored = GroupMembership.objects.select_related("group").get(pk=membership.pk)
    window = Q(bill__month__gte=stored.first_month)
    if stored.last_month is not None:
        window &= Q(bill__month__lte=stored.last_month)
    return BillLine.objects.filter(
        window, bill__payer_id=stored.group.payer_id, participant_id=stored.participant_id
    ).exists()


def group_billed(group: PayerGroup) -> bool:
    """Whether a member of the group was on a bill of the group's payer for a month of their membership."""
    payer_id = PayerGroup.objects.filter(pk=group.pk).values_list("payer_id", flat=True).first()
    if payer_id is None:
        return False
    membership = "participant__group_memberships"
    return BillLine.objects.filter(
        Q(**{f"{membership}__last_month__isnull": True}) | Q(bill__month__lte=F(f"{membership}__last_month")),
        bill__payer_id=payer_id,
        bill__month__gte=F(f"{membership}__first_month"),
        **{f"{membership}__group_id": group.pk},
    ).exists()


# -- saves ------------------------------------------------------------------------------------------------


@transaction.atomic
def payer_save(*, payer: Payer, actor, summary: str = "") -> Payer:
    """Adds or corrects a payer: its name, kind (APBD and APBN payers stay outside the PP 50/2025 cut),
    the programmes it pays for (written in their usual order: ``JKK+JKM``), its region and outlet."""
    try:
        payer.programmes = format_programmes(parse_programmes(payer.programmes))
    except ValueError as error:
        raise ValidationError({"programmes": [str(error)]}) from error
    return audited_save(
        payer, actor=actor, summary=summary, what=Said(gettext_noop("payer %(code)s"), {"code": payer.code})
    )


@transaction.atomic
def payer_group_save(*, group: PayerGroup, actor, summary: str = "") -> PayerGroup:
    """Adds or corrects a payer's group. A group whose members were billed keeps its payer: the bills
    would no longer say through which group they were made."""
    if group.pk is not None:
        stored = PayerGroup.objects.select_for_update().get(pk=group.pk)
        if stored.payer_id != group.payer_id and group_billed(stored):
            raise ValidationError(
                {"payer": _("Members of this group were billed to its payer; add a new group instead.")}
            )
    return audited_save(
        group,
        actor=actor,
        summary=summary,
        what=Said(gettext_noop("payer group %(code)s"), {"code": group.code}),
    )


@transaction.atomic
def group_membership_save(*, membership: GroupMembership, actor, summary: str = "") -> GroupMembership:
    """Adds a participant to a payer's group from a month, or corrects the months (a membership ends with
    its last month). A billed membership keeps its group and participant."""
    if membership.last_month is not None and _month(membership.last_month) < _month(membership.first_month):
        raise ValidationError({"last_month": _("The last month is before the first month.")})
    if membership.pk is not None:
        stored = GroupMembership.objects.select_for_update().get(pk=membership.pk)
        moved = (stored.group_id, stored.participant_id) != (membership.group_id, membership.participant_id)
        if moved and membership_billed(stored):
            raise ValidationError(
                _("This member was billed through this group; end the membership and add a new one instead.")
            )
    what = Said(
        gettext_noop("membership of participant %(participant)s in payer group %(code)s"),
        {"participant": membership.participant_id, "code": membership.group.code},
    )
    return audited_save(membership, actor=actor, summary=summary, what=what)


# -- removals (a record entered by mistake) -----------------------------------------------------------------


@transaction.atomic
def payers_remove(*, payers, actor, summary: str = "") -> int:
    """Removes payers entered by mistake (``payers``, an iterable or queryset). A payer that was billed,
    or still has groups (remove them first), is refused (ValidationError), and nothing is removed."""
    removed = list(payers)
    billed = sorted(payer.code for payer in removed if payer_billed(payer))
    if billed:
        raise ValidationError(
            _("A payer with bills is not removed (%(codes)s).") % {"codes": ", ".join(billed)}
        )
    grouped = sorted(payer.code for payer in removed if payer.groups.exists())
    if grouped:
        raise ValidationError(
            _("A payer with groups is not removed (%(codes)s): remove its groups first.")
            % {"codes": ", ".join(grouped)}
        )
    for payer in removed:
        _removed(
            payer,
            actor=actor,
            summary=summary,
            what=Said(gettext_noop("payer %(code)s removed"), {"code": payer.code}),
        )
    return len(removed)


@transaction.atomic
def payer_groups_remove(*, groups, actor, summary: str = "") -> int:
    """Removes groups entered by mistake with their memberships. A group whose members were billed through
    it is refused (ValidationError), and nothing is removed."""
    removed = list(groups)
    billed = [group.code for group in removed if group_billed(group)]
    if billed:
        raise ValidationError(
            _("Members of these groups were billed through them (%(codes)s); end the memberships instead.")
            % {"codes": ", ".join(sorted(billed))}
        )
    for group in removed:
        memberships = GroupMembership.objects.filter(group_id=group.pk)
        if count := memberships.count():
            what = Said(
                gettext_noop("%(count)s memberships of payer group %(code)s removed with it"),
                {"count": count, "code": group.code},
            )
            audit(actor, Action.DELETE, obj=GroupMembership, summary=what.noted(summary))
            memberships.delete()
        _removed(
            group,
            actor=actor,
            summary=summary,
            what=Said(gettext_noop("payer group %(code)s removed"), {"code": group.code}),
        )
    return len(removed)


@transaction.atomic
def group_memberships_remove(*, memberships, actor, summary: str = "") -> int:
    """Removes memberships entered by mistake. A member billed through the membership is refused
    (ValidationError; end the membership with its last month instead), and nothing is removed."""
    removed = list(memberships)
    billed = [membership for membership in removed if membership_billed(membership)]
    if billed:
        raise ValidationError(
            _("A member billed through the group is not removed; end the membership with its last month.")
        )
    for membership in removed:
        group = membership.group
        what = Said(
            gettext_noop("membership of participant %(participant)s in payer group %(code)s removed"),
            {"participant": membership.participant_id, "code": group.code},
        )
        _removed(membership, actor=actor, summary=summary, what=what)
    return len(removed)
