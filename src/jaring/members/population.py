"""The population registry (Dukcapil) behind one interface: when one is configured
(``JARING_POPULATION_REGISTRY``: ``fake`` or a dotted path to a class), every registration's NIK, name and
birth date are checked against it as the registrations are written, and its answer is kept with the
registration (``NikVerification``). Without one, nothing is asked and nothing kept.

An adapter takes a list (a file's chunk asks once) and answers per NIK: found or not, and whether the
name and the birth date agree; a registry that cannot be reached answers ``unavailable`` for the list,
and the registrations are written all the same (a verification is evidence, not a gate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from jaring.rules.duplicates import name_key


@dataclass(frozen=True)
class Asked:
    nik: str
    name: str
    birth_date: date


@dataclass(frozen=True)
class Answer:
    status: str  # "found", "not_found", "unavailable"
    name_matches: bool | None = None
    birth_date_matches: bool | None = None
    detail: str = ""


class PopulationRegistry(Protocol):
    source: str

    def verify(self, asked: list[Asked]) -> dict[str, Answer]:
        """An answer per NIK of ``asked``."""


class FakeRegistry:
    """A registry held in memory, for tests and the demo: ``people`` maps a NIK to (name, birth date);
    ``down`` makes it unreachable."""

    source = "fake"

    def __init__(self, people: dict[str, tuple[str, date]] | None = None, *, down: bool = False) -> None:
        self.people = dict(people or {})
        self.down = down
        self.asked: list[list[Asked]] = []

    def verify(self, asked: list[Asked]) -> dict[str, Answer]:
        self.asked.append(list(asked))
        if self.down:
            return {one.nik: Answer("unavailable", detail="the registry did not answer") for one in asked}
        answers = {}
        for one in asked:
            known = self.people.get(one.nik)
            if known is None:
                answers[one.nik] = Answer("not_found")
            else:
                name, born = known
                answers[one.nik] = Answer(
                    "found", name_key(name) == name_key(one.name), born == one.birth_date
                )
        return answers


_installed: list[PopulationRegistry | None] = []


def population_registry() -> PopulationRegistry | None:
    """The configured registry (None: verification off). Tests install one with ``registry_install``."""
    if _installed:
        return _installed[-1]
    return _configured(getattr(settings, "POPULATION_REGISTRY", ""))


@cache
def _configured(path: str) -> PopulationRegistry | None:
    if not path:
        return None
    if path == "fake":
        return FakeRegistry()
    return import_string(path)()


def registry_install(registry: PopulationRegistry | None) -> None:
    """Uses ``registry`` from now on (None: off), until ``registry_uninstall``."""
    _installed.append(registry)


def registry_uninstall() -> None:
    if _installed:
        _installed.pop()
