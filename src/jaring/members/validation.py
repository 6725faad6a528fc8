"""Checks of a registration, shared by every channel (desk, API, file import, CLI).

The check needs lookups (regions, occupations, rates). ``RegistrationContext`` answers them; the default
one reads the database with small caches, and the bulk importer passes one built from in-memory maps, so
one row and a million rows are judged by the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaring.channels.models import Agent, Outlet
from jaring.common.clock import local_date
from jaring.common.text import CONTROL_CODE, has_control_character
from jaring.events.models import Event
from jaring.members.models import Occupation, Participant, Permanence
from jaring.org.queries import branch_map, serving_branch_id
from jaring.regions.models import Region
from jaring.regions.queries import RegionIndex, region_index
from jaring.rules.money import format_rupiah
from jaring.rules.months import Month
from jaring.rules.nik import Sex, parse_nik
from jaring.rules.programmes import MANDATORY, Programme, format_programmes, parse_programmes
from jaring.rules.rates import NoPolicy, RateBook


@dataclass
class RegistrationContext:
    """Lookups a registration check needs; override the attributes to check many rows fast."""

    ratebook: RateBook
    regions: RegionIndex = field(default_factory=region_index)
    # What was looked up already: a list from one agent names the same few villages again and again.
    seen_villages: dict[str, bool] = field(default_factory=dict, repr=False)
    seen_branches: dict[tuple[str, int], int | None] = field(default_factory=dict, repr=False)

    @cached_property
    def occupations(self) -> dict[str, Occupation]:
        return {occupation.code: occupation for occupation in Occupation.objects.all()}

    def village_exists(self, code: str) -> bool:
        if code not in self.seen_villages:
            self.seen_villages[code] = Region.objects.filter(code=code, level=Region.Level.VILLAGE).exists()
        return self.seen_villages[code]

    def branch_id(self, village_code: str, outlet: Outlet) -> int | None:
        """The branch office serving the worker (``org.queries.serving_branch_id``)."""
        asked = (village_code, outlet.pk)
        if asked not in self.seen_branches:
            self.seen_branches[asked] = serving_branch_id(village_code, outlet=outlet)
        return self.seen_branches[asked]

    def event(self, code: str) -> Event | None:
        """The event of ``code`` (remembered: a file names a few events many times)."""
        cache = self.__dict__.setdefault("_events", {})
        if code not in cache:
            cache[code] = Event.objects.filter(code=code).first()
        return cache[code]

    def income_messages(self, month: Month, income: int) -> list[str]:
        """Why ``income`` may not be declared for ``month`` (remembered: a file repeats a few levels)."""
        key = (month, income)
        cache = self.__dict__.setdefault("_income_messages", {})
        if key not in cache:
            cache[key] = income_messages(self.ratebook, month, income)
        return cache[key]


@dataclass
class BulkRegistrationContext(RegistrationContext):
    """Lookups for many rows: every village code, outlet, agent and branch area in memory."""

    villages: frozenset[str] = frozenset()
    outlets: dict[str, Outlet] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    branches: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, *, ratebook) -> BulkRegistrationContext:
        context = cls(ratebook=ratebook)
        context.villages = frozenset(
            Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True)
        )
        context.outlets = {outlet.code: outlet for outlet in Outlet.objects.select_related("partner")}
        context.agents = {agent.code: agent for agent in Agent.objects.all()}
        context.branches = branch_map()
        context.__dict__["occupations"] = {o.code: o for o in Occupation.objects.all()}
        return context

    def village_exists(self, code: str) -> bool:
        return code in self.villages

    def branch_id(self, village_code: str, outlet: Outlet) -> int | None:
        return serving_branch_id(village_code, outlet=outlet, branches=self.branches)


@dataclass(frozen=True)
class CleanRegistration:
    nik: str
    name: str
    birth_date: date
    sex: str
    phone: str
    village_code: str
    occupation: Occupation
    permanence: str
    declared_income: int
    programmes: str
    registered_at: datetime
    registered_month: Month
    warnings: tuple[str, ...]


# NIK problem codes (stable, from rules.nik) in the user's language.
def nik_message(code: str, fallback: str) -> str:
    messages = {
        "length": _("A NIK has exactly 16 digits."),
        "not_digits": _("A NIK has digits only."),
        "birth_date_invalid": _("The birth date in the NIK (digits 7 to 12) is not a real date."),
        "serial_zero": _("The serial number in the NIK (last 4 digits) starts at 0001."),
        "province_unknown": _("The NIK's first two digits are not a province code."),
        "district_unknown": _(
            "The NIK's district code is not in the region table (it may be a newly split region)."
        ),
        "birth_date_mismatch": _("The birth date does not match the birth date in the NIK."),
        "sex_mismatch": _("The sex does not match the NIK (women have 40 added to the day of birth)."),
    }
    return messages.get(code, fallback)


# The separators ``rules.programmes.parse_programmes`` accepts between codes ("+", "," or spaces).
_PROGRAMME_SEPARATORS = re.compile(r"[+,\s]+")
_PROGRAMME_CODES = frozenset(programme.value for programme in Programme)


def programmes_message(text: str, error: ValueError) -> str:
    """Why ``parse_programmes(text)`` refused ``text`` (raising ``error``), in the user's language.

    The parser stays the judge; its English reason is replaced by re-checking ``text`` in the parser's
    order: nothing given, JP (pension), an unknown code, JKK or JKM missing. A reason the re-check does
    not recognise is passed on as the parser wrote it.
    """
    codes = [code for code in _PROGRAMME_SEPARATORS.split((text or "").strip().upper()) if code]
    if not codes:
        return _("No programme given: a BPU participant joins at least JKK+JKM.")
    for code in codes:
        if code == "JP":
            return _("JP (pension) is not available to BPU participants.")
        if code not in _PROGRAMME_CODES:
            return _(
                "Unknown programme %(code)s: choose from JKK, JKM and JHT (JKK and JKM are mandatory)."
            ) % {"code": code}
    missing = MANDATORY - {Programme(code) for code in codes}
    if missing:
        return _("JKK and JKM are mandatory for BPU participants; missing: %(missing)s.") % {
            "missing": format_programmes(missing)
        }
    return str(error)


def _age_message(ratebook: RateBook, birth_date: date, today: date) -> str | None:
    """Why a worker born on ``birth_date`` may not register on ``today`` (the coverage policy's ages), or
    None."""
    try:
        policy = ratebook.policy_for(Month.from_date(today))
    except NoPolicy:
        return None
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    problem = policy.registration_age_problem(age)
    if problem == "young":
        return _("A worker registers from the age of %(age)s; this one is %(years)s.") % {
            "age": policy.registration_age_min,
            "years": age,
        }
    if problem == "old":
        return _("A worker registers up to the age of %(age)s; this one is %(years)s.") % {
            "age": policy.registration_age_max,
            "years": age,
        }
    return None


def income_messages(ratebook: RateBook, month: Month, income: int) -> list[str]:
    """``ratebook.income_problems(month, income)`` in the user's language: below the schedule's minimum,
    above its maximum. Empty when the income may be declared; raises as ``income_problems`` does."""
    problems = ratebook.income_problems(month, income)
    if not problems:
        return []
    schedule = ratebook.schedule_for(month)
    messages = []
    if income < schedule.min_income:
        messages.append(
            _("The declared income %(income)s is below the minimum of %(minimum)s.")
            % {"income": format_rupiah(income), "minimum": format_rupiah(schedule.min_income)}
        )
    if schedule.max_income is not None and income > schedule.max_income:
        messages.append(
            _("The declared income %(income)s is above the maximum of %(maximum)s.")
            % {"income": format_rupiah(income), "maximum": format_rupiah(schedule.max_income)}
        )
    # A problem the rules report that is neither of these is passed on as they wrote it.
    return messages or problems


_SEXES = frozenset(Participant.Sex.values)
_PERMANENCES = frozenset(Permanence.values)
_NOT_PHONE = re.compile(r"[^0-9+]")


@lru_cache(maxsize=64)
def _programmes_canonical(text: str) -> str:
    """The canonical spelling of a programme list (raises ValueError like ``parse_programmes``)."""
    return format_programmes(parse_programmes(text))


def registration_clean(
    *,
    nik: str,
    name: str,
    birth_date: date | None,
    sex: str | None,
    phone: str = "",
    village_code: str,
    occupation_code: str,
    declared_income: int | str | None,
    programmes: str,
    outlet: Outlet,
    agent: Agent | None,
    registered_at: datetime,
    context: RegistrationContext,
    permanence: str | None = None,
) -> CleanRegistration:
    """Checks every field and raises one ``ValidationError`` naming each bad field; returns the cleaned
    registration (with NIK warnings) when all are good. Reads only; writes nothing."""
    errors: dict[str, list[ValidationError]] = {}

    def fail(field_name: str, message: str, code: str = "invalid") -> None:
        errors.setdefault(field_name, []).append(ValidationError(message, code=code))

    # A control character (NUL, BEL, a line break...) is refused in every text field before anything else
    # reads it: PostgreSQL cannot store NUL, and the field's other checks would repeat it in their messages.
    controlled = {
        field_name
        for field_name, text in (
            ("name", name),
            ("phone", phone),
            ("village_code", village_code),
            ("occupation", occupation_code),
            ("programmes", programmes),
        )
        if isinstance(text, str) and has_control_character(text)
    }
    for field_name in controlled:
        fail(field_name, _("Remove the control characters (such as NUL) from this text."), CONTROL_CODE)

    nik = (nik or "").strip()
    name = " ".join((name or "").split())
    if "name" not in controlled:
        if not name:
            fail("name", _("The name is required."), "required")
        elif len(name) > 120:
            fail("name", _("The name is longer than 120 characters."))
        elif not any(character.isalpha() for character in name):
            fail("name", _("A name contains letters."))
    if birth_date is None:
        fail("birth_date", _("The birth date is required."), "required")
    today = local_date(registered_at)
    if birth_date is not None and birth_date > today:
        fail("birth_date", _("The birth date is in the future."))
    elif birth_date is not None and (message := _age_message(context.ratebook, birth_date, today)):
        fail("birth_date", message, "age")
    if sex not in _SEXES:
        fail("sex", _("Sex is M (male) or F (female)."), "required")

    result = parse_nik(
        nik,
        regions=context.regions,
        declared_birth_date=birth_date,
        declared_sex=Sex(sex) if sex in _SEXES else None,
        today=today,
    )
    for problem in result.errors:
        field_name = {"birth_date_mismatch": "birth_date", "sex_mismatch": "sex"}.get(problem.code, "nik")
        fail(field_name, nik_message(problem.code, problem.message), problem.code)
    warnings = tuple(nik_message(problem.code, problem.message) for problem in result.warnings)

    phone = _NOT_PHONE.sub("", phone or "")
    if "phone" not in controlled and phone and not (8 <= len(phone.lstrip("+")) <= 15):
        fail("phone", _("A phone number has 8 to 15 digits."))

    village_code = (village_code or "").strip()
    if "village_code" not in controlled and not context.village_exists(village_code):
        fail("village_code", _("Unknown village code %(code)s.") % {"code": village_code or "-"})

    occupation = context.occupations.get((occupation_code or "").strip().upper())
    if occupation is None and "occupation" not in controlled:
        fail("occupation", _("Unknown occupation %(code)s.") % {"code": occupation_code or "-"})
    if permanence is not None and permanence not in _PERMANENCES:
        fail("permanence", _("Work permanence is permanent, seasonal or mobile."))

    registered_month = Month.from_date(today)
    income = _income(declared_income, fail)
    if income is not None:
        try:
            for message in context.income_messages(registered_month, income):
                fail("declared_income", message)
        except LookupError:  # no contribution schedule for that month (before BPU rules existed)
            fail(
                "registered_at",
                _("There is no contribution schedule for %(month)s.") % {"month": registered_month},
                "no_schedule",
            )

    try:
        chosen = "" if "programmes" in controlled else _programmes_canonical(programmes or "")
    except ValueError as error:
        fail("programmes", programmes_message(programmes or "", error))
        chosen = ""

    if not outlet.is_active:
        fail("outlet", _("Outlet %(code)s is closed.") % {"code": outlet.code}, "closed")
    if agent is not None:
        if agent.partner_id != outlet.partner_id:
            fail("agent", _("Agent %(code)s does not work for this outlet's partner.") % {"code": agent.code})
        elif agent.status != Agent.Status.ACTIVE:
            fail("agent", _("Agent %(code)s is not active.") % {"code": agent.code}, "agent_inactive")

    if errors:
        raise ValidationError(errors)
    return CleanRegistration(
        nik=result.nik,
        name=name,
        birth_date=birth_date,
        sex=sex,
        phone=phone,
        village_code=village_code,
        occupation=occupation,
        permanence=permanence or occupation.permanence,
        declared_income=income,
        programmes=chosen,
        registered_at=registered_at,
        registered_month=registered_month,
        warnings=warnings,
    )


def _income(value, fail) -> int | None:
    if isinstance(value, bool) or value is None or value == "":
        fail("declared_income", _("The declared income is required."), "required")
        return None
    if isinstance(value, str):
        digits = value.strip().replace(".", "").replace(",", "").removeprefix("Rp").strip()
        if not digits.isdigit():
            fail("declared_income", _("The declared income is a whole number of rupiah."))
            return None
        value = int(digits)
    if not isinstance(value, int) or value < 0:
        fail("declared_income", _("The declared income is a whole number of rupiah."))
        return None
    return value
