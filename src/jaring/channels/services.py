"""Writes to partners, outlets and agents."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.accounts.models import Action
from jaring.accounts.services import audited_save
from jaring.channels.models import Agent, Outlet, Partner
from jaring.org.queries import branch_for_region
from jaring.regions.models import Region


@transaction.atomic
def partner_create(*, code: str, name: str, kind: str) -> Partner:
    if kind not in Partner.Kind.values:
        raise ValidationError({"kind": f"Unknown partner kind {kind!r}."})
    return Partner.objects.create(code=code, name=name, kind=kind)


@transaction.atomic
def outlet_create(
    *, code: str, name: str, partner: Partner, region_code: str, parent: Outlet | None = None, office=None
) -> Outlet:
    """Creates an outlet in a region; its BPJS branch defaults to the branch serving that region."""
    region = Region.objects.filter(code=region_code, level__gte=Region.Level.REGENCY).first()
    if region is None:
        raise ValidationError({"region_code": f"Unknown regency, district or village code {region_code!r}."})
    if parent is not None and parent.partner_id != partner.pk:
        raise ValidationError({"parent": "A parent outlet must belong to the same partner."})
    return Outlet.objects.create(
        code=code,
        name=name,
        partner=partner,
        region=region,
        parent=parent,
        office=office or branch_for_region(region.code),
    )


@transaction.atomic
def agent_create(
    *,
    code: str,
    name: str,
    partner: Partner,
    outlet: Outlet | None = None,
    phone: str = "",
    office=None,
    status: str = Agent.Status.ACTIVE,
) -> Agent:
    """Creates an agent of ``partner`` at ``outlet``; the BPJS branch defaults to the outlet's.

    An agent of a channel without onboarding (a market collector's staff) starts active; a Perisai agent
    is enrolled as a candidate with ``perisai.services.agent_enrol`` and activated once onboarded.
    """
    if outlet is not None and outlet.partner_id != partner.pk:
        raise ValidationError({"outlet": _("An agent's outlet must belong to the agent's partner.")})
    return Agent.objects.create(
        code=code,
        name=name,
        partner=partner,
        outlet=outlet,
        phone=phone,
        office=office or (outlet.office if outlet else None),
        status=status,
    )


@transaction.atomic
def partner_save(*, partner: Partner, actor, summary: str = "") -> Partner:
    """Adds or corrects a partner (the back office)."""
    return audited_save(
        partner,
        actor=actor,
        summary=summary,
        what=Said(gettext_noop("partner %(code)s"), {"code": partner.code}),
    )


@transaction.atomic
def outlet_save(*, outlet: Outlet, actor, summary: str = "") -> Outlet:
    """Adds or corrects an outlet (the back office); without an office it reports to the branch serving
    its regency/city, as ``outlet_create`` does."""
    if outlet.office_id is None:
        outlet.office = branch_for_region(outlet.region_id)
    saved = audited_save(
        outlet,
        actor=actor,
        summary=summary,
        what=Said(gettext_noop("outlet %(code)s"), {"code": outlet.code}),
    )
    if not saved.is_active:
        _keys_revoke(saved, actor=actor)
    return saved


def _keys_revoke(outlet: Outlet, *, actor) -> None:
    """A closed outlet takes no more requests: its API keys are revoked with it (and audited)."""
    from jaring.api.keycache import apikey_forget
    from jaring.api.models import ApiKey

    open_keys = ApiKey.objects.filter(outlet=outlet, revoked_at__isnull=True)
    prefixes = list(open_keys.values_list("prefix", flat=True))
    if not prefixes:
        return
    open_keys.update(revoked_at=timezone.now())
    apikey_forget()
    audit(
        actor,
        Action.UPDATE,
        obj=ApiKey,
        summary=Said(
            gettext_noop("outlet %(code)s closed: keys %(keys)s revoked"),
            {"code": outlet.code, "keys": ", ".join(prefixes)},
        ),
    )


@transaction.atomic
def agent_save(*, agent: Agent, actor, summary: str = "") -> Agent:
    """Adds or corrects an agent's details (the back office). The lifecycle state moves only with
    ``perisai.services``."""
    return audited_save(
        agent, actor=actor, summary=summary, what=Said(gettext_noop("agent %(code)s"), {"code": agent.code})
    )


@transaction.atomic
def partners_remove(*, partners, actor, summary: str = "") -> int:
    """Removes partners that nothing belongs to yet (``partners``, a queryset): one entered by mistake.
    A partner with outlets or agents is refused by the database (PROTECT)."""
    removed = list(partners)
    for partner in removed:
        what = Said(gettext_noop("partner %(code)s removed"), {"code": partner.code})
        audit(
            actor,
            Action.DELETE,
            obj=partner,
            before=partner,
            summary=what.noted(summary),
        )
    Partner.objects.filter(pk__in=[partner.pk for partner in removed]).delete()
    return len(removed)
