"""Jaring speaks Indonesian by default and English on request, and its Indonesian catalogue is complete."""

import gettext
import re
import shutil
import subprocess
from contextlib import chdir
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from tests.conftest import jakarta

from jaring.common.errors import DuplicateRegistration
from jaring.members.services import participant_register
from jaring.members.validation import income_messages, programmes_message
from jaring.rules.months import Month
from jaring.rules.programmes import parse_programmes
from jaring.rules.rates import default_ratebook

PACKAGE = Path(settings.PACKAGE_DIR)
CATALOGUE = PACKAGE / "locale" / "id" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in English leaves English active in the thread
    (LocaleMiddleware activates the request's language and nothing deactivates it)."""
    translation.deactivate()
    yield
    translation.deactivate()


def bad_registration(world) -> dict[str, list[str]]:
    """The per-field messages of a registration where nearly every field is wrong."""
    with pytest.raises(ValidationError) as error:
        participant_register(
            nik="12345",
            name="",
            birth_date=None,
            sex="X",
            village_code="99.99.99.9999",
            occupation_code="ASTRONAUT",
            declared_income="banyak",
            programmes="JKK+JP",
            outlet=world.pos_karawang,
        )
    return error.value.message_dict


# Registration messages


def test_registration_errors_are_in_indonesian_by_default(world):
    messages = bad_registration(world)
    assert messages["name"] == ["Nama wajib diisi."]
    assert messages["birth_date"] == ["Tanggal lahir wajib diisi."]
    assert "NIK harus terdiri atas tepat 16 digit." in messages["nik"]
    assert "Jenis kelamin" in messages["sex"][0]
    assert messages["village_code"] == ["Kode desa/kelurahan 99.99.99.9999 tidak dikenal."]
    assert messages["occupation"] == ["Kode pekerjaan ASTRONAUT tidak dikenal."]
    assert "Penghasilan yang dilaporkan" in messages["declared_income"][0]
    assert messages["programmes"] == ["Program JP (Jaminan Pensiun) tidak tersedia bagi peserta BPU."]


def test_registration_errors_are_in_english_on_request(world):
    with translation.override("en"):
        messages = bad_registration(world)
    assert messages["name"] == ["The name is required."]
    assert "A NIK has exactly 16 digits." in messages["nik"]
    assert messages["occupation"] == ["Unknown occupation ASTRONAUT."]
    assert messages["programmes"] == ["JP (pension) is not available to BPU participants."]


def test_income_outside_the_schedule_names_the_limit_in_the_users_language(register):
    with pytest.raises(ValidationError) as error:
        register(declared_income=900_000)
    assert error.value.message_dict["declared_income"] == [
        "Penghasilan yang dilaporkan Rp900.000 di bawah batas minimum Rp1.000.000."
    ]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        register(declared_income="50.000.000")
    (message,) = error.value.message_dict["declared_income"]
    assert message.startswith("The declared income Rp50.000.000 is above the maximum of Rp")


def test_income_messages_are_empty_exactly_when_the_rules_accept_the_income():
    book, month = default_ratebook(), Month.of(2024, 5)
    for income in (0, 999_999, 1_000_000, 5_000_000, 20_700_000, 20_700_001):
        assert bool(income_messages(book, month, income)) == bool(book.income_problems(month, income))


@pytest.mark.parametrize(
    ("text", "indonesian", "english"),
    [
        ("", "Program belum dipilih", "No programme given"),
        ("  + , ", "Program belum dipilih", "No programme given"),
        ("JKK+JKM+JP", "JP (Jaminan Pensiun) tidak tersedia", "JP (pension) is not available"),
        ("jkk, jkp", "Program JKP tidak dikenal", "Unknown programme JKP"),
        ("JKK+JHT", "belum dipilih: JKM", "missing: JKM"),
        ("JHT", "belum dipilih: JKK+JKM", "missing: JKK+JKM"),
    ],
)
def test_each_programme_problem_has_its_own_message(text, indonesian, english):
    with pytest.raises(ValueError) as error:
        parse_programmes(text)
    assert indonesian in programmes_message(text, error.value)
    with translation.override("en"):
        assert english in programmes_message(text, error.value)


def test_duplicate_nik_names_the_outlet_and_the_date_in_indonesian(world, register):
    first = register(registered_at=jakarta(2023, 10, 24))
    with pytest.raises(DuplicateRegistration) as error:
        register(nik=first.nik, outlet=world.pos_balikpapan)
    (message,) = error.value.message_dict["nik"]
    assert message.startswith("NIK ini sudah terdaftar")
    assert "KCU Karawang (POS-KRW)" in message
    assert "24 Oktober 2023" in message


def test_duplicate_nik_in_english_on_request(world, register):
    first = register(registered_at=jakarta(2023, 10, 24))
    with translation.override("en"), pytest.raises(DuplicateRegistration) as error:
        register(nik=first.nik, outlet=world.pos_balikpapan)
    (message,) = error.value.message_dict["nik"]
    assert message.startswith("This NIK is already registered")
    assert "24 October 2023" in message


# The landing page


@pytest.mark.django_db
def test_landing_page_is_in_indonesian_by_default(client):
    page = client.get("/")
    text = page.content.decode()
    assert page["Content-Language"] == "id"
    assert "Masuk" in text and "jaminan sosial ketenagakerjaan" in text
    assert "Sign in" not in text and "social security" not in text


@pytest.mark.django_db
def test_landing_page_stays_indonesian_whatever_the_browser_asks(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    text = page.content.decode()
    assert page["Content-Language"] == "id"
    assert "Masuk" in text and "Sign in" not in text


@pytest.mark.django_db
def test_landing_page_is_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get("/").content.decode()
    assert "Sign in" in text and "Masuk" not in text


# The catalogue


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: {"msgid", "msgstr", "flags", "obsolete"}; enough for jaring's catalogue."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def close():
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            key = None
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            if "msgid" in entry:
                close()
            entry.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if "msgid" in entry:
                close()
        elif line.startswith('"'):
            entry[key] += _unquote(line)
        else:
            key, _, rest = line.partition(" ")
            if key == "msgid" and "msgid" in entry:
                close()
            entry[key] = _unquote(rest)
    close()
    for each in entries:
        each.setdefault("flags", set())
        each.setdefault("msgstr", each.get("msgstr[0]", ""))
    return entries


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda match: escapes[match.group(1)], text[1:-1])


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = read_po(CATALOGUE)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: id" in header["msgstr"]
    assert len(messages) > 50
    assert [e["msgid"] for e in messages if not e["msgstr"]] == []
    assert [e["msgid"] for e in messages if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in messages if e.get("obsolete")] == []
    for entry in messages:
        assert sorted(PLACEHOLDER.findall(entry["msgstr"])) == sorted(PLACEHOLDER.findall(entry["msgid"]))


def test_the_shipped_mo_is_compiled_from_the_po():
    with CATALOGUE.with_suffix(".mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for entry in read_po(CATALOGUE)[1:]:
        assert catalogue.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_the_catalogue_holds_every_message_of_the_code(tmp_path):
    """`makemessages` on a copy of the package finds no message the catalogue lacks."""
    copy = tmp_path / "jaring"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=lambda folder, names: [
            name
            for name in names
            if name == "__pycache__" or (Path(folder, name).is_file() and not name.endswith((".py", ".html")))
        ],
    )
    shutil.copytree(PACKAGE / "locale", copy / "locale", dirs_exist_ok=True)
    with override_settings(LOCALE_PATHS=[copy / "locale"]), chdir(copy):
        call_command("makemessages", locale=["id"], verbosity=0)
    fresh = read_po(copy / "locale" / "id" / "LC_MESSAGES" / "django.po")
    missing = [
        e["msgid"] for e in fresh[1:] if not e.get("obsolete") and (not e["msgstr"] or "fuzzy" in e["flags"])
    ]
    assert missing == [], "run makemessages -l id in src/jaring and translate these"
    statistics = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(CATALOGUE)], capture_output=True, text=True
    )
    assert "untranslated" not in statistics.stderr and "fuzzy" not in statistics.stderr
