"""The audit trail: who signed in, who changed what, who viewed or exported personal data.

- ``audit(request_or_user, action, obj=..., before=..., after=..., summary=...)`` after a write
  (``create``, ``update``, ``delete``), in the write's transaction, so a rolled-back write leaves no entry.
- ``audit_personal_data(request, action, obj=..., summary=...)`` whenever a response shows an unmasked NIK
  or phone number (``view_personal_data``), hands out a file of personal data (``export``), or unmasks a
  record on request (``reveal``).

Sign-ins, failed sign-ins and sign-outs, and every write made in the Django admin, are recorded by
``jaring.accounts.signals`` without any call. Snapshots never hold a full NIK, phone number or password
hash: see ``snapshot``.
"""

from __future__ import annotations

import getpass
import json
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext

from jaring.accounts.models import PERSONAL_DATA_ACTIONS, Action, AuditEntry
from jaring.accounts.network import client_ip, user_agent
from jaring.accounts.scope import scope_for
from jaring.common.privacy import mask_nik, mask_phone

# The request being served, set by ``middleware.AuditContextMiddleware``: lets an entry written deep in a
# service (or by a signal receiver) carry the address and browser of the person who caused it.
current_request: ContextVar[HttpRequest | None] = ContextVar("jaring_current_request", default=None)

HIDDEN = "(hidden)"


@dataclass(frozen=True)
class Said:
    """A summary an auditor reads in the page's language: ``message`` in English, marked where it is
    written with ``gettext_noop`` (so the catalogue holds it), the ``values`` it names, any clauses
    ``plus``-ed after it, and the caller's ``note`` ("admin", "jaring import ... by siti"), kept as
    typed. The entry keeps the English text as its ``summary`` (searched, exported by the CLI) and this
    as ``said``, translated when the trail is read.

        audit(actor, "create", obj=job, summary=Said(gettext_noop("import of %(file)s"), {"file": name}))
    """

    message: str
    values: dict = field(default_factory=dict)
    note: str = ""
    more: tuple[tuple[str, dict], ...] = ()

    def noted(self, note: str) -> Said:
        """The same summary with the caller's note after it."""
        return replace(self, note="; ".join(part for part in (self.note, note) if part))

    def plus(self, message: str, values: dict | None = None) -> Said:
        """The same summary with a clause after it (", with a historical date (2024-05-03)")."""
        return replace(self, more=(*self.more, (message, values or {})))

    def text(self, *, translated: bool = False) -> str:
        said = ", ".join(_filled(m, v, translated) for m, v in ((self.message, self.values), *self.more))
        return f"{said}; {self.note}" if self.note else said

    def __str__(self) -> str:
        return self.text()

    def as_json(self) -> dict:
        return {"message": self.message, "values": self.values, "note": self.note, "more": list(self.more)}

    @classmethod
    def from_json(cls, data: dict) -> Said:
        more = tuple((message, values or {}) for message, values in data.get("more") or ())
        return cls(data.get("message", ""), data.get("values") or {}, data.get("note", ""), more)


def _filled(message: str, values: dict, translated: bool) -> str:
    """``message`` with its values, translated when asked; a translation that lost a value is said in
    English, and a message whose values do not fit it is shown as written (never an error page)."""
    for shown in (gettext(message), message) if translated else (message,):
        try:
            return shown % values if values else shown
        except (KeyError, TypeError, ValueError):
            continue
    return message


def noted(what: Said | str, note: str) -> Said | str:
    """``what`` with the caller's ``note`` after it ("what; note"), a ``Said`` kept one."""
    if isinstance(what, Said):
        return what.noted(note)
    return f"{what}; {note}" if note else what


@dataclass(frozen=True)
class Actor:
    """Who caused a write when it is not (only) a signed-in user: a partner system by its API key, the
    command line, an import job. ``name`` is what the audit trail shows for them; ``request`` (when
    there is one) gives the address and browser."""

    name: str
    request: HttpRequest | None = None
    user: Any = None

    @classmethod
    def api_key(cls, api_key, request: HttpRequest | None = None) -> Actor:
        return cls(f"API key {api_key.prefix} ({api_key.outlet.code})", request=request)

    @classmethod
    def cli(cls) -> Actor:
        return cls(f"jaring command line ({getpass.getuser()})")

    @classmethod
    def import_job(cls, job) -> Actor:
        return cls(f"import job {job.pk}", user=job.created_by)


def audit(
    request_or_user: HttpRequest | Any | None,
    action: str,
    *,
    obj: Model | type[Model] | None = None,
    before: Model | dict | None = None,
    after: Model | dict | None = None,
    summary: str | Said = "",
) -> AuditEntry:
    """Records that the user of ``request_or_user`` did ``action`` to ``obj``.

    ``request_or_user`` is the request (best: it carries the address and browser), the user (address and
    browser are taken from the request being served, if it is that user's), or None for the system (a
    command line run: say who in ``summary``). ``obj`` is the record acted on, or a model class for an
    action on many rows. ``before``/``after`` are the record's state (a model instance or a dict); they
    pass through ``snapshot``.
    """
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(Action.values)}")
    object_type, object_id = _object_ref(obj)
    return record(
        request_or_user,
        action,
        object_type=object_type,
        object_id=object_id,
        before=snapshot(before),
        after=snapshot(after),
        summary=summary,
    )


def audit_personal_data(
    request: HttpRequest, action: str, *, obj: Model | type[Model] | None = None, summary: str | Said = ""
) -> AuditEntry:
    """Records that the signed-in user of ``request`` viewed (``view_personal_data``), exported
    (``export``) or revealed (``reveal``) personal data: of ``obj``, or of rows of a model (pass the
    model class and say which rows in ``summary``: "participants of POS-KRW, status active, 1,204 rows").
    """
    if action not in PERSONAL_DATA_ACTIONS:
        raise ValueError(f"{action!r} is not a personal-data action; one of {sorted(PERSONAL_DATA_ACTIONS)}")
    object_type, object_id = _object_ref(obj)
    return record(request, action, object_type=object_type, object_id=object_id, summary=summary)


def record(
    request_or_user: HttpRequest | Any | None,
    action: str,
    *,
    user: Any = None,
    username: str | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    summary: str | Said = "",
) -> AuditEntry:
    """Writes one entry; ``before``/``after`` must already be snapshots. ``user`` overrides the request's
    user (a sign-in, before ``request.user`` is set); ``username`` names someone who has no user (a failed
    sign-in)."""
    if isinstance(request_or_user, Actor):
        username = username or request_or_user.name
        request_or_user = request_or_user.request or request_or_user.user
    request, request_user = _request_and_user(request_or_user)
    user = user if user is not None else request_user
    known = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        user_pk=user.pk if known else None,
        username=(user.get_username() if known else username or "")[:150],
        role=(scope_for(user).role or "") if known else "",
        action=action,
        object_type=object_type[:100],
        object_id=object_id[:64],
        summary=str(summary)[:500],
        said=summary.as_json() if isinstance(summary, Said) else None,
        before=before,
        after=after,
        ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
    )


def snapshot(value: Model | dict | None) -> dict | None:
    """A JSON-safe copy of a record's fields with personal data masked: ``nik`` and ``phone`` (and any
    field ending in ``_nik``/``_phone``) through ``common.privacy``, ``password`` hidden. The audit trail
    says *that* a NIK changed (the masked values, the field named in the summary) without itself becoming
    a store of personal data."""
    if value is None:
        return None
    if isinstance(value, Model):
        data = {f.attname: getattr(value, f.attname) for f in value._meta.concrete_fields}
    else:
        data = dict(value)
    return _masked(json.loads(json.dumps(data, cls=_Encoder)))


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    """The keys whose values differ between two snapshots."""
    if not before or not after:
        return []
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _masked(data: Any) -> Any:
    if isinstance(data, dict):
        result = {}
        for key, item in data.items():
            name = str(key).lower()
            if name == "password":
                result[key] = HIDDEN
            elif isinstance(item, str) and (name == "nik" or name.endswith("_nik")):
                result[key] = mask_nik(item)
            elif isinstance(item, str) and (name == "phone" or name.endswith("_phone")):
                result[key] = mask_phone(item)
            else:
                result[key] = _masked(item)
        return result
    if isinstance(data, list):
        return [_masked(item) for item in data]
    return data


class _Encoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as Django writes them; anything else (a ``Month``) as its text."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _object_ref(obj: Model | type[Model] | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, type) and issubclass(obj, Model):
        return obj._meta.label_lower, ""
    if isinstance(obj, Model):
        return obj._meta.label_lower, "" if obj.pk is None else str(obj.pk)
    raise TypeError(f"audit obj must be a model instance or class, not {type(obj).__name__}")


def user_of(actor):
    """The staff user an actor stands for (the signed-in user of a request, or the user given); None
    for an API key, the command line or a job."""
    if actor is None or isinstance(actor, Actor):
        return None
    return _request_and_user(actor)[1]


def _request_and_user(request_or_user) -> tuple[HttpRequest | None, Any]:
    if isinstance(request_or_user, HttpRequest):
        return request_or_user, getattr(request_or_user, "user", None)
    current = current_request.get()
    if request_or_user is None:
        return None, None
    same = current is not None and getattr(getattr(current, "user", None), "pk", None) == request_or_user.pk
    return (current if same else None), request_or_user
