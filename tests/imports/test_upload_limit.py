"""The upload size limit (settings.IMPORT_MAX_BYTES) is enforced while the upload streams in: the bytes
past it never reach the handlers that store the file, and the user is answered 413 with a message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.urls import reverse
from django.utils import translation

from jaring.imports.models import ImportJob
from jaring.imports.readers import COLUMNS


@pytest.fixture(autouse=True)
def english(admin_client, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def stored(monkeypatch):
    """How many bytes of an upload reached the handlers that store it."""
    received = {"bytes": 0}
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self, raw_data, start, original=original):
            received["bytes"] += len(raw_data)
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    return received


def post(client, size: int):
    file = SimpleUploadedFile("besar.csv", b"x" * size, content_type="text/csv")
    return client.post(reverse("imports:upload"), {"kind": "registrations", "file": file})


@pytest.mark.parametrize(
    ("size", "most_stored"),
    [
        (1_000_000, 0),  # the request announces more than the limit: not one byte is taken
        (120_000, 100_000),  # within the announced slack: stopped at the chunk that passes the limit
    ],
)
def test_an_upload_above_the_limit_is_stopped_while_it_streams_in(
    admin_client, settings, stored, size, most_stored, tmp_path
):
    settings.IMPORT_MAX_BYTES = 100_000
    settings.MEDIA_ROOT = tmp_path
    response = post(admin_client, size)
    assert response.status_code == 413
    assert "The file is larger than 0.1 MB" in response.content.decode()
    assert stored["bytes"] <= most_stored
    assert not ImportJob.objects.exists()
    assert not list(tmp_path.rglob("*.csv"))


def test_the_limit_is_stated_in_megabytes(admin_client, settings, stored):
    settings.IMPORT_MAX_BYTES = 3 * 1024 * 1024
    response = post(admin_client, 3 * 1024 * 1024 + 1)
    assert response.status_code == 413 and "larger than 3 MB" in response.content.decode()


def test_an_upload_within_the_limit_goes_through(admin_client, settings, stored, world):
    settings.IMPORT_MAX_BYTES = 100_000
    header = (",".join(COLUMNS["registrations"]) + "\n").encode()
    file = SimpleUploadedFile("kecil.csv", header, content_type="text/csv")
    response = admin_client.post(reverse("imports:upload"), {"kind": "registrations", "file": file})
    assert response.status_code == 302 and stored["bytes"] == len(header)
    assert ImportJob.objects.get().status == "done"
