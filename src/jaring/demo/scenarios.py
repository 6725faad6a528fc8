"""Scenarios: a world built from declared counts (``jaring scenario load FILE.yaml [--scale X]``).

A scenario declares offices, partners, outlets, contests, targets and potential-market figures, and how
many workers each outlet registers (and how many of them pay) in named date spans. The structure is made
through the services every channel uses; the workers are synthesised as rows of a registration file and a
payment file and loaded through the normal bulk import (``import_job_for_file`` + ``import_run``), so
tallies, coverage and statuses come out exactly as for any real file.

- NIKs are valid and issued in the outlet's district; each (scenario, outlet) owns a block of NIK numbers
  (``ScenarioNikBlock``), so two scenarios or two outlets of one district never make the same NIK and a
  re-run makes the same NIKs again. Serials 5000..9999 are used, leaving the low serials to the demo.
- Loading twice adds nothing: the structure is matched by code, the files come out identical and the
  import recognises them by content.
- ``scale`` multiplies every count (registrations, payments, target values, potential figures; rounded
  half up), so verdicts hold at any scale; prizes and dates stay. The declared figures hold exactly at
  scale 1. Load a scenario at one scale per database: another scale makes other files whose
  NIKs partly collide with the first load (they are refused as duplicates).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jaring.channels.models import Agent, Outlet, Partner
from jaring.channels.services import outlet_create, partner_create
from jaring.common.clock import local_date
from jaring.contributions.queries import ratebook
from jaring.demo.formal import formal_load
from jaring.events.services import campaign_save, event_save
from jaring.imports.models import ImportJob
from jaring.imports.readers import COLUMNS
from jaring.imports.services import import_job_for_file, import_run
from jaring.monitoring.models import ScenarioLoad, ScenarioNikBlock
from jaring.monitoring.services import contest_define, potential_set, target_set
from jaring.monitoring.targets import year_period
from jaring.org.models import BranchArea, Office
from jaring.org.services import branch_areas_assign, office_create
from jaring.regions.models import Region
from jaring.rules.coverage import months_for_payment, runs_from_months
from jaring.rules.money import round_half_up
from jaring.rules.months import Month, month_span
from jaring.rules.nik import Sex, make_nik
from jaring.rules.programmes import parse_programmes
from jaring.rules.rates import NoSchedule

KEYS = {"scenario", "name", "notes", "as_of", "offices", "partners", "spans", "outlets", "contests",
        "targets", "potential", "formal", "campaigns", "events"}  # fmt: skip
OUTLET_KEYS = {
    "code", "name", "partner", "region", "parent", "office", "registrations", "payments", "note", "already"
}  # fmt: skip
BLOCK = 2_000_000  # NIK numbers per (scenario, outlet)
FIRST_SERIAL, SERIALS = 5000, 5000  # serials 5000..9999
FIRST_BIRTH, BIRTH_DAYS = date(1955, 1, 1), 14_610  # births 1955..1994
OCCUPATIONS = ("PEDAGANG_PASAR", "PETANI", "WARUNG", "OJEK", "BURUH_HARIAN", "NELAYAN", "TUKANG")
GIVEN = {
    "M": ("Budi", "Agus", "Slamet", "Joko", "Andi", "Rudi", "Hendra", "Dedi", "Yusuf", "Rahmat", "Imam"),
    "F": ("Siti", "Sri", "Dewi", "Rina", "Wati", "Yuni", "Ani", "Nur", "Lestari", "Fitri", "Ratna"),
}
FAMILY = ("Santoso", "Saputra", "Hidayat", "Wijaya", "Kurniawan", "Setiawan", "Pratama", "Nugroho",
          "Siregar", "Lubis", "Hasibuan", "Pane", "Daulay", "Sembiring", "Ginting")  # fmt: skip

Progress = Callable[[ImportJob], None]


@dataclass
class ScenarioSummary:
    code: str
    scale: Decimal
    offices: int = 0
    outlets: int = 0
    contests: int = 0
    campaigns: int = 0
    events: int = 0
    targets: int = 0
    potential: int = 0
    registrations: int = 0
    payments: int = 0
    registrations_added: int = 0
    payments_added: int = 0
    rejected: int = 0
    companies: int = 0
    companies_added: int = 0
    wage_earners: int = 0
    wage_earners_added: int = 0
    rejected_reasons: dict = field(default_factory=dict)
    kept_areas: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {**self.__dict__, "scale": str(self.scale)}


def scenario_read(path: Path) -> dict:
    """The scenario's declaration, checked for its top-level shape."""
    try:
        spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValidationError({"file": _("The scenario is not valid YAML: %(e)s") % {"e": error}}) from error
    if not isinstance(spec, dict) or not spec.get("scenario"):
        raise ValidationError({"file": _("A scenario is a mapping with at least a `scenario` code.")})
    if unknown := sorted(set(spec) - KEYS):
        raise ValidationError({"file": _("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)}})
    return spec


def _day(value, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise ValidationError({what: _("Write the date as YYYY-MM-DD, not %(v)s.") % {"v": value}}) from error


def _spans(spec: dict) -> dict[str, tuple[date, date]]:
    """The named date spans; each must be past and priced by a contribution schedule (a registration
    before the first schedule cannot be checked)."""
    book = ratebook()
    spans = {}
    for name, value in (spec.get("spans") or {}).items():
        start, end = (value.get("start"), value.get("end")) if isinstance(value, dict) else value
        start, end = _day(start, f"spans.{name}"), _day(end, f"spans.{name}")
        if end < start:
            raise ValidationError({f"spans.{name}": _("The span ends before it starts.")})
        if end > local_date():
            raise ValidationError({f"spans.{name}": _("A span cannot end in the future.")})
        try:
            book.schedule_for(Month.from_date(start))
        except NoSchedule as error:
            raise ValidationError(
                {f"spans.{name}": _("No contribution schedule is in force in %(m)s.") % {"m": error}}
            ) from error
        spans[str(name)] = (start, end)
    return spans


def scaled(count: int, scale: Fraction) -> int:
    return round_half_up(Fraction(int(count)) * scale)


# --- The structure: offices, partners, outlets, contests, targets, potential ------------------------------


def _offices(spec: dict, summary: ScenarioSummary) -> None:
    for item in spec.get("offices") or []:
        office = Office.objects.filter(code=item["code"]).first()
        if office is None:
            parent = Office.objects.get(code=item["parent"]) if item.get("parent") else None
            office = office_create(code=item["code"], name=item["name"], kind=item["kind"], parent=parent)
        elif office.kind != item["kind"]:
            raise ValidationError(
                {
                    "offices": _("Office %(c)s exists as a %(k)s office.")
                    % {"c": office.code, "k": office.kind}
                }
            )
        summary.offices += 1
        regencies = [str(code) for code in item.get("regencies") or []]
        served = dict(
            BranchArea.objects.filter(regency_id__in=regencies).values_list("regency_id", "office_id")
        )
        free = [code for code in regencies if code not in served]
        # A regency already served by another branch keeps it: a scenario does not move a live world's areas.
        summary.kept_areas += [code for code in regencies if served.get(code, office.pk) != office.pk]
        if free:
            branch_areas_assign(office=office, regency_codes=free)


def _outlets(spec: dict, summary: ScenarioSummary) -> dict[str, Outlet]:
    for item in spec.get("partners") or []:
        if not Partner.objects.filter(code=item["code"]).exists():
            partner_create(code=item["code"], name=item["name"], kind=item["kind"])
    outlets = {}
    for item in spec.get("outlets") or []:
        if unknown := sorted(set(item) - OUTLET_KEYS):
            raise ValidationError({"outlets": _("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)}})
        outlet = Outlet.objects.select_related("partner").filter(code=item["code"]).first()
        if outlet is None:
            partner = Partner.objects.filter(code=item["partner"]).first()
            if partner is None:
                raise ValidationError({"outlets": _("Unknown partner %(p)s.") % {"p": item["partner"]}})
            outlet = outlet_create(
                code=item["code"],
                name=item["name"],
                partner=partner,
                region_code=str(item["region"]),
                parent=Outlet.objects.get(code=item["parent"]) if item.get("parent") else None,
                office=Office.objects.get(code=item["office"]) if item.get("office") else None,
            )
        elif outlet.partner.code != item["partner"]:
            raise ValidationError(
                {
                    "outlets": _("Outlet %(o)s exists under partner %(p)s.")
                    % {"o": outlet.code, "p": outlet.partner.code}
                }
            )
        outlets[outlet.code] = outlet
        summary.outlets += 1
    return outlets


def _targets(spec: dict, summary: ScenarioSummary, scale: Fraction) -> None:
    for item in spec.get("targets") or []:
        if "year" in item:
            start, end = year_period(int(item["year"]))
        else:
            start, end = _day(item["start"], "targets.start"), _day(item["end"], "targets.end")
        owner = {}
        if item.get("office"):
            owner["office"] = Office.objects.get(code=item["office"])
        elif item.get("outlet"):
            owner["outlet"] = Outlet.objects.get(code=item["outlet"])
        else:
            owner["agent"] = Agent.objects.get(code=item["agent"])
        target_set(
            metric=item["metric"],
            start=start,
            end=end,
            value=scaled(item["value"], scale),
            segment=str(item.get("segment", "BPU") or ""),
            note=str(item.get("note", "")).strip()[:255],
            **owner,
        )
        summary.targets += 1


def _events(spec: dict, summary: ScenarioSummary, scale: Fraction) -> dict[str, tuple[date, date]]:
    """The campaigns and events (through their services); each event's days, a span its registrations
    name by the event's code."""
    for item in spec.get("campaigns") or []:
        campaign_save(
            actor=None,
            code=str(item["code"]),
            name=str(item["name"]),
            starts_on=_day(item["starts_on"], "campaigns.starts_on"),
            ends_on=_day(item["ends_on"], "campaigns.ends_on"),
            note=str(item.get("note", "")),
        )
        summary.campaigns += 1
    days = {}
    for item in spec.get("events") or []:
        event = event_save(
            actor=None,
            code=str(item["code"]),
            name=str(item["name"]),
            kind=str(item.get("kind", "other")),
            city_code=str(item["city"]),
            starts_on=_day(item["starts_on"], "events.starts_on"),
            ends_on=_day(item["ends_on"], "events.ends_on"),
            campaign_code=str(item.get("campaign", "")),
            office_code=str(item.get("office", "")),
            target_attendance=scaled(item.get("target", 0), scale),
            attendance=scaled(item["attendance"], scale) if item.get("attendance") is not None else None,
            cost=int(item.get("cost", 0)),
        )
        days[event.code] = (event.starts_on, event.ends_on)
        summary.events += 1
    return days


def _potential(spec: dict, summary: ScenarioSummary, scale: Fraction) -> None:
    items = spec.get("potential") or []
    explicit = frozenset(str(item["region"]) for item in items if item.get("region"))
    for item in items:
        common = {
            "workers": scaled(item["workers"], scale),
            "effective_from": _day(item["effective"], "potential.effective"),
            "source": str(item.get("source", "")).strip()[:255],
        }
        if item.get("region"):
            rows = potential_set(region=Region.objects.get(code=str(item["region"])), **common)
        else:
            office = Office.objects.get(code=item["office"])
            rows = potential_set(office=office, except_regencies=explicit, **common)
        summary.potential += len(rows)


# --- The workers: synthetic rows through the bulk import ---------------------------------------------------


@dataclass(frozen=True)
class _Worker:
    nik: str
    row: list[str]
    registered: date
    income: int
    programmes: str


class _Synth:
    """Makes the workers of one outlet: NIKs from the outlet's block, homes in the outlet's district."""

    def __init__(self, scenario: str, outlet: Outlet):
        self.outlet = outlet
        self.district = _district_of(outlet.region_id)
        self.villages = list(
            Region.objects.filter(parent_id=self.district, level=Region.Level.VILLAGE)
            .order_by("code")
            .values_list("code", flat=True)
        )
        if not self.villages:
            raise ValidationError({"outlets": _("District %(d)s has no villages.") % {"d": self.district}})
        self.first = _block(scenario, outlet, self.district)
        self.count = 0

    def worker(self, registered: date) -> _Worker:
        index = self.count
        self.count += 1
        if index >= BLOCK:
            raise ValidationError(
                {"outlets": _("Too many workers for outlet %(o)s.") % {"o": self.outlet.code}}
            )
        number = self.first + index
        # Consecutive workers are born on consecutive days (the serial changes last): workers of one
        # birth date, sex and district are far apart, so their names and villages do not repeat and the
        # scenario's people do not look like probable duplicates of one another.
        rest, days = divmod(number, BIRTH_DAYS)
        serial, female = divmod(rest, 2)
        born = FIRST_BIRTH + timedelta(days=days)
        sex = Sex.FEMALE if female else Sex.MALE
        income = 2_000_000 if index % 7 == 6 else 1_000_000
        programmes = "JKK+JKM+JHT" if index % 5 == 4 else "JKK+JKM"
        given = GIVEN[sex.value]
        nik = make_nik(self.district, born, sex, FIRST_SERIAL + serial)
        # names and phones differ between districts too (blocks of different districts share numbers)
        place = int(self.district.replace(".", ""))
        row = [
            nik,
            f"{given[(number + place) % len(given)]} {FAMILY[(number // 11 + place) % len(FAMILY)]}",
            born.isoformat(),
            sex.value,
            f"08{(place * 1_000_003 + number) % 10**10:010d}",
            self.villages[index % len(self.villages)],
            OCCUPATIONS[index % len(OCCUPATIONS)],
            str(income),
            programmes,
            self.outlet.code,
            "",
            registered.isoformat(),
        ]
        return _Worker(nik, row, registered, income, programmes)


def _district_of(region_code: str) -> str:
    if len(region_code) >= 8:
        return region_code[:8]
    district = (
        Region.objects.filter(parent_id=region_code, level=Region.Level.DISTRICT)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if district is None:
        raise ValidationError({"outlets": _("Regency %(r)s has no districts.") % {"r": region_code}})
    return district


def _block(scenario: str, outlet: Outlet, district: str) -> int:
    """The first NIK number of the (scenario, outlet) block, allocated on first use."""
    with transaction.atomic():
        block = ScenarioNikBlock.objects.filter(scenario=scenario, outlet=outlet).first()
        if block is not None:
            return block.first
        used = (
            ScenarioNikBlock.objects.select_for_update().filter(district=district).order_by("-first").first()
        )
        first = used.first + BLOCK if used else 0
        if first + BLOCK > SERIALS * 2 * BIRTH_DAYS:
            raise ValidationError({"outlets": _("No NIK numbers left in district %(d)s.") % {"d": district}})
        return ScenarioNikBlock.objects.create(
            scenario=scenario, outlet=outlet, district=district, first=first
        ).first


def _spread(start: date, end: date, count: int) -> list[date]:
    """``count`` days spread evenly over ``start..end`` (the first on ``start``)."""
    days = (end - start).days + 1
    return [start + timedelta(days=(i * days) // count) for i in range(count)]


def _plan(
    spec: dict,
    spans: dict,
    outlets: dict[str, Outlet],
    scale: Fraction,
    code: str,
    events: dict | None = None,
):
    """The registration rows and payment rows (sorted by payment day) of every outlet. A span that is an
    event's days puts the event's code on its rows; an outlet's ``already`` sends some of its workers again
    at an event (after every first registration, so they are refused as duplicates and the event counts
    them as already registered)."""
    book = ratebook()
    events = events or {}
    registrations: list[list[str]] = []
    again: list[list[str]] = []
    payments: list[tuple[date, str, list[str]]] = []
    for item in spec.get("outlets") or []:
        outlet = outlets[item["code"]]
        synth = _Synth(code, outlet)
        batches: dict[str, list[_Worker]] = {}
        for span, count in (item.get("registrations") or {}).items():
            if span not in spans:
                raise ValidationError({"outlets": _("Unknown span %(s)s.") % {"s": span}})
            workers = [synth.worker(day) for day in _spread(*spans[span], scaled(count, scale))]
            batches[span] = workers
            registrations.extend([*worker.row, span if span in events else ""] for worker in workers)
        if already := item.get("already"):
            event, count = str(already.get("event", "")), scaled(already.get("count", 0), scale)
            if event not in events or already.get("of") not in batches:
                raise ValidationError(
                    {"outlets": _("Outlet %(o)s sends workers again at an unknown event or from a span it "
                                  "registers nobody in.") % {"o": outlet.code}}
                )  # fmt: skip
            workers = batches[already["of"]][-count:] if count else []
            for worker, day in zip(workers, _spread(*events[event], len(workers)), strict=True):
                row = [*worker.row, event]
                row[COLUMNS[ImportJob.Kind.REGISTRATIONS].index("registered_at")] = day.isoformat()
                again.append(row)
        entries = item.get("payments") or {}
        if isinstance(entries, dict):
            entries = [{"of": span, "count": count} for span, count in entries.items()]
        runs: dict[str, tuple] = {}
        planned = []
        for number, entry in enumerate(entries):
            months = int(entry.get("months", 1))
            if entry.get("of") not in batches or (entry.get("in") and entry["in"] not in spans):
                raise ValidationError(
                    {
                        "outlets": _("Outlet %(o)s pays from a span it registers nobody in.")
                        % {"o": outlet.code}
                    }
                )
            if months not in book.policy_for(Month.from_date(spans[entry["of"]][0])).payment_month_counts:
                raise ValidationError({"outlets": _("A payment covers 1, 3, 6 or 12 months.")})
            payers = batches[entry["of"]][: scaled(entry["count"], scale)]
            if entry.get("in"):
                days = _spread(*spans[entry["in"]], len(payers)) if payers else []
            else:
                days = [worker.registered for worker in payers]
            for worker, day in zip(payers, days, strict=True):
                planned.append((max(day, worker.registered), worker, months, number))
        for day, worker, months, number in sorted(planned, key=lambda p: (p[0], p[1].nik, p[3])):
            current = Month.from_date(day)
            own = runs.get(worker.nik, ())
            covered = months_for_payment(
                own,
                registered=Month.from_date(worker.registered),
                current=current,
                count=months,
                policy=book.policy_for(current),
            )
            runs[worker.nik] = runs_from_months(
                {m for run in own for m in month_span(run.first, run.last - run.first + 1)} | set(covered)
            )
            price = book.price(
                covered[0], months, income=worker.income, programmes=parse_programmes(worker.programmes)
            )
            reference = f"{code}:{outlet.code}:{worker.nik}:{number}"
            payments.append(
                (
                    day,
                    worker.nik,
                    [worker.nik, str(months), str(price.total), day.isoformat(), outlet.code, reference],
                )
            )
    payments.sort(key=lambda p: (p[0], p[1]))
    return registrations + again, [p[2] for p in payments]


def _file_write(folder: Path, kind: str, rows: list[list[str]]) -> Path:
    """Writes the rows under a name made from their content, so a changed plan never overwrites a file an
    earlier import read."""
    lines = [COLUMNS[kind], *rows]
    digest = hashlib.sha256()
    for row in lines:
        digest.update(("\x1f".join(row) + "\n").encode())
    path = folder / f"{kind}-{digest.hexdigest()[:16]}.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(lines)
        temporary.replace(path)
    return path


def _import(path: Path, kind: str, summary: ScenarioSummary, progress: Progress | None) -> None:
    job = import_job_for_file(path=path, kind=kind, original_name=path.name)
    already = job.status == ImportJob.Status.DONE
    job = import_run(job, progress=progress)
    if job.status != ImportJob.Status.DONE:
        raise ValidationError({"file": _("Importing %(f)s failed: %(e)s") % {"f": path.name, "e": job.error}})
    summary.files.append(str(path))
    if not already:
        if kind == ImportJob.Kind.REGISTRATIONS:
            summary.registrations_added += job.accepted
        else:
            summary.payments_added += job.accepted
        summary.rejected += job.rejected
        for reason, count in job.reasons.items():
            summary.rejected_reasons[reason] = summary.rejected_reasons.get(reason, 0) + count


def scenario_load(
    *,
    path: Path,
    scale: Decimal | str | int = 1,
    work_dir: Path | None = None,
    progress: Progress | None = None,
) -> ScenarioSummary:
    """Builds (or completes) the scenario's world; loading it again adds nothing."""
    spec = scenario_read(path)
    try:
        scale = Decimal(str(scale))
    except ArithmeticError as error:
        raise ValidationError({"scale": _("The scale is a number.")}) from error
    if not scale > 0:
        raise ValidationError({"scale": _("The scale is a number above zero.")})
    code = str(spec["scenario"])
    summary = ScenarioSummary(code=code, scale=scale)
    spans = _spans(spec)
    with transaction.atomic():
        _offices(spec, summary)
        outlets = _outlets(spec, summary)
        for contest in spec.get("contests") or []:
            contest_define(spec=contest)
            summary.contests += 1
        _targets(spec, summary, Fraction(scale))
        _potential(spec, summary, Fraction(scale))
        events = _events(spec, summary, Fraction(scale))
    if clash := sorted(set(events) & set(spans)):
        raise ValidationError({"spans": _("A span is named like an event: %(c)s.") % {"c": ", ".join(clash)}})
    spans.update(events)
    registrations, payments = _plan(spec, spans, outlets, Fraction(scale), code, events)
    summary.registrations, summary.payments = len(registrations), len(payments)
    folder = Path(work_dir or Path(settings.MEDIA_ROOT) / "scenarios") / code
    if registrations:
        _import(
            _file_write(folder, ImportJob.Kind.REGISTRATIONS, registrations),
            ImportJob.Kind.REGISTRATIONS,
            summary,
            progress,
        )
    if payments:
        _import(
            _file_write(folder, ImportJob.Kind.PAYMENTS, payments), ImportJob.Kind.PAYMENTS, summary, progress
        )
    if spec.get("formal"):
        formal = formal_load(
            spec["formal"], spans=spans, outlets=outlets, scale=Fraction(scale), scenario=code, synth=_Synth
        )
        summary.companies, summary.companies_added = formal.companies, formal.companies_added
        summary.wage_earners, summary.wage_earners_added = formal.workers, formal.workers_added
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    load, created = ScenarioLoad.objects.get_or_create(
        code=code, sha256=digest, scale=scale, defaults={"summary": summary.as_json()}
    )
    added = (
        summary.registrations_added,
        summary.payments_added,
        summary.companies_added,
        summary.wage_earners_added,
    )
    if not created and any(added):
        load.summary = summary.as_json()
        load.save(update_fields=["summary"])
    return summary


def racing_contest_path() -> Path:
    """The Racing Contest scenario shipped at the root of the source tree (``scenarios/``)."""
    return Path(__file__).resolve().parents[3] / "scenarios" / "racing-contest.yaml"
