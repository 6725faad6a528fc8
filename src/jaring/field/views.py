"""The field desk (/desk/field/): an installable page an agent registers, collects and records deposits on
with no network, its outbox synced through the partner API when the network returns.

- ``app``: the page (its scripts keep the outbox and the data in IndexedDB on the phone);
- ``data``: what the phone takes along, as JSON: the rate rules with their effective dates, the
  occupation list, the region codes a NIK is checked against, the villages of the agent's branch area,
  and the agent's own worklist (numbers, initials and masked NIKs: the least the agent needs);
- ``enrol``: gives this phone its credential (``field.services.device_enrol``), shown once to the page;
- ``service_worker`` and ``manifest``: what makes the page work offline and installable; the worker is
  served under /desk/field/ so that its scope is the field desk.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jaring.accounts.models import STAFF_ROLES, Role
from jaring.accounts.scope import scope_for
from jaring.common.clock import local_date, month_of
from jaring.common.privacy import mask_nik
from jaring.contributions.queries import ratebook_data
from jaring.field.models import Device, SyncRecord
from jaring.field.services import device_enrol, device_revoke
from jaring.members.models import Occupation, Participant
from jaring.org.models import BranchArea
from jaring.regions.models import Region
from jaring.reminders.worklists import worklists_for

# What the service worker keeps for the page to load with no network (versioned by the static manifest).
SHELL_STATIC = (
    "field/app.js",
    "field/rules.js",
    "field/store.js",
    "field/field.css",
    "field/vendor/idb.js",
    "field/icon.svg",
)
WORKBOX = "field/vendor/workbox/"


def _agent_scope(request):
    scope = scope_for(request.user)
    if scope.role != Role.AGENT or scope.agent is None or scope.agent.outlet_id is None:
        raise Http404
    return scope


@login_required
def app(request):
    scope = _agent_scope(request)
    return render(
        request,
        "field/app.html",
        {
            "agent": scope.agent,
            "devices": Device.objects.filter(agent=scope.agent).count(),
            "words": _words(),
        },
    )


def _words() -> dict:
    """What the page's script says, in the page's language (the script runs offline: it cannot ask)."""
    return {
        "state": {
            "waiting": _("waiting to be sent"),
            "sending": _("being sent"),
            "recorded": _("recorded"),
            "as_deposit": _("recorded as a deposit"),
            "refused": _("refused"),
            "dropped": _("dropped"),
        },
        "kind": {
            "registration": _("registration"),
            "payment": _("payment"),
            "deposit": _("deposit"),
            "drop": _("dropped"),
        },
        "online": _("Online"),
        "offline": _("No signal: saving on the phone"),
        "unsent": _("%(count)s not sent yet"),
        "all_sent": _("Everything sent"),
        "data_age": _("Rates and worklist of %(day)s"),
        "no_data": _("Connect once to take the rates and the worklist along."),
        "saved": _("Saved in the outbox: it is sent when there is a signal."),
        "quote": _("Quote from the rates on this phone: %(amount)s for %(months)s month(s) from %(first)s."),
        "quote_unknown": _(
            "Quote at the minimum income from this month; the server prices it and tells you."
        ),
        "sent": _("Sent: %(recorded)s recorded, %(refused)s refused."),
        "send_failed": _("Not sent (no connection); the records stay in the outbox."),
        "edit": _("Correct and resend"),
        "drop": _("Drop"),
        "dropping": _("Drop this record? It will not be sent."),
        "signout_unsent": _(
            "%(count)s records are not sent yet. Signing out removes them from this phone. Sign out anyway?"
        ),
        "required": _("Fill in: %(fields)s."),
        "amount_invalid": _("The amount is a whole number of rupiah above zero."),
        "who_invalid": _("Type a NIK (16 digits) or a participant number (11 digits)."),
        "nik_ok": _("NIK read: born %(day)s, %(sex)s."),
        "male": _("male"),
        "female": _("female"),
        "nik": {
            "length": _("A NIK has exactly 16 digits."),
            "not_digits": _("A NIK contains only the digits 0-9."),
            "birth_date_invalid": _(
                "Digits 7-12 are not a birth date DDMMYY (day 01-31, or 41-71 for women)."
            ),
            "serial_zero": _("The serial number (last 4 digits) starts at 0001."),
            "province_unknown": _("There is no province with this NIK's first two digits."),
            "district_unknown": _(
                "The district is not in the region table (it may predate a split): check the card."
            ),
            "birth_date_mismatch": _("The NIK gives another birth date than the one typed."),
            "sex_mismatch": _("The NIK gives the other sex."),
        },
        "enrol_failed": _("This phone could not be set up; try again with a signal."),
        "merged_note": _("Participant number %(number)s."),
    }


@never_cache
@login_required
def data(request):
    scope = _agent_scope(request)
    agent = scope.agent
    month = month_of()
    areas = BranchArea.objects.filter(office_id=agent.office_id)
    regencies = list(areas.values_list("regency_id", flat=True))
    if agent.outlet.region_id:
        regencies.append(agent.outlet.region_id[:5])
    villages = (
        Region.objects.filter(level=Region.Level.VILLAGE).filter(
            code__regex=r"^(" + "|".join(sorted({code.replace(".", r"\.") for code in regencies})) + r")\."
        )
        if regencies
        else Region.objects.none()
    )
    lists = worklists_for(scope, month=month)
    listed = [(kind, entry) for kind, entries in lists.entries.items() for entry in entries[:200]]
    people = Participant.objects.in_bulk([entry.participant_id for _kind, entry in listed])
    payload = {
        "agent": {"code": agent.code, "name": agent.name, "outlet": agent.outlet.code},
        "today": local_date().isoformat(),
        "month": str(month),
        "book": ratebook_data(),
        "occupations": list(Occupation.objects.order_by("name").values("code", "name")),
        "regions": {
            "provinces": _codes(Region.Level.PROVINCE),
            "districts": _codes(Region.Level.DISTRICT),
        },
        "villages": [
            {"code": code, "name": name}
            for code, name in villages.order_by("code").values_list("code", "name")
        ],
        "worklist": [
            {
                "list": str(kind),
                "number": people[entry.participant_id].number,
                "initials": " ".join(word[:1] + "." for word in people[entry.participant_id].name.split()),
                "nik": mask_nik(people[entry.participant_id].nik),
                "paid_through": str(entry.paid_through) if entry.paid_through else None,
                "unpaid": entry.unpaid,
                "income": people[entry.participant_id].declared_income,
                "programmes": people[entry.participant_id].programmes,
            }
            for kind, entry in listed
            if entry.participant_id in people
        ],
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def _codes(level) -> list[str]:
    return list(Region.objects.filter(level=level).values_list("code", flat=True))


@require_POST
@login_required
def enrol(request):
    scope = _agent_scope(request)
    try:
        enrolled = device_enrol(agent=scope.agent, name=request.POST.get("name", ""), actor=request)
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=422)
    return JsonResponse({"token": enrolled.token, "device": enrolled.device.pk, "name": enrolled.device.name})


def service_worker(request):
    """The field desk's service worker: Workbox from jaring's own static files (no CDN), the page and its
    data network-first with the last good copy kept, the static files cached."""
    shell = [static(path) for path in SHELL_STATIC]
    body = render(
        request,
        "field/sw.js",
        {
            # Workbox loads its modules by their own names from this prefix: not versioned files
            "workbox": settings.STATIC_URL + WORKBOX + "workbox-sw.js",
            "workbox_prefix": settings.STATIC_URL + WORKBOX,
            "shell": json.dumps(shell),
            "static_prefix": settings.STATIC_URL,
        },
        content_type="text/javascript",
    ).content
    response = HttpResponse(body, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/desk/field/"
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request):
    return JsonResponse(
        {
            "name": _("jaring field desk"),
            "short_name": "jaring",
            "start_url": "/desk/field/",
            "scope": "/desk/field/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b5cad",
            "icons": [{"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
    )


# -- what staff see of an agent's phones (and the agent of their own) -----------------------------------
RECORDS_SHOWN = 100


@login_required
def agent_phones(request, code: str):
    """An agent's phones, what each synced when, the conflicts still open, and the cash the agent took on
    them against what the agent remitted."""
    from django.db.models import Count, Max, Sum
    from django.shortcuts import get_object_or_404

    from jaring.contributions.models import Remittance

    scope = scope_for(request.user)  # whoever may see the agent's page: staff, its outlet, the agent
    agent = get_object_or_404(scope.agents(), code=code)
    devices = list(
        Device.objects.filter(agent=agent)
        .select_related("api_key", "enrolled_by")
        .annotate(synced=Count("records"), last_record=Max("records__received_at"))
    )
    records = SyncRecord.objects.filter(device__agent=agent)
    open_conflicts = records.filter(state=SyncRecord.State.REFUSED, resolved_at__isnull=True)
    money_kinds = [SyncRecord.Kind.PAYMENT, SyncRecord.Kind.DEPOSIT]
    taken = records.filter(kind__in=money_kinds).exclude(state=SyncRecord.State.DROPPED)
    taken_total = taken.aggregate(total=Sum("amount"))["total"] or 0
    remitted = Remittance.objects.filter(agent=agent).aggregate(total=Sum("amount"))["total"] or 0
    context = {
        "agent": agent,
        "devices": devices,
        "may_revoke": scope.role in STAFF_ROLES and scope.role != Role.AUDITOR,
        "conflicts": list(open_conflicts.select_related("device").order_by("-received_at")[:RECORDS_SHOWN]),
        "records": list(
            records.select_related("device", "participant").order_by("-received_at")[:RECORDS_SHOWN]
        ),
        "states": dict(
            records.values_list("state").annotate(n=Count("pk")).order_by().values_list("state", "n")
        ),
        "taken": taken_total,
        "taken_refused": taken.filter(state=SyncRecord.State.REFUSED).aggregate(total=Sum("amount"))["total"]
        or 0,
        "remitted": remitted,
        "held": taken_total - remitted,
    }
    return render(request, "field/agent_phones.html", context)


@require_POST
@login_required
def phone_revoke(request, pk: int):
    """Revokes a lost phone's credential (staff in whose scope the agent works)."""
    from django.contrib import messages
    from django.shortcuts import get_object_or_404, redirect

    scope = scope_for(request.user)
    if scope.role not in STAFF_ROLES or scope.role == Role.AUDITOR:
        raise Http404
    device = get_object_or_404(
        Device.objects.select_related("agent", "api_key"), pk=pk, agent__in=scope.agents()
    )
    device_revoke(device=device, actor=request)
    messages.success(request, _("Phone %(name)s can no longer sync.") % {"name": device.name})
    return redirect("field:agent", code=device.agent.code)
