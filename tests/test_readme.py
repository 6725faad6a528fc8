"""Every `jaring` command the README and docs/ show runs, in order, against the demo world: an example
that stops working fails here (issue #13).

Commands that serve, wait for work or ask questions (``serve``, ``worker``, ``createsuperuser``) and the
ones that build the world this test stands on (``init``, ``demo``) are asked for their ``--help``
instead. The commands run in a folder of their own, where ``docs/`` and ``scenarios/`` are at hand and the
files they write land; ``> FILE`` writes what a command prints to a file there, as a shell would.
"""

from __future__ import annotations

import re
import shlex
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from jaring.demo.world import demo_world_load

ROOT = Path(__file__).resolve().parents[1]
ASKED_FOR_HELP = {"serve", "worker", "init", "demo", "createsuperuser"}
DOCUMENTS = ("README.md", *sorted(f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")))
# The demo world's day: the README's months (2026-10) lie behind it, as they would for an operator.
TODAY = date(2026, 11, 20)


def readme_commands(text: str) -> list[str]:
    """The `jaring` command lines of a document's shell blocks, continuations joined, comments dropped."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #", 1)[0].strip().removeprefix(".venv/bin/")
            if line.startswith("jaring "):
                commands.append(line)
    return commands


def documented_commands() -> list[tuple[str, str]]:
    """(document, command) for every document, the README first."""
    return [
        (document, command)
        for document in DOCUMENTS
        for command in readme_commands((ROOT / document).read_text(encoding="utf-8"))
    ]


def test_the_documents_show_concrete_jaring_commands():
    commands = documented_commands()
    assert len(commands) >= 50
    vague = [f"{document}: {c}" for document, c in commands if "..." in c or re.search(r"\[--| \| ", c)]
    assert not vague, "every example is concrete:\n" + "\n".join(vague)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_world_load(participants=400, today=TODAY, perisai_patterns=True)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_documented_command_runs_against_the_demo_world(demo, tmp_path, monkeypatch, capsys):
    for folder in ("docs", "scenarios"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)
    failed = []
    for document, line in documented_commands():
        words = shlex.split(line)[1:]
        output = None
        if ">" in words:
            at = words.index(">")
            output, words = tmp_path / words[at + 1], words[:at]
        if words[0] in ASKED_FOR_HELP:
            words = [words[0], "--help"]
        try:
            call_command(*words)
        except SystemExit as stop:
            if stop.code not in (0, None):
                failed.append(f"{document}: {line}: exit {stop.code}: {capsys.readouterr().err[-500:]}")
        except Exception as error:
            failed.append(f"{document}: {line}: {type(error).__name__}: {error}")
        printed = capsys.readouterr().out
        if output is not None:
            output.write_text(printed, encoding="utf-8")
    assert not failed, "documented commands that fail:\n" + "\n".join(failed)
    # and they did what they say: the worker registered and paid, the example file imported
    from jaring.contributions.models import Payment
    from jaring.members.models import Participant

    dewi = Participant.objects.get(nik="6471054412850003")
    assert Payment.objects.filter(participant=dewi, months=3).count() == 1
    example = (ROOT / "docs/examples/registrations.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert Participant.objects.filter(nik__in=[row.split(",")[0] for row in example]).count() == len(example)
    assert (tmp_path / "payout.csv").read_text(encoding="utf-8").startswith("reference,")
