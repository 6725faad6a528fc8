"""The one write of the tallies app besides the writer the facts use (``tallies.writer.TallyBatch``):
replacing every tally with what the facts imply (``jaring tallies rebuild``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Said, audit
from jaring.accounts.models import Action
from jaring.tallies.models import CoverageDelta, OfficeMonth, OutletMonth, Tally
from jaring.tallies.verify import expected


@transaction.atomic
def tallies_rebuild(*, actor=None, summary: str = "") -> tuple[int, int]:
    """Replaces every tally, coverage delta and monthly roll-up with what the facts imply; returns the
    row counts of the tallies and deltas. Audited as done by ``actor`` (a request, a user, or None for the
    command line, which says who in ``summary``)."""
    batch = expected()
    for model in (Tally, CoverageDelta, OfficeMonth, OutletMonth):
        model.objects.all().delete()
    batch.write()
    tallies, deltas = Tally.objects.count(), CoverageDelta.objects.count()
    what = Said(
        gettext_noop("tallies rebuilt from the facts: %(tallies)s tallies, %(deltas)s coverage deltas"),
        {"tallies": tallies, "deltas": deltas},
    )
    audit(actor, Action.UPDATE, obj=Tally, summary=what.noted(summary))
    return tallies, deltas
