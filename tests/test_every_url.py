"""Every URL of jaring, as every role: nothing answers 500, visitors are sent to sign in, and no page,
export, download or search shows a participant outside the user's scope.

The walk reads the URL patterns themselves (``django.urls.get_resolver``), so a new page is walked
without anyone adding it here. Patterns with arguments need objects to point at: ``REGISTRY`` maps each
URL name to a function ``(world, user) -> (kwargs in the user's scope or None, kwargs outside it or
None)``; a pattern with arguments missing from it fails ``test_every_url_with_arguments_is_in_the_registry``.
Left out: the Django admin (not scoped, admins only), ``i18n/``, the API (key-based scope, tested in
tests/api), static files, the icon and the health check.

For each user (a visitor, one user per role inside the ``network`` world, and a user without a profile):

- every URL without arguments is fetched; a visitor gets a redirect to the sign-in page (or 404), a
  signed-in user never a 403, a 500 or a redirect to a sign-in page;
- every CSV/XLSX export a page links to is fetched too, and every search form on it is filled with the
  NIK, participant number and name of someone outside the scope;
- URLs with arguments answer 200 for objects in scope and 404 for objects outside it, to GET and POST;
- no answer holds the participant number, NIK (the full one: a masked NIK shows only the district and
  the serial), name or phone number of a participant outside the scope, also with separators between
  digits, in XLSX cells or PDF text;
- no GET changes a row of jaring's tables, nor does a POST to something outside the scope.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.browser.people import USERNAMES, people_create
from tests.conftest import PASSWORD, jakarta

from jaring.accounts.models import NATIONAL_ROLES, OFFICE_ROLES, STAFF_ROLES, Role
from jaring.accounts.scope import ACTING_ROLES, scope_for
from jaring.channels.models import Agent, Outlet
from jaring.contributions.models import Bill, GroupMembership, Payer, PayerGroup, Payment
from jaring.imports.models import ImportJob
from jaring.members.duplicate_views import DECIDE_ROLES
from jaring.members.models import Participant
from jaring.monitoring.models import Contest
from jaring.org.models import Office
from jaring.perisai.models import Statement
from jaring.rules.months import Month

SKIPPED_PREFIXES = ("admin/", "i18n/", "api/", "static/", "media/", "healthz", "favicon.ico")
# Pages a visitor may see (they show no participant); every other page sends a visitor to sign in or 404.
PUBLIC = {"accounts:login", "imports:template", "web:home", "field:service_worker", "field:manifest"}
SIGN_IN_PATHS = ("/accounts/login/", "/admin/login/")
# Who each part of jaring is for (the pages answer 404 to everyone else).
DASHBOARD_ROLES = NATIONAL_ROLES | OFFICE_ROLES
IMPORT_ROLES = ACTING_ROLES | {Role.REGIONAL_STAFF, Role.HEAD_OFFICE_ANALYST}
WALKERS = ("anonymous", *USERNAMES, "demo.nobody")


# -- the URL patterns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" when the pattern has none
    pattern: str  # the whole route, "imports/<int:pk>/"
    arguments: tuple[str, ...]


def routes(resolver=None, prefix: str = "", namespace: str = "", arguments=()) -> Iterator[Route]:
    """Every URL pattern of the project, with its full route and the names of its arguments."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        found = (*arguments, *_argument_names(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from routes(entry, route, inner, found)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield Route(name=name, pattern=route, arguments=found)


def _argument_names(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None and regex.groups else ()


def walked_routes() -> list[Route]:
    return [route for route in routes() if not route.pattern.lstrip("^").startswith(SKIPPED_PREFIXES)]


# -- objects in and out of a scope, for URLs with arguments -------------------------------------------------


def scoped(filter_name: str, model, *, kwargs: Callable = lambda obj: {"pk": obj.pk}, only=None, roles=None):
    """A registry entry: the first object of ``model`` the user's scope filter ``filter_name`` lets
    through, and the first it does not (``only`` narrows the candidates, e.g. finished import jobs). For
    a role the page is not for (``roles``), nothing is inside and any object is outside."""

    def pick(world, user):
        every = model.objects.filter(**(only or {})).order_by("pk")
        scope = scope_for(user)
        if roles is not None and scope.role not in roles:
            first = every.first()
            return None, (kwargs(first) if first else None)
        seen = getattr(scope, filter_name)(every)
        inside = seen.first()
        outside = every.exclude(pk__in=seen.values("pk")).first()
        return (kwargs(inside) if inside else None), (kwargs(outside) if outside else None)

    return pick


def shared(model, *, kwargs: Callable, roles):
    """A registry entry for records every user of ``roles`` sees (a contest): inside for them, outside
    (404) for everyone else."""

    def pick(world, user):
        first = model.objects.order_by("pk").first()
        found = kwargs(first) if first else None
        return (found, None) if scope_for(user).role in roles else (None, found)

    return pick


def unscoped(**kwargs):
    """A registry entry for a URL whose argument is not a record (a template's kind): nothing is outside."""
    return lambda world, user: (kwargs, None)


# Ready-made entries for the kinds of argument jaring's pages take; a URL taking e.g. a participant's
# number registers as ``"desk:participant": PARTICIPANT_BY_NUMBER``.
PARTICIPANT_BY_PK = scoped("participants", Participant)
PARTICIPANT_BY_NUMBER = scoped("participants", Participant, kwargs=lambda p: {"number": p.number})
PAYMENT_BY_PK = scoped("payments", Payment)
OUTLET_BY_CODE = scoped("outlets", Outlet, kwargs=lambda outlet: {"code": outlet.code})
OFFICE_BY_CODE = scoped("offices", Office, kwargs=lambda office: {"code": office.code})
AGENT_BY_CODE = scoped("agents", Agent, kwargs=lambda agent: {"code": agent.code})
PAYER_BY_CODE = scoped("payers", Payer, kwargs=lambda payer: {"code": payer.code})
BILL_BY_PK = scoped("bills", Bill)
IMPORT_JOB = scoped("import_jobs", ImportJob, roles=IMPORT_ROLES)
DESK_PARTICIPANT = scoped(
    "participants", Participant, kwargs=lambda p: {"number": p.number}, roles=ACTING_ROLES
)

DESK_RECEIPT = scoped("payments", Payment, roles=ACTING_ROLES)


def event_entry(kwargs: Callable):
    """A registry entry for an event's page (``kwargs`` of the event) or its campaign's: inside when the
    event is one of the staff member's scope, outside otherwise."""

    def pick(world, user):
        from jaring.events.models import Event
        from jaring.events.queries import events_in_scope

        every = Event.objects.select_related("campaign").order_by("pk")
        scope = scope_for(user)
        seen = events_in_scope(scope, every) if scope.role in STAFF_ROLES else every.none()
        inside, outside = seen.first(), every.exclude(pk__in=seen.values("pk")).first()
        return (kwargs(inside) if inside else None), (kwargs(outside) if outside else None)

    return pick


def statement(**extra):
    """A registry entry for an agent's monthly statement: inside when the agent is in the user's scope."""

    def pick(world, user):
        every = Statement.objects.select_related("agent").order_by("pk")
        inside = every.filter(agent__in=scope_for(user).agents()).first()
        outside = every.exclude(agent__in=scope_for(user).agents()).first()
        return tuple(
            {"code": found.agent.code, "month": str(found.month), **extra} if found else None
            for found in (inside, outside)
        )

    return pick


def claim_entry(kwargs: Callable, *, documents: bool = False):
    """A registry entry for a claim's page (``kwargs`` of the claim) or one of its documents: inside when
    the claim's office is in the user's scope (every claim for the national roles) and the role opens
    such pages, outside otherwise."""

    def pick(world, user):
        from jaring.claims.models import Claim, ClaimDocument
        from jaring.claims.queries import claims_visible
        from jaring.claims.views import CLAIM_ROLES, DOCUMENT_ROLES

        scope = scope_for(user)
        if documents:
            every = ClaimDocument.objects.select_related("claim").order_by("pk")
            seen = (
                every.filter(claim__in=claims_visible(scope))
                if scope.role in DOCUMENT_ROLES
                else every.none()
            )
        else:
            every = Claim.objects.order_by("pk")
            seen = claims_visible(scope, every) if scope.role in CLAIM_ROLES else every.none()
        inside, outside = seen.first(), every.exclude(pk__in=seen.values("pk")).first()
        return (kwargs(inside) if inside else None), (kwargs(outside) if outside else None)

    return pick


def claim_payout(world, user):
    from jaring.claims.models import ClaimPayout
    from jaring.claims.views import PAY_ROLES

    return shared(ClaimPayout, kwargs=lambda payout: {"pk": payout.pk}, roles=PAY_ROLES)(world, user)


def field_phone(world, user):
    """A registry entry for revoking a phone (a POST: GET answers 405): inside when the phone's agent is in
    the user's scope."""
    from jaring.field.models import Device

    every = Device.objects.order_by("pk")
    seen = every.filter(agent__in=scope_for(user).agents())
    inside, outside = seen.first(), every.exclude(pk__in=seen.values("pk")).first()
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if outside else None)


def duplicate_pair(world, user, roles=None):
    """A registry entry for a probable duplicate's page: inside when the user's role reviews pairs (or is
    among ``roles``) and either participant is served by their offices (every pair for the national
    roles)."""
    from jaring.members.duplicate_queries import pairs_visible
    from jaring.members.duplicate_views import REVIEW_ROLES
    from jaring.members.models import ProbableDuplicate

    scope = scope_for(user)
    every = ProbableDuplicate.objects.order_by("pk")
    seen = pairs_visible(scope, every) if scope.role in (roles or REVIEW_ROLES) else every.none()
    inside, outside = seen.first(), every.exclude(pk__in=seen.values("pk")).first()
    return ({"pk": inside.pk} if inside else None), ({"pk": outside.pk} if outside else None)


REGISTRY: dict[str, Callable] = {
    "imports:detail": IMPORT_JOB,
    "imports:status": IMPORT_JOB,
    "imports:progress": IMPORT_JOB,
    "imports:result": scoped(
        "import_jobs", ImportJob, only={"status": ImportJob.Status.DONE}, roles=IMPORT_ROLES
    ),
    "imports:template": unscoped(kind=ImportJob.Kind.REGISTRATIONS),
    "desk:participant": DESK_PARTICIPANT,
    "desk:card": DESK_PARTICIPANT,
    "desk:jht": DESK_PARTICIPANT,
    "desk:receipt": DESK_RECEIPT,
    "desk:receipt_pdf": DESK_RECEIPT,
    "desk:void": DESK_RECEIPT,
    "dashboards:office": scoped("offices", Office, kwargs=lambda o: {"code": o.code}, roles=DASHBOARD_ROLES),
    "dashboards:outlet": scoped("outlets", Outlet, kwargs=lambda o: {"code": o.code}, roles=DASHBOARD_ROLES),
    "dashboards:agent": scoped("agents", Agent, kwargs=lambda a: {"code": a.code}, roles=DASHBOARD_ROLES),
    "dashboards:contest": shared(Contest, kwargs=lambda c: {"code": c.code}, roles=DASHBOARD_ROLES),
    "dashboards:contest_board": shared(Contest, kwargs=lambda c: {"code": c.code}, roles=DASHBOARD_ROLES),
    "dashboards:contest_close": shared(
        Contest, kwargs=lambda c: {"code": c.code}, roles={Role.ADMIN, Role.HEAD_OFFICE_ANALYST}
    ),
    "claims:claim": claim_entry(lambda claim: {"number": claim.number}),
    "claims:document": claim_entry(lambda d: {"number": d.claim.number, "pk": d.pk}, documents=True),
    "claims:payout_file": claim_payout,
    "duplicates:pair": duplicate_pair,
    "field:agent": AGENT_BY_CODE,
    "field:revoke": field_phone,
    # merging is a POST (GET answers 405) by the roles that decide pairs
    "duplicates:merge": lambda world, user: duplicate_pair(world, user, roles=DECIDE_ROLES),
    "events:event": event_entry(lambda event: {"code": event.code}),
    "events:campaign": event_entry(lambda event: {"code": event.campaign.code}),
    "perisai:agent": AGENT_BY_CODE,
    "perisai:participants": AGENT_BY_CODE,
    "perisai:statement-detail": statement(),
    "perisai:statement-approve": statement(),
    "perisai:statement-export": statement(fmt="xlsx"),
    "reminders:callback": unscoped(provider="gateway"),  # a provider's signed POST; GET answers 405
    "web:payer": PAYER_BY_CODE,
    "web:bill": scoped(
        "bills", Bill, kwargs=lambda bill: {"code": bill.payer.code, "month": str(bill.month)}
    ),
    "web:bill_pdf": scoped(
        "bills", Bill, kwargs=lambda bill: {"code": bill.payer.code, "month": str(bill.month)}
    ),
}


def _outsider(user) -> Participant | None:
    """A participant outside the user's scope (the marked ones first: they have a phone number)."""
    seen = scope_for(user).participants().values("pk")
    return Participant.objects.exclude(pk__in=seen).exclude(phone="").order_by("pk").first()


def about_an_outsider(**fields):
    """A POST body naming a participant outside the user's scope by number (None: nobody is outside)."""

    def body(world, user):
        outsider = _outsider(user)
        return {"participant": outsider.number, "number": outsider.number, **fields} if outsider else None

    return body


# URLs without arguments that act on what a POST names: a POST naming something outside the user's scope
# must answer 404 (or send a visitor to sign in) and change nothing. The desk's payment and deposit serve
# a worker registered elsewhere once found with the birth date (desk.counter): without that, the POST
# goes back to the page's search (BACK_TO_THE_SEARCH), still changing nothing.
POST_PROBES: dict[str, Callable] = {
    "accounts:audit-reveal": about_an_outsider(reason="checking the every-URL walk"),
    "desk:pay": about_an_outsider(outlet="POS-KRW", months="1", idempotency_key="every-url-pay"),
    "desk:deposit": about_an_outsider(outlet="POS-KRW", amount="16800", idempotency_key="every-url-deposit"),
}
BACK_TO_THE_SEARCH = frozenset({"desk:pay", "desk:deposit"})


# -- the world ------------------------------------------------------------------------------------------


# Participants with names and phone numbers found nowhere else, one in each corner of the network:
# attribute, outlet, district, name, phone, signed up by the agent.
MARKED = (
    ("marked_karawang", "pos_karawang", "32.15.01", "Rahmat Sulistyo", "081200000101", False),
    ("marked_cikampek", "pos_cikampek", "32.15.13", "Dewi Anggraini", "081200000102", False),
    ("marked_bank", "bank_karawang", "32.15.01", "Yusuf Maulana", "081200000103", False),
    ("marked_balikpapan", "pos_balikpapan", "64.71.01", "Rina Marlina", "081200000104", False),
    ("marked_by_agent", "pos_karawang", "32.15.01", "Agus Wibisono", "081200000105", True),
    ("marked_migrant", "pos_balikpapan", "32.15.01", "Fitri Handayani", "081200000106", False),
    ("marked_payer_member", "pos_balikpapan", "64.71.01", "Hendra Gunawan", "081200000107", False),
)


CONTEST = {
    "code": "pos-mei-2024",
    "name": "Lomba Pos Mei 2024",
    "metric": "new_registrations",
    "outlets": {"codes": ["POS-KRW", "POS-CKP", "POS-BPN"]},
    "periods": [{"code": "M1", "start": "2024-05-01", "end": "2024-05-31", "prizes": [1_000_000]}],
}

MARKED_PHONES = frozenset(phone for *_, phone, _by_agent in MARKED)


@pytest.fixture
def town(network, register, staff, settings, tmp_path):
    """The ``network`` world with a marked participant in every corner (each paying once), a user per
    role, a user without a profile, a finished import in Karawang and one in Kalimantan, and a probable
    duplicate in each."""
    from jaring.contributions.services import payment_record
    from jaring.events.services import campaign_save, event_save
    from jaring.imports.services import import_job_for_file, import_run
    from jaring.monitoring.services import contest_define

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = network
    for index, (attribute, outlet, district, name, phone, by_agent) in enumerate(MARKED, start=1):
        participant = register(
            outlet=getattr(w, outlet), district=district, name=name, phone=phone,
            agent=w.agent if by_agent else None, birth_date=date(1980 + index, 3, index),
            registered_at=jakarta(2024, 5, 10),
        )  # fmt: skip
        setattr(w, attribute, participant)
        payment_record(
            history_allowed=True,
            participant=participant, months=1, amount=16_800, source="test", idempotency_key=f"m{index}",
            paid_at=jakarta(2024, 6, 4), outlet=getattr(w, outlet), agent=w.agent if by_agent else None,
        )  # fmt: skip
    group = PayerGroup.objects.get(payer=w.payer, code="PPSU")
    GroupMembership.objects.create(
        group=group, participant=w.marked_payer_member, first_month=Month.of(2024, 5)
    )

    contest_define(spec=CONTEST)
    for place, city in (("KRW", "32.15"), ("BPN", "64.71")):  # an event of each branch, each its campaign
        campaign_save(actor=None, code=f"RUN-{place}", name=f"Lari {place}", starts_on=date(2024, 5, 1),
                      ends_on=date(2024, 5, 31))  # fmt: skip
        event_save(actor=None, code=f"RUN-{place}-1", name=f"Lari {place}", kind="fun_run", city_code=city,
                   starts_on=date(2024, 5, 10), ends_on=date(2024, 5, 10),
                   campaign_code=f"RUN-{place}")  # fmt: skip
    _claims_made(w, settings, tmp_path)
    _duplicates_made(register)
    from jaring.field.services import device_enrol

    device_enrol(agent=w.agent, name="Samsung Siti", actor=None)  # a field phone of the Karawang agent
    w.people = people_create(w, staff)
    w.people["demo.nobody"] = get_user_model().objects.create_user("demo.nobody", password=PASSWORD)
    w.people["anonymous"] = AnonymousUser()
    uploads = (
        ("demo.teller-krw", w.marked_cikampek, "POS-CKP"),
        ("demo.kw07", w.balikpapan_worker, "POS-BPN"),
    )
    for username, participant, outlet_code in uploads:
        path = tmp_path / f"{username}.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["nik", "months", "amount", "paid_at", "outlet_code", "reference"])
            writer.writerow([participant.nik, 1, 16_800, "2024-07-05", outlet_code, f"{outlet_code}-7"])
        job = import_job_for_file(
            path=path, kind="payments", original_name=path.name, user=w.people[username]
        )
        import_run(job)
    return w


def _claims_made(w, settings, tmp_path):
    """A death claim in Karawang (covered, with a document) and one in Balikpapan (not covered), and an
    empty payout, so the claims pages have something inside and outside every scope."""
    from jaring.claims.models import ClaimPayout
    from jaring.claims.services import ClaimRequest, HeirRequest, claim_document_add, claim_submit
    from jaring.contributions.services import payment_record
    from jaring.rules.nik import Sex, make_nik

    settings.MEDIA_ROOT = tmp_path / "media"
    payment_record(
        history_allowed=True, participant=w.marked_karawang, months=12, amount=16_800 * 12, source="test",
        idempotency_key="claim-cover", paid_at=jakarta(2024, 6, 5), outlet=w.pos_karawang,
    )  # fmt: skip
    heir = HeirRequest(
        nik=make_nik("32.15.01", date(1987, 2, 3), Sex("F"), 7), name="Sri Wahyuni", relation="spouse",
        bank="BRI", account_number="123456789012345", account_name="Sri Wahyuni",
    )  # fmt: skip
    claims = [
        claim_submit(
            request=ClaimRequest(
                participant=participant.nik,
                kind="JKM",
                incident_at=jakarta(2024, 9, 14),
                heirs=(heir,),
                source="test",
                idempotency_key=f"claim-{participant.pk}",
            ),
            actor=None,
        )
        for participant in (w.marked_karawang, w.marked_balikpapan)
    ]
    claim_document_add(claim=claims[0], kind="death_certificate", content=b"%PDF-1.4 akta", actor=None)
    ClaimPayout.objects.create(created_by="every-url walk")


def _duplicates_made(register):
    """A probable duplicate in Karawang and one in Balikpapan (the same name, birth date and village, the
    NIK's serial changed), kept by the scan for review."""
    from jaring.members.services.duplicates import duplicates_scan
    from jaring.rules.nik import Sex, make_nik

    for name, district, outlet_code in (
        ("Sekar Ayuningtyas", "32.15.01", "POS-KRW"),
        ("Wulan Permatasari", "64.71.01", "POS-BPN"),
    ):
        for serial in (801, 802):
            register(
                nik=make_nik(district, date(1979, 8, 17), Sex("F"), serial), name=name, sex="F",
                birth_date=date(1979, 8, 17), district=district, outlet=Outlet.objects.get(code=outlet_code),
                registered_at=jakarta(2024, 5, 11),
            )  # fmt: skip
    duplicates_scan()


# -- what a response shows ----------------------------------------------------------------------------------


def body_text(response) -> str:
    """What a person could read in the answer: the page, the CSV, the cells of an XLSX, a PDF's text."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK"):
        return _xlsx_text(raw)
    if raw.startswith(b"%PDF"):
        return _pdf_text(raw)
    return raw.decode("utf-8", errors="replace")


def _xlsx_text(raw: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(raw), read_only=True)
    cells = [
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    ]
    return "\n".join(cell for cell in cells if cell != "None")


def _pdf_text(raw: bytes) -> str:
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            parts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            parts.append(stream.decode("latin-1"))
    return "\n".join(parts)


def markers_outside(user) -> dict[str, str]:
    """What must not be seen by ``user``: {text in lower case: what it is}, for every participant outside
    the scope. Names shared with someone inside the scope are left out."""
    inside = scope_for(user).participants()
    inside_names = {name.lower() for name in inside.values_list("name", flat=True)}
    markers = {}
    for participant in Participant.objects.exclude(pk__in=inside.values("pk")):
        markers.update(identifiers(participant, inside_names))
    return markers


def identifiers(participant, inside_names=frozenset()) -> dict[str, str]:
    who = f"participant {participant.pk} ({participant.outlet.code})"
    found = {participant.number: f"number of {who}", participant.nik: f"NIK of {who}"}
    if participant.name.lower() not in inside_names:
        found[participant.name.lower()] = f"name of {who}"
    if participant.phone in MARKED_PHONES:  # other test phones may be the documented example number
        national = re.sub(r"^(\+?62|0)", "", participant.phone)
        found[national] = f"phone of {who}"
    return found


def leaks(text: str, markers: dict[str, str]) -> list[str]:
    """The markers found in ``text``, also with spaces, dots or dashes between digits (0812-0000-0101)."""
    text = text.lower()
    squeezed = re.sub(r"(?<=\d)[\s.\-](?=\d)", "", text)
    return sorted(what for marker, what in markers.items() if marker in text or marker in squeezed)


class _Page(HTMLParser):
    """The links and the GET forms (with their text inputs) of a page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(unescape(attrs["href"]))
        elif tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action") or "",
                    "method": (attrs.get("method") or "get").lower(),
                    "inputs": [],
                }
            )
        elif tag == "input" and self.forms and attrs.get("name") and _typed(attrs):
            self.forms[-1]["inputs"].append(attrs["name"])


def _typed(attrs: dict) -> bool:
    """An input a person types a search into."""
    return (attrs.get("type") or "text").lower() in ("text", "search", "tel", "number")


def page_parts(text: str) -> _Page:
    parsed = _Page()
    parsed.feed(text)
    return parsed


def rows_per_table() -> dict[str, int]:
    """Row counts of jaring's own tables (the audit trail grows on reads of personal data, by design)."""
    counts = {}
    for model in apps.get_models():
        if model.__module__.startswith("jaring.") and model._meta.label != "accounts.AuditEntry":
            counts[model._meta.label] = model._base_manager.count()
    return counts


# -- the walk -------------------------------------------------------------------------------------------


class Walk:
    """One user's walk; ``problems`` collects everything wrong, so one run reports all of it."""

    def __init__(self, client, world, username):
        self.client, self.world, self.username = client, world, username
        self.user = world.people[username]
        self.anonymous = not self.user.is_authenticated
        self.markers = markers_outside(self.user)
        self.problems: list[str] = []

    def fetch(self, url: str, method: str = "get", data=None, *, markers=None):
        """The answer to one request (None when the view raised), checked for a 500, a 403 and for
        ``markers`` (by default everything outside the user's scope)."""
        try:
            response = getattr(self.client, method)(url, data or {})
        except Exception as error:  # a 500: the test client raises what the view raised
            self.problems.append(f"{method.upper()} {url} raised {error!r}")
            return None
        if response.status_code >= 500 or response.status_code == 403:
            self.problems.append(f"{method.upper()} {url} answered {response.status_code}")
        self.check_leaks(url, response, markers)
        return response

    def check_leaks(self, url, response, markers=None):
        found = leaks(body_text(response), self.markers if markers is None else markers)
        if found:
            self.problems.append(f"{url} shows what is outside the scope: {', '.join(found)}")

    def redirect_target(self, response) -> str:
        return urlsplit(response.get("Location", "")).path

    def expect_visitor_kept_out(self, url, response, public=False):
        status = response.status_code
        if status in (404, 405) or (public and status == 200):
            return
        if status in (301, 302) and self.redirect_target(response) == reverse("accounts:login"):
            return
        self.problems.append(f"a visitor got {status} {response.get('Location', '')} from {url}")

    def page(self, name: str, url: str):
        """A URL anyone in the scope may open: its answer, exports and search forms."""
        response = self.fetch(url)
        if response is None:
            return
        if self.anonymous:
            self.expect_visitor_kept_out(url, response, public=name in PUBLIC)
        elif response.status_code in (301, 302) and self.redirect_target(response) in SIGN_IN_PATHS:
            self.problems.append(f"{url} sent signed-in {self.username} to sign in ({response['Location']})")
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            self.follow_exports_and_searches(url, body_text(response))

    def follow_exports_and_searches(self, url: str, html: str):
        parts = page_parts(html)
        for link in dict.fromkeys(parts.links):
            if re.search(r"[?&]format=(csv|xlsx)\b", link) and not urlsplit(link).netloc:
                target = link if link.startswith("/") else urlsplit(url).path + link
                response = self.fetch(target)
                if response is not None and response.status_code != 200:
                    self.problems.append(f"export {target} linked from {url} answered {response.status_code}")
        outsider = _outsider(self.user)
        if outsider is None:
            return
        everything = identifiers(outsider)
        for form in parts.forms:
            if form["method"] != "get" or not form["inputs"]:
                continue
            action = form["action"] or urlsplit(url).path
            for probe in (outsider.nik, outsider.number, outsider.name):
                # the page may repeat what was typed; it must not show anything else of that person
                others = {marker: what for marker, what in everything.items() if marker != probe.lower()}
                for field in form["inputs"]:
                    target = f"{action}?{urlencode({field: probe})}"
                    self.fetch(target, markers=others)

    def with_arguments(self, route: Route):
        inside, outside = REGISTRY[route.name](self.world, self.user)
        if inside is not None:
            url = reverse(route.name, kwargs=inside)
            if self.anonymous:
                self.page(route.name, url)
            else:
                response = self.fetch(url)
                if response is not None and response.status_code not in (200, 405):
                    self.problems.append(
                        f"{url} is in {self.username}'s scope but answered {response.status_code}"
                    )
                elif (
                    response is not None
                    and response.status_code == 200
                    and "html" in response.get("Content-Type", "")
                ):
                    self.follow_exports_and_searches(url, body_text(response))
        if outside is not None:
            url = reverse(route.name, kwargs=outside)
            for method in ("get", "post"):
                response = self.fetch(url, method)
                if response is None:
                    continue
                if self.anonymous:
                    self.expect_visitor_kept_out(url, response, public=route.name in PUBLIC)
                elif response.status_code not in (404, 405):
                    self.problems.append(
                        f"{method.upper()} {url} is outside {self.username}'s scope but answered "
                        f"{response.status_code}, not 404"
                    )


@pytest.mark.parametrize("username", WALKERS)
def test_every_url_keeps_to_the_scope_of(username, town, client):
    user = town.people[username]
    if user.is_authenticated:
        client.force_login(user)
    walk = Walk(client, town, username)
    before = rows_per_table()
    for route in walked_routes():
        if not route.arguments and route.name:
            walk.page(route.name, reverse(route.name))
        elif route.name in REGISTRY:
            walk.with_arguments(route)
    after_reading = rows_per_table()
    changed = {
        table: (before[table], after_reading[table])
        for table in before
        if before[table] != after_reading[table]
    }
    assert not changed, f"reading pages as {username} changed rows (before, after): {changed}"

    for name, body in POST_PROBES.items():
        data = body(town, user)
        if data is None:
            continue
        response = walk.fetch(reverse(name), "post", data)
        if response is None:
            continue
        if walk.anonymous:
            walk.expect_visitor_kept_out(reverse(name), response)
        elif (
            response.status_code == 302
            and name in BACK_TO_THE_SEARCH
            and response.url.startswith(f"{reverse(name)}?q=")
        ):
            pass  # a worker registered elsewhere: back to the search, which asks for the birth date
        elif response.status_code != 404:
            walk.problems.append(
                f"POST {reverse(name)} about someone outside the scope answered {response.status_code}"
            )
    assert rows_per_table() == after_reading, f"a POST outside {username}'s scope changed rows"
    assert not walk.problems, f"{len(walk.problems)} problems as {username}:\n" + "\n".join(walk.problems)


def test_every_url_with_arguments_is_in_the_registry():
    missing = [
        f"add {route.name or route.pattern} to the registry in tests/test_every_url.py"
        for route in walked_routes()
        if route.arguments and route.name not in REGISTRY
    ]
    unnamed = [f"give the URL pattern {route.pattern} a name" for route in walked_routes() if not route.name]
    assert not missing + unnamed, "\n".join(missing + unnamed)


def test_the_walk_sees_the_pages_it_must_walk():
    """A broken pattern walker would walk nothing and pass: the known pages must be among the walked."""
    names = {route.name for route in walked_routes()}
    assert {"web:home", "accounts:audit", "imports:list", "imports:detail", "desk:home"} <= names
    assert not any(name.startswith(("admin:", "api")) for name in names)
    assert {"imports:detail": ("pk",)}.items() <= {r.name: r.arguments for r in walked_routes()}.items()


def test_the_markers_would_catch_a_leak(town):
    """The leak check itself: an outsider's number with dashes, a NIK in a cell, a name in capitals."""
    teller = town.people["demo.teller-krw"]
    markers = markers_outside(teller)
    outsider = town.marked_balikpapan
    number = outsider.number
    assert leaks(f"<td>{number[:4]}-{number[4:8]}-{number[8:]}</td>", markers) == [
        f"number of participant {outsider.pk} (POS-BPN)"
    ]
    assert leaks(outsider.name.upper(), markers) and leaks(f"+62 {outsider.phone[1:]}", markers)
    assert not leaks(
        town.marked_cikampek.nik + town.marked_cikampek.name, markers
    )  # inside the teller's scope
