"""Corrections of a registered participant's details by back-office staff.

A correction never touches the acquisition (channel, outlet, agent, registration date), the NIK or the
birth data, nor the standing kept by the contribution services (status, paid-through month, deposit
balance): those come from registration and the ledger.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.accounts.models import Action
from jaring.members.models import Participant, Standing
from jaring.org.queries import serving_branch_id
from jaring.regions.models import Region

CORRECTABLE = frozenset(
    ("name", "phone", "village", "occupation", "permanence", "segment", "declared_income", "programmes")
)


@transaction.atomic
def participant_correct(*, participant: Participant, changes: dict, actor, summary: str = "") -> Participant:
    """Writes ``changes`` (field name to new value, of ``CORRECTABLE`` only) to the participant under a
    row lock, so a payment recorded since the form was loaded is not undone. A new village moves the
    participant to the branch serving its regency/city (the outlet's branch when none does). Audited with
    the changed fields before and after; returns the participant as stored."""
    if refused := sorted(set(changes) - CORRECTABLE):
        raise ValidationError(
            {name: _("This field is not corrected in the back office.") for name in refused}
        )
    if "name" in changes and not " ".join(str(changes["name"]).split()):
        raise ValidationError({"name": _("The name is required.")})
    village = changes.get("village")
    if village is not None and village.level != Region.Level.VILLAGE:
        raise ValidationError({"village": _("Choose a village (desa/kelurahan) code like 64.71.01.1001.")})
    # The standing is locked first, as every ledger write locks it: a payment of this participant
    # then either ends before the correction or starts after it (its tallies name the office it read).
    # The participant's own lock is a non-key one, which the ledger's foreign-key checks do not wait on.
    Standing.objects.select_for_update().filter(participant_id=participant.pk).first()
    locked = (
        Participant.objects.select_for_update(no_key=True, of=("self",))
        .select_related("outlet")
        .get(pk=participant.pk)
    )
    fields = [name for name, value in changes.items() if getattr(locked, name) != value]
    if "village" in fields:
        fields.append("office")
    if not fields:
        return locked
    before = _values(locked, fields)
    for name in fields:
        if name != "office":
            setattr(locked, name, changes[name])
    if "village" in fields:
        locked.office_id = serving_branch_id(locked.village_id, outlet=locked.outlet)
    locked.save(update_fields=fields)
    what = Said(
        gettext_noop("corrected participant %(number)s: %(fields)s"),
        {"number": locked.number, "fields": ", ".join(sorted(fields))},
    )
    audit(
        actor,
        Action.UPDATE,
        obj=locked,
        before=before,
        after=_values(locked, fields),
        summary=what.noted(summary),
    )
    return locked


def _values(participant: Participant, fields: list[str]) -> dict:
    return {name: getattr(participant, Participant._meta.get_field(name).attname) for name in fields}
