"""Every write of the outreach registry: MoUs, their commitments, budget lines and documents, and the
outreach sites. One path for the pages, the CLI and the demo.

Each service judges every field first (``*_check``: per-field ``Problem`` lists, read from the database
but writing nothing), raises one ``ValidationError`` keyed by field when anything is wrong, and otherwise
writes and audits its ``actor`` in one transaction. ``scope`` (optional, from a page) narrows what may be
named: an office, MoU or outlet outside the user's scope is answered as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit, user_of
from jaring.accounts.services import audited_save
from jaring.channels.models import Outlet, Partner
from jaring.common.documents import document_bytes, document_kept, document_problem
from jaring.common.errors import Problem, problems_error
from jaring.common.text import CONTROL_CODE, has_control_character
from jaring.contributions.models import Payer, PayerGroup
from jaring.org.models import Office
from jaring.org.queries import branch_for_region
from jaring.outreach.models import BudgetLine, Commitment, Mou, MouDocument, OutreachRule, Site
from jaring.regions.models import Region

NUMBER_MAX = 60
TITLE_MAX = 200
NAME_MAX = 160
NOTE_MAX = 500
CODE_MAX = 30
DOCUMENT_DIR = "outreach"
# The level of region each kind of government party is.
PARTY_LEVEL = {
    Mou.Party.PROVINCE: Region.Level.PROVINCE,
    Mou.Party.REGENCY: Region.Level.REGENCY,
    Mou.Party.VILLAGE: Region.Level.VILLAGE,
}
YEARS = (2000, 2100)


class _Problems:
    """Problems gathered field by field; ``raise_any`` raises them as one ``ValidationError``."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, field: str, code: str, message) -> None:
        self.items.append(Problem(field, code, message))

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self.items)

    def raise_any(self) -> None:
        if self.items:
            raise problems_error(self.items)

    # -- readers of typed values -------------------------------------------------------------------------

    def text(self, field: str, value, *, most: int, required: bool = False, what: str = "") -> str:
        if not isinstance(value, str):
            value = "" if value is None else str(value)
        if has_control_character(value):
            self.add(field, CONTROL_CODE, _("Remove the control characters (such as NUL) from this text."))
            return ""
        text = " ".join(value.split())
        if required and not text:
            self.add(field, "required", _("%(what)s is required.") % {"what": what})
        elif len(text) > most:
            self.add(field, "invalid", _("The text is longer than %(most)s characters.") % {"most": most})
        return text

    def day(self, field: str, value, *, required: bool = True, what: str = "") -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = (value or "").strip() if isinstance(value, str) else ""
        if not text:
            if required:
                self.add(field, "required", _("%(what)s is required.") % {"what": what})
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.add(field, "invalid", _("Enter a date as YYYY-MM-DD."))
            return None

    def count(self, field: str, value, *, required: bool = True, what: str = "") -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(field, "required", _("%(what)s is required.") % {"what": what})
            return None
        try:
            number = int(str(value).strip().replace(".", "")) if not isinstance(value, int) else value
        except ValueError:
            self.add(field, "invalid", _("Enter a whole number."))
            return None
        if number < 0:
            self.add(field, "negative", _("A count is never negative."))
            return None
        return number


def _code(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "code"):
        return value.code
    return value.strip().upper() if isinstance(value, str) else ""


# -- MoUs ---------------------------------------------------------------------------------------------------


@dataclass
class MouPlan:
    number: str
    title: str
    party: str
    region: Region | None
    partner: Partner | None
    manager_name: str
    party_signatory: str
    office: Office
    office_signatory: str
    signed_on: date
    valid_from: date
    valid_to: date
    groups: list[PayerGroup]
    note: str


def mou_check(
    *,
    number,
    title,
    party,
    office,
    signed_on,
    valid_from,
    valid_to,
    region_code="",
    partner=None,
    manager_name="",
    party_signatory="",
    office_signatory="",
    payer_groups=(),
    note="",
    scope=None,
) -> MouPlan | list[Problem]:
    """Judges an MoU field by field: a number not used before, a party of a known kind with a region of
    its level that exists (a market manager: a market collector partner or the manager's name), a BPJS
    office (in ``scope`` when given), dates that do not end before they start and a signing not after
    the start, payer groups that exist. Writes nothing."""
    p = _Problems()
    number = p.text("number", number, most=NUMBER_MAX, required=True, what=_("The MoU number"))
    if number and Mou.objects.filter(number__iexact=number).exists():
        p.add(
            "number", "taken", _("An MoU with number %(number)s is already registered.") % {"number": number}
        )
    title = p.text("title", title, most=TITLE_MAX, required=True, what=_("The title"))
    manager_name = p.text("manager_name", manager_name, most=NAME_MAX)
    party_signatory = p.text("party_signatory", party_signatory, most=NAME_MAX)
    office_signatory = p.text("office_signatory", office_signatory, most=NAME_MAX)
    note = p.text("note", note, most=NOTE_MAX)

    party = (party or "").strip() if isinstance(party, str) else ""
    region = partner_found = None
    if party not in Mou.Party.values:
        p.add(
            "party",
            "invalid",
            _("Choose who signed: a province, a regency/city, a village or a market manager."),
        )
    elif party in PARTY_LEVEL:
        code = (region_code or "").strip() if isinstance(region_code, str) else ""
        if not code:
            p.add("region", "required", _("The region of the party is required."))
        else:
            region = Region.objects.filter(code=code).first()
            if region is None:
                p.add("region", "unknown", _("Region %(code)s does not exist.") % {"code": code})
            elif region.level != PARTY_LEVEL[party]:
                p.add(
                    "region",
                    "level",
                    _("Region %(code)s (%(name)s) is a %(level)s, not a %(party)s.")
                    % {
                        "code": code,
                        "name": region.name,
                        "level": region.get_level_display(),
                        "party": Mou.Party(party).label,
                    },
                )
                region = None
    else:  # a market manager: the collector partner, or the manager's name when it has none in jaring
        code = _code(partner)
        if code:
            partner_found = Partner.objects.filter(code=code).first()
            if partner_found is None:
                p.add("partner", "unknown", _("Unknown partner %(code)s.") % {"code": code})
            elif partner_found.kind != Partner.Kind.MARKET_COLLECTOR:
                p.add(
                    "partner",
                    "not_collector",
                    _("Partner %(code)s is not a market collector.") % {"code": code},
                )
                partner_found = None
        elif not manager_name and not p.has("manager_name"):
            p.add("manager_name", "required", _("Name the market manager, or choose its collector partner."))
        region_text = (region_code or "").strip() if isinstance(region_code, str) else ""
        if region_text:
            region = Region.objects.filter(code=region_text).first()
            if region is None:
                p.add("region", "unknown", _("Region %(code)s does not exist.") % {"code": region_text})

    office_found = _office(p, office, scope)
    signed = p.day("signed_on", signed_on, what=_("The signing date"))
    start = p.day("valid_from", valid_from, what=_("The start of validity"))
    end = p.day("valid_to", valid_to, what=_("The end of validity"))
    if start and end and end < start:
        p.add(
            "valid_to",
            "before_start",
            _("The MoU cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": end.isoformat(), "start": start.isoformat()},
        )
    if signed and end and signed > end:
        p.add("signed_on", "after_end", _("An MoU is signed before its validity ends."))

    codes = [_code(g) for g in payer_groups or ()]
    codes = [c for c in codes if c]
    groups = list(PayerGroup.objects.select_related("payer").filter(code__in=codes))
    missing = sorted(set(codes) - {g.code for g in groups})
    if missing:
        p.add("payer_groups", "unknown", _("Unknown payer group %(codes)s.") % {"codes": ", ".join(missing)})
    p.raise_any()
    return MouPlan(
        number=number,
        title=title,
        party=party,
        region=region,
        partner=partner_found,
        manager_name=manager_name,
        party_signatory=party_signatory,
        office=office_found,
        office_signatory=office_signatory,
        signed_on=signed,
        valid_from=start,
        valid_to=end,
        groups=groups,
        note=note,
    )


def _office(p: _Problems, office, scope) -> Office | None:
    code = _code(office)
    if not code:
        p.add("office", "required", _("The BPJS office that signed is required."))
        return None
    offices = Office.objects.all() if scope is None else scope.offices(Office.objects.all())
    found = offices.filter(code=code).first()
    if found is None:
        p.add("office", "unknown", _("Unknown office %(code)s.") % {"code": code})
    return found


@transaction.atomic
def mou_create(*, actor=None, now: datetime | None = None, scope=None, **fields) -> Mou:
    """Registers an MoU (the fields as ``mou_check`` reads them) with its payer groups, audited. Raises
    ``ValidationError`` per field and writes nothing when any is wrong."""
    plan = mou_check(scope=scope, **fields)
    creator = user_of(actor)
    mou = Mou.objects.create(
        number=plan.number,
        title=plan.title,
        party=plan.party,
        region=plan.region,
        partner=plan.partner,
        manager_name=plan.manager_name,
        party_signatory=plan.party_signatory,
        office=plan.office,
        office_signatory=plan.office_signatory,
        signed_on=plan.signed_on,
        valid_from=plan.valid_from,
        valid_to=plan.valid_to,
        note=plan.note,
        created_at=now or timezone.now(),
        created_by=creator if getattr(creator, "pk", None) else None,
    )
    if plan.groups:
        mou.payer_groups.set(plan.groups)
    said = Said(
        gettext_noop("MoU %(number)s registered (%(office)s)"),
        {"number": mou.number, "office": mou.office.code},
    )
    audit(actor, "create", obj=mou, after=mou, summary=said)
    return mou


@transaction.atomic
def mou_groups_link(*, mou: Mou, payer_groups, actor=None) -> Mou:
    """Links payer groups (records or codes) to the MoU: the groups its budget pays for. Linking one again
    changes nothing."""
    codes = [c for c in (_code(g) for g in payer_groups) if c]
    groups = list(PayerGroup.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {g.code for g in groups})
    if missing:
        raise problems_error(
            [
                Problem(
                    "payer_groups",
                    "unknown",
                    _("Unknown payer group %(codes)s.") % {"codes": ", ".join(missing)},
                )
            ]
        )
    mou.payer_groups.add(*groups)
    said = Said(
        gettext_noop("payer groups %(groups)s linked to MoU %(number)s"),
        {"groups": ", ".join(codes), "number": mou.number},
    )
    audit(actor, "update", obj=mou, summary=said)
    return mou


# -- commitments and budget lines ---------------------------------------------------------------------------


@transaction.atomic
def commitment_add(*, mou: Mou, kind, target, note="", actor=None) -> Commitment:
    """Adds a commitment of ``kind`` with its target count (never negative) to the MoU, audited."""
    p = _Problems()
    kind = (kind or "").strip() if isinstance(kind, str) else ""
    if kind not in Commitment.Kind.values:
        p.add("kind", "invalid", _("Choose what was committed: workers covered, markets or a regulation."))
    count = p.count("target", target, what=_("The target"))
    note = p.text("note", note, most=300)
    p.raise_any()
    commitment = Commitment.objects.create(mou=mou, kind=kind, target=count, note=note)
    said = Said(
        gettext_noop("commitment added to MoU %(number)s: %(kind)s, target %(target)s"),
        {"number": mou.number, "kind": kind, "target": count},
    )
    audit(actor, "create", obj=commitment, after=commitment, summary=said)
    return commitment


@transaction.atomic
def regulation_issued(*, commitment: Commitment, done_on, reference, actor=None) -> Commitment:
    """Records that the regulation a commitment promised was issued (its date and number)."""
    p = _Problems()
    if commitment.kind != Commitment.Kind.REGULATION:
        p.add("commitment", "not_regulation", _("This commitment is not a regulation to issue."))
    day = p.day("done_on", done_on, what=_("The date issued"))
    reference = p.text("reference", reference, most=120, required=True, what=_("The regulation's number"))
    p.raise_any()
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    before = Commitment.objects.filter(pk=locked.pk).values().get()
    locked.done_on, locked.reference = day, reference
    locked.save(update_fields=["done_on", "reference"])
    said = Said(
        gettext_noop("regulation %(reference)s issued under MoU %(number)s"),
        {"reference": reference, "number": locked.mou.number},
    )
    audit(actor, "update", obj=locked, before=before, after=locked, summary=said)
    return locked


@transaction.atomic
def budget_line_add(*, commitment: Commitment, payer, year, ceiling, account="", actor=None) -> BudgetLine:
    """Adds a budget line to a commitment to cover workers: the payer (record or code) whose bills it
    pays, the budget year and the ceiling (pagu, whole rupiah, never negative)."""
    p = _Problems()
    if commitment.kind != Commitment.Kind.COVER_WORKERS:
        p.add("commitment", "not_cover", _("A budget line belongs to a commitment to cover workers."))
    code = _code(payer)
    found = Payer.objects.filter(code=code).first() if code else None
    if not code:
        p.add("payer", "required", _("The payer is required."))
    elif found is None:
        p.add("payer", "unknown", _("Unknown payer %(code)s.") % {"code": code})
    number = p.count("year", year, what=_("The budget year"))
    if number is not None and not YEARS[0] <= number <= YEARS[1]:
        p.add(
            "year",
            "invalid",
            _("A budget year between %(first)s and %(last)s.") % {"first": YEARS[0], "last": YEARS[1]},
        )
    amount = p.count("ceiling", ceiling, what=_("The ceiling"))
    account = p.text("account", account, most=80)
    if (
        found is not None
        and number is not None
        and BudgetLine.objects.filter(commitment=commitment, payer=found, year=number).exists()
    ):
        p.add(
            "year",
            "taken",
            _("This commitment already has a budget line of %(payer)s for %(year)s.")
            % {"payer": found.code, "year": number},
        )
    p.raise_any()
    line = BudgetLine.objects.create(
        commitment=commitment, payer=found, year=number, ceiling=amount, account=account
    )
    said = Said(
        gettext_noop("budget line %(year)s of %(payer)s under MoU %(number)s: ceiling Rp%(ceiling)s"),
        {"year": number, "payer": found.code, "number": commitment.mou.number, "ceiling": amount},
    )
    audit(actor, "create", obj=line, after=line, summary=said)
    return line


# -- documents ----------------------------------------------------------------------------------------------


def document_attach(*, mou: Mou, title, content, actor=None, now: datetime | None = None) -> MouDocument:
    """Keeps a document of the MoU: a PDF, JPEG or PNG (told by its first bytes) of at most
    ``DOCUMENT_MAX_BYTES``, written under ``MEDIA_ROOT/outreach/`` with a name of its own; its record
    and audit entry in one transaction. A file written for a record that then fails is removed.
    ``content`` is the bytes, or an open file (an upload) of which one byte more than the limit is read."""
    content = document_bytes(content)
    p = _Problems()
    title = p.text("title", title, most=NAME_MAX, required=True, what=_("The document's title"))
    if (problem := document_problem(content)) is not None:
        p.add(*problem)
    p.raise_any()
    with document_kept(content, f"{DOCUMENT_DIR}/mou-{mou.pk}") as stored, transaction.atomic():
        creator = user_of(actor)
        document = MouDocument.objects.create(
            mou=mou,
            title=title,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            path=stored.path,
            uploaded_at=now or timezone.now(),
            uploaded_by=creator if getattr(creator, "pk", None) else None,
        )
        said = Said(
            gettext_noop("document %(title)s attached to MoU %(number)s"),
            {"title": title, "number": mou.number},
        )
        audit(actor, "create", obj=document, after=document, summary=said)
    return document


# -- sites --------------------------------------------------------------------------------------------------


@transaction.atomic
def site_create(
    *,
    code,
    name,
    kind,
    village_code,
    mou=None,
    outlet=None,
    manager_name="",
    traders=None,
    traders_counted_on=None,
    actor=None,
    now: datetime | None = None,
    scope=None,
) -> Site:
    """Registers an outreach site: a code not used before, a kind, a village that exists and is served by a
    branch (the site counts for that branch), the MoU it works under and the collector's outlet (an
    outlet of a market collector), and the traders counted with the day they were counted. ``scope``
    narrows the MoUs and outlets that may be named. Per-field ``ValidationError``; nothing written then."""
    p = _Problems()
    code = _code(code)
    if not code:
        p.add("code", "required", _("%(what)s is required.") % {"what": _("The site's code")})
    elif len(code) > CODE_MAX:
        p.add("code", "invalid", _("The text is longer than %(most)s characters.") % {"most": CODE_MAX})
    elif Site.objects.filter(code=code).exists():
        p.add("code", "taken", _("A site with code %(code)s is already registered.") % {"code": code})
    name = p.text("name", name, most=NAME_MAX, required=True, what=_("The site's name"))
    manager_name = p.text("manager_name", manager_name, most=NAME_MAX)
    kind = (kind or "").strip() if isinstance(kind, str) else ""
    if kind not in Site.Kind.values:
        p.add("kind", "invalid", _("Choose the kind of site."))

    village = office = None
    village_code = (village_code or "").strip() if isinstance(village_code, str) else ""
    if not village_code:
        p.add("village", "required", _("The village is required."))
    else:
        village = Region.objects.filter(code=village_code, level=Region.Level.VILLAGE).first()
        if village is None:
            p.add("village", "unknown", _("Unknown village code %(code)s.") % {"code": village_code})
        else:
            office = branch_for_region(village.code)
            if office is None:
                p.add(
                    "village",
                    "no_branch",
                    _("No BPJS branch serves village %(code)s yet.") % {"code": village_code},
                )
            elif scope is not None and not scope.offices().filter(pk=office.pk).exists():
                p.add(
                    "village",
                    "outside",
                    _("Village %(code)s is served by a branch outside your area.") % {"code": village_code},
                )

    mou_found = None
    if mou is not None and not (isinstance(mou, str) and not mou.strip()):
        number = mou.number if isinstance(mou, Mou) else mou.strip()
        mous = Mou.objects.all()
        if scope is not None:
            from jaring.outreach.queries import mous_in_scope

            mous = mous_in_scope(scope, mous)
        mou_found = mous.filter(number__iexact=number).first()
        if mou_found is None:
            p.add("mou", "unknown", _("Unknown MoU %(number)s.") % {"number": number})

    outlet_found = None
    if outlet_code := _code(outlet):
        outlets = Outlet.objects.select_related("partner")
        if scope is not None:
            outlets = scope.outlets(outlets)
        outlet_found = outlets.filter(code=outlet_code).first()
        if outlet_found is None:
            p.add("outlet", "unknown", _("Unknown outlet %(code)s.") % {"code": outlet_code})
        elif outlet_found.partner.kind != Partner.Kind.MARKET_COLLECTOR:
            p.add(
                "outlet",
                "not_collector",
                _("Outlet %(code)s is not a market collector's.") % {"code": outlet_code},
            )
            outlet_found = None

    count = p.count("traders", traders, required=False)
    counted_on = p.day(
        "traders_counted_on",
        traders_counted_on,
        required=count is not None,
        what=_("The day the traders were counted"),
    )
    p.raise_any()
    site = Site.objects.create(
        code=code,
        name=name,
        kind=kind,
        village=village,
        office=office,
        mou=mou_found,
        outlet=outlet_found,
        manager_name=manager_name,
        traders=count,
        traders_counted_on=counted_on if count is not None else None,
        created_at=now or timezone.now(),
    )
    said = Said(
        gettext_noop("outreach site %(code)s registered (%(office)s)"), {"code": code, "office": office.code}
    )
    audit(actor, "create", obj=site, after=site, summary=said)
    return site


@transaction.atomic
def site_traders_count(*, site: Site, traders, counted_on, actor=None) -> Site:
    """Records a new count of the traders at a site (the potential), with the day it was counted."""
    p = _Problems()
    count = p.count("traders", traders, what=_("The number of traders"))
    day = p.day("traders_counted_on", counted_on, what=_("The day the traders were counted"))
    p.raise_any()
    locked = Site.objects.select_for_update().get(pk=site.pk)
    before = Site.objects.filter(pk=locked.pk).values().get()
    locked.traders, locked.traders_counted_on = count, day
    locked.save(update_fields=["traders", "traders_counted_on"])
    said = Said(
        gettext_noop("site %(code)s: %(traders)s traders counted on %(day)s"),
        {"code": locked.code, "traders": count, "day": day.isoformat()},
    )
    audit(actor, "update", obj=locked, before=before, after=locked, summary=said)
    return locked


@transaction.atomic
def site_mou_set(*, site: Site, mou: Mou | None, actor=None) -> Site:
    """Puts a site under an MoU (or under none)."""
    locked = Site.objects.select_for_update().get(pk=site.pk)
    before = Site.objects.filter(pk=locked.pk).values().get()
    locked.mou = mou
    locked.save(update_fields=["mou"])
    said = Said(
        gettext_noop("site %(code)s under MoU %(number)s"),
        {"code": locked.code, "number": mou.number if mou else "-"},
    )
    audit(actor, "update", obj=locked, before=before, after=locked, summary=said)
    return locked


# -- rules --------------------------------------------------------------------------------------------------


def outreach_rule_check(rule: OutreachRule) -> None:
    """A rule's data holds the figure its kind needs, a whole number not below zero (the target at least
    1, the look-ahead at least 1 day); a Paritrana rule, weights adding up to 100 and full marks
    (``paritrana_services.paritrana_data_check``)."""
    if rule.kind == OutreachRule.Kind.PARITRANA:
        from jaring.outreach.paritrana_services import paritrana_data_check

        paritrana_data_check(rule.data)
        return
    key = {
        OutreachRule.Kind.MARKET_TARGET: "government_markets_per_branch",
        OutreachRule.Kind.MOU_LOOKAHEAD: "days",
    }.get(rule.kind)
    value = (rule.data or {}).get(key) if isinstance(rule.data, dict) else None
    if key is None:
        raise problems_error([Problem("kind", "invalid", _("Unknown kind of rule."))])
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise problems_error(
            [
                Problem(
                    "data",
                    "invalid",
                    _('The data holds "%(key)s": a whole number of at least 1.') % {"key": key},
                )
            ]
        )


@transaction.atomic
def outreach_rule_save(*, rule: OutreachRule, actor=None, summary: str = "") -> OutreachRule:
    """Saves a corrected or new outreach rule (the back office), checked and audited."""
    outreach_rule_check(rule)
    what = Said(gettext_noop("outreach rule %(code)s saved"), {"code": rule.code})
    return audited_save(rule, actor=actor, summary=summary, what=what)
