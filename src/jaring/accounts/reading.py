"""The audit trail as auditors read it: records named as people know them (a participant by number,
not by internal id; a model by its name in the page's language), and a change shown as the fields that
changed, each with its label, the value before and the value after."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from jaring.accounts.audit import changed_fields
from jaring.accounts.models import AuditEntry
from jaring.rules.participant_number import participant_number

PARTICIPANT = "members.participant"
# The records the services audit, named in the page's language (most models keep Django's English default).
NAMES = {
    PARTICIPANT: _("participant"),
    "contributions.payment": _("ledger entry"),
    "contributions.deposit": _("deposit"),
    "contributions.bill": _("bill"),
    "contributions.payer": _("payer"),
    "contributions.raterule": _("rate rule"),
    "channels.agent": _("agent"),
    "channels.outlet": _("outlet"),
    "channels.partner": _("partner"),
    "org.office": _("office"),
    "imports.importjob": _("import job"),
    "monitoring.contest": _("contest"),
    "monitoring.target": _("target"),
    "perisai.statement": _("agent statement"),
    "perisai.payout": _("payout"),
    "tallies.tally": _("tallies"),
    "accounts.auditentry": _("audit trail"),
    "accounts.staffprofile": _("staff profile"),
    "auth.user": _("user"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def object_label(entry: AuditEntry) -> str:
    """ "peserta 00000000018", "pembayaran iuran #42", "peserta (banyak)": the record in people's words."""
    if not entry.object_type:
        return ""
    model = _model(entry.object_type)
    name = str(NAMES.get(entry.object_type) or (model._meta.verbose_name if model else entry.object_type))
    if not entry.object_id:
        return name
    if entry.object_type == PARTICIPANT and entry.object_id.isdigit():
        return f"{name} {participant_number(int(entry.object_id))}"
    return f"{name} #{entry.object_id}"


def changes(entry: AuditEntry) -> list[Change]:
    """The fields an entry's change touched, labelled: every field of a record created or deleted (the
    side that exists), only the differing ones of an update."""
    before, after = entry.before, entry.after
    if before is None and after is None:
        return []
    if before is None or after is None:
        keys = sorted((after if before is None else before).keys())
    else:
        keys = changed_fields(before, after)
    model = _model(entry.object_type)
    return [Change(_label(model, key), _shown(before, key), _shown(after, key)) for key in keys]


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _label(model, key: str) -> str:
    if model is not None:
        for name in (key, key.removesuffix("_id")):
            try:
                label = getattr(model._meta.get_field(name), "verbose_name", None)
            except FieldDoesNotExist:
                continue
            if label:  # a reverse relation has none
                return str(label)
    return key.replace("_", " ")


def _shown(data: dict | None, key: str) -> str:
    if data is None or key not in data:
        return "-"
    value = data[key]
    return "-" if value in (None, "") else str(value)
