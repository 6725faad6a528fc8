"""Registering a worker at the desk: the form, and the fragments that help while it is typed (what the
NIK says, the address selects, the price of the first payment)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jaring.common.clock import local_date, month_of
from jaring.common.errors import DuplicateRegistration
from jaring.contributions.queries import ratebook
from jaring.desk.access import acting_agent, acting_outlets, default_outlet, desk_scope, remember_outlet
from jaring.desk.area import area_around, area_for
from jaring.desk.forms import RegistrationForm
from jaring.desk.queries import registration_prices
from jaring.events.queries import events_running
from jaring.members.models import Participant
from jaring.members.services import duplicate_message, participant_register
from jaring.members.validation import income_messages, nik_message, programmes_message
from jaring.regions.models import Region
from jaring.regions.queries import region_index
from jaring.rules.nik import parse_nik
from jaring.rules.programmes import parse_programmes
from jaring.rules.rates import NoPolicy, NoSchedule
from jaring.web.templatetags.jaring import rupiah, tanggal

_NOT_DIGITS = re.compile(r"[^0-9]")


@login_required
def register(request):
    scope = desk_scope(request)
    outlets = acting_outlets(scope)
    outlet = default_outlet(request, scope, outlets)
    if outlet is None:
        return render(request, "desk/no_outlet.html")
    events = events_running(local_date())
    if request.method == "POST":
        form = RegistrationForm(request.POST, outlets=outlets, events=events)
        if form.is_valid():
            registration, error = _register(request, scope, form.cleaned_data)
            if registration is not None:
                participant = registration.participant
                remember_outlet(request, participant.outlet)
                messages.success(
                    request,
                    _("%(name)s is registered: participant number %(number)s.")
                    % {"name": participant.name, "number": participant.number},
                )
                for warning in registration.warnings:
                    messages.warning(request, warning)
                return redirect("desk:participant", number=participant.number)
            form.add_service_errors(error)
        post = request.POST
        area = area_for(
            province=post.get("province", ""),
            regency=post.get("regency", ""),
            district=post.get("district", ""),
            village=post.get("village_code", ""),
        )
        status = 400
    else:
        form = RegistrationForm(outlets=outlets, events=events, initial={"outlet": outlet})
        area = area_around(outlet.region_id)
        status = 200
    context = {
        "form": form,
        "outlet": outlet,
        "area": area,
        "preview": _preview_beside(form, scope) if form.is_bound else None,
        "pricing": _price_context(form["declared_income"].value(), form["programmes"].value()),
        "income_range": _income_range(),
    }
    return render(request, "desk/register.html", context, status=status)


def _register(request, scope, data):
    """Registers through the one service every channel uses; (registration, None) or (None, error)."""
    outlet = data["outlet"]
    if not scope.can_act_at(outlet):
        raise Http404
    with transaction.atomic():
        try:
            registration = participant_register(
                nik=data["nik"],
                name=data["name"],
                birth_date=data["birth_date"],
                sex=data["sex"] or None,
                phone=data["phone"],
                village_code=data["village_code"],
                occupation_code=data["occupation"],
                declared_income=data["declared_income"],
                programmes=data["programmes"],
                outlet=outlet,
                agent=acting_agent(scope),
                event_code=data.get("event_code") or "",
                actor=request,
            )
        except DuplicateRegistration as duplicate:
            # Staff at the desk are told what their scope lets them see (as the NIK preview does), not
            # only what the partner's channels may hear. Returned, not raised: the service keeps the
            # refused claim (DuplicateAttempt) for the reports, and raising would roll it back.
            existing = duplicate.participant
            message = _duplicate_message(existing, served=_serves(scope, existing))
            return None, ValidationError({"nik": [ValidationError(message, code="duplicate")]})
        except ValidationError as error:
            return None, _in_desk_words(error)
    return registration, None


def _in_desk_words(error: ValidationError) -> ValidationError:
    """The service's errors as the desk's form shows them: the sex is chosen with two buttons, so a missing
    one is asked for by their names, not by the codes files and the API send."""
    if not hasattr(error, "error_dict") or "sex" not in error.error_dict:
        return error
    fields = dict(error.error_dict)
    fields["sex"] = [
        ValidationError(_("Choose male or female."), code="required")
        if problem.code == "required"
        else problem
        for problem in fields["sex"]
    ]
    return ValidationError(fields)


@login_required
def nik_preview(request):
    """What the typed NIK says (birth date, sex, district) and whether it is already registered."""
    scope = desk_scope(request)
    return render(request, "desk/_nik.html", {"preview": _nik_context(scope, request.GET.get("nik", ""))})


def _preview_beside(form, scope) -> dict:
    """The NIK preview under a sent form: a duplicate the form's NIK error already names is not said
    twice (the button to open the participant stays)."""
    preview = _nik_context(scope, form["nik"].value() or "")
    said = form.errors.as_data().get("nik", ())
    preview["duplicate_said"] = any(error.code == "duplicate" for error in said)
    return preview


def _nik_context(scope, text: str) -> dict:
    nik = (text or "").strip()
    if not nik:
        return {"empty": True}
    result = parse_nik(nik, regions=region_index(), today=local_date())
    district = None
    if result.district_code:
        district = Region.objects.filter(code=result.district_code).select_related("parent__parent").first()
    existing = None
    if result.valid:
        existing = Participant.objects.filter(nik=result.nik).select_related("outlet").first()
    served = existing is not None and _serves(scope, existing)
    return {
        "result": result,
        "district": district,
        "errors": [nik_message(problem.code, problem.message) for problem in result.errors],
        "warnings": [nik_message(problem.code, problem.message) for problem in result.warnings],
        "duplicate": _duplicate_message(existing, served=served) if existing else "",
        "existing": existing if served else None,
    }


def _serves(scope, participant: Participant) -> bool:
    """Whether the user's scope holds the participant (then the number may be named)."""
    return scope.participants().filter(pk=participant.pk).exists()


def _duplicate_message(existing: Participant, *, served: bool) -> str:
    """Who registered the NIK and when. The participant number is named only to a user who serves the
    participant: to anyone else, a number outside their scope does not exist."""
    if served:
        return duplicate_message(existing)
    return _("This NIK is already registered, at %(outlet)s (%(code)s) on %(date)s.") % {
        "outlet": existing.outlet.name,
        "code": existing.outlet.code,
        "date": tanggal(existing.registered_at),
    }


@login_required
def area(request):
    """The address selects, after a change of one of them (or set to a district, from the NIK)."""
    desk_scope(request)
    get = request.GET
    chosen = area_for(
        province=get.get("province", ""),
        regency=get.get("regency", ""),
        district=get.get("district", ""),
        village=get.get("village_code", ""),
    )
    return render(request, "desk/_area.html", {"area": chosen})


@login_required
def price(request):
    """What the first payment costs for the typed income and the chosen programmes."""
    desk_scope(request)
    pricing = _price_context(request.GET.get("declared_income"), request.GET.get("programmes"))
    return render(request, "desk/_prices.html", {"pricing": pricing})


def _income_range() -> tuple[str, str] | None:
    """The lowest and highest income that may be declared this month, for the hint under the field."""
    try:
        schedule = ratebook().schedule_for(month_of())
    except NoSchedule:
        return None
    if schedule.max_income is None:
        return None
    return rupiah(schedule.min_income), rupiah(schedule.max_income)


def _price_context(income_text, programmes_text) -> dict:
    """Prices for 1, 3, 6 and 12 months from the rate book, or why there are none yet."""
    programmes_text = programmes_text or "JKK+JKM"
    digits = _NOT_DIGITS.sub("", str(income_text or ""))
    if not digits:
        return {"prices": [], "problems": [], "waiting": True}
    income = int(digits)
    try:
        programmes = parse_programmes(programmes_text)
    except ValueError as error:
        return {"prices": [], "problems": [programmes_message(programmes_text, error)]}
    try:
        problems = income_messages(ratebook(), month_of(), income)
        if problems:
            return {"prices": [], "problems": problems, "income": income}
        prices = registration_prices(income=income, programmes=programmes)
    except (NoSchedule, NoPolicy):
        message = _("There is no contribution schedule for %(month)s.") % {"month": month_of()}
        return {"prices": [], "problems": [message]}
    return {"prices": prices, "problems": [], "income": income, "programmes": programmes_text}
