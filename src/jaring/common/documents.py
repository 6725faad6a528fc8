"""Documents people upload (a signed MoU, a death certificate, a hospital bill): PDF, JPEG or PNG told by
their first bytes, at most ``DOCUMENT_MAX_BYTES``, kept under ``MEDIA_ROOT`` with a name of their own,
never in the database and never served without the viewer's scope being checked (the caller's)."""

from __future__ import annotations

import hashlib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from jaring.common.errors import Problem

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCUMENT_SIGNATURES = {PDF: (b"%PDF-",), JPEG: (b"\xff\xd8\xff",), PNG: (b"\x89PNG\r\n\x1a\n",)}
DOCUMENT_SUFFIX = {PDF: "pdf", JPEG: "jpg", PNG: "png"}


def document_kind(content: bytes) -> str | None:
    """The content type a file's first bytes say it is (PDF, JPEG, PNG), or None for anything else: the
    name and the browser's claim are not trusted."""
    for kind, signatures in DOCUMENT_SIGNATURES.items():
        if any(content.startswith(signature) for signature in signatures):
            return kind
    return None


def document_bytes(content) -> bytes:
    """The bytes of ``content`` (bytes, None, or an open file of which one byte more than the limit is
    read)."""
    if content is None:
        return b""
    if hasattr(content, "read"):
        return content.read(DOCUMENT_MAX_BYTES + 1)
    return content


def document_problem(content: bytes, field: str = "file") -> Problem | None:
    """Why ``content`` cannot be kept as a document, or None."""
    if not content:
        return Problem(field, "required", _("Choose a file."))
    if len(content) > DOCUMENT_MAX_BYTES:
        return Problem(
            field,
            "too_large",
            _("A document is at most %(most)s MB.") % {"most": DOCUMENT_MAX_BYTES // (1024 * 1024)},
        )
    if document_kind(content) is None:
        return Problem(field, "type", _("A document is a PDF, JPEG or PNG file."))
    return None


@dataclass(frozen=True)
class Stored:
    path: str  # relative to MEDIA_ROOT
    content_type: str
    size: int
    sha256: str


@contextmanager
def document_kept(content: bytes, directory: str):
    """Writes ``content`` (already checked by ``document_problem``) under ``MEDIA_ROOT/directory/`` and
    yields what was stored; the file is removed again when the block fails, so a record that is not
    written leaves no file behind."""
    kind = document_kind(content)
    relative = f"{directory}/{uuid.uuid4().hex}.{DOCUMENT_SUFFIX[kind]}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    try:
        yield Stored(relative, kind, len(content), hashlib.sha256(content).hexdigest())
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def document_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def document_file(relative: str, directory: str) -> Path | None:
    """The stored file ``relative`` (as a record keeps it), when it lies under ``MEDIA_ROOT/directory``
    and exists; None otherwise (a record pointing elsewhere is never followed)."""
    root = (Path(settings.MEDIA_ROOT) / directory).resolve()
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    return path if root in path.parents and path.is_file() else None
