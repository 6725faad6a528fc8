"""The probable-duplicate scan as a background job: asked for (``duplicate_scan_request``) on /duplicates/
or by ``jaring duplicates scan --background``, run by ``jaring worker`` (``members.tasks``), its progress
written to its ``DuplicateScan`` row while it runs, so that the page can follow it.

One scope (an office's subtree, or the whole registry) is scanned once at a time: a second request while
one waits or runs is refused, and the database refuses it too (``duplicate_scan_one_at_a_time``).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaring.accounts.audit import Actor, Said, audit, user_of
from jaring.accounts.scope import scope_for
from jaring.common.errors import Problem, problems_error
from jaring.members.models import DuplicateScan
from jaring.members.services.duplicates import duplicates_scan
from jaring.org.models import Office

# The row is written at most this often while a scan runs: the page asks every 2 seconds.
PROGRESS_EVERY_SECONDS = 1.0
# A scan that wrote no progress for this long was stopped with its worker (killed, the machine restarted):
# it is marked failed when its scope is asked for again, which it would otherwise block for good.
STALLED_AFTER = timedelta(hours=1)


def _scope_said(office: Office | None) -> str:
    return office.code if office is not None else gettext_noop("the whole registry")


def _refused(field_name: str, code: str, message: str):
    return problems_error([Problem(field_name, code, message)])


def _in_reach(user, office: Office | None) -> bool:
    """Whether a member of staff may have ``office``'s subtree (None: the whole registry) scanned: a
    national role anything, regional and branch staff their own office and the offices below it."""
    scope = scope_for(user)
    if scope.is_national:
        return True
    if scope.office is None or office is None:
        return False
    return office.path.startswith(scope.office.path)


@transaction.atomic
def duplicate_scan_request(*, office: Office | None, actor, now: datetime | None = None) -> DuplicateScan:
    """Asks for a scan of ``office``'s subtree (None: the whole registry), run in the background by
    ``jaring worker`` once this transaction commits. A member of staff asks within their own offices (a
    national role anywhere); the command line anywhere. Refused while a scan of the same scope waits or
    runs. Audited."""
    now = now or timezone.now()
    user = user_of(actor)
    if user is not None and not _in_reach(user, office):
        raise _refused("office", "out_of_scope", _("You may only scan the participants of your own offices."))
    _stalled_fail(office, now)
    if DuplicateScan.objects.filter(office=office, state__in=_WORKING).exists():
        raise _refused("office", "scan_running", _scan_running_message(office))
    try:
        with transaction.atomic():
            scan = DuplicateScan.objects.create(office=office, requested_by=user, requested_at=now)
    except IntegrityError:  # asked for at the same moment by someone else
        raise _refused("office", "scan_running", _scan_running_message(office)) from None
    said = Said(gettext_noop("probable-duplicate scan %(scan)s of %(scope)s asked for"), {
        "scan": scan.pk, "scope": _scope_said(office),
    })  # fmt: skip
    audit(actor, "create", obj=scan, after=scan, summary=said)
    from jaring.members.tasks import duplicate_scan  # the task module imports this one

    transaction.on_commit(lambda: duplicate_scan.enqueue(scan.pk))
    return scan


_WORKING = (DuplicateScan.State.QUEUED, DuplicateScan.State.RUNNING)


def _stalled_fail(office: Office | None, now: datetime) -> None:
    """Marks failed a scan of the scope that runs but wrote no progress for ``STALLED_AFTER``."""
    stalled = DuplicateScan.objects.filter(
        office=office, state=DuplicateScan.State.RUNNING, progress_at__lt=now - STALLED_AFTER
    )
    for scan in stalled:
        scan.state, scan.finished_at = DuplicateScan.State.FAILED, now
        scan.error = _("No progress since %(moment)s: the worker running the scan stopped.") % {
            "moment": timezone.localtime(scan.progress_at).strftime("%Y-%m-%d %H:%M")
        }
        scan.save(update_fields=["state", "finished_at", "error"])
        said = Said(gettext_noop("probable-duplicate scan %(scan)s marked failed: no progress for an hour"), {
            "scan": scan.pk,
        })  # fmt: skip
        audit(None, "update", obj=scan, summary=said)


def _scan_running_message(office: Office | None) -> str:
    if office is None:
        return _("A scan of the whole registry is already waiting or running; its progress is shown here.")
    return _("A scan of %(office)s is already waiting or running; its progress is shown here.") % {
        "office": office.code
    }


class _Progress:
    """Writes a running scan's step and counts to its row, at most once every ``PROGRESS_EVERY_SECONDS``
    (and always when a step starts)."""

    def __init__(self, scan: DuplicateScan) -> None:
        self.scan = scan
        self.written_at = 0.0
        self.step = ""

    def __call__(self, step: str, done: int, total: int) -> None:
        moment = time.monotonic()
        if step == self.step and moment - self.written_at < PROGRESS_EVERY_SECONDS:
            return
        self.step, self.written_at = step, moment
        DuplicateScan.objects.filter(pk=self.scan.pk).update(
            step=step, done=done, total=total, progress_at=timezone.now()
        )


def duplicate_scan_run(*, scan: DuplicateScan) -> DuplicateScan:
    """Runs a scan that was asked for (``duplicates_scan`` over its office's subtree or the whole
    registry), its progress written to its row while it runs, and marks it done with what it found, or
    failed with the error. A scan no longer waiting (run already by another worker) is left as it is."""
    started = timezone.now()
    if not DuplicateScan.objects.filter(pk=scan.pk, state=DuplicateScan.State.QUEUED).update(
        state=DuplicateScan.State.RUNNING, started_at=started, progress_at=started
    ):
        scan.refresh_from_db()
        return scan
    scan.refresh_from_db()
    who = Actor(f"probable-duplicate scan {scan.pk}", user=scan.requested_by)
    try:
        result = duplicates_scan(office=scan.office, actor=who, progress=_Progress(scan))
    except Exception as error:
        DuplicateScan.objects.filter(pk=scan.pk).update(
            state=DuplicateScan.State.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise
    DuplicateScan.objects.filter(pk=scan.pk).update(
        state=DuplicateScan.State.DONE,
        summary=result.as_json(),
        step="",
        done=result.pairs_compared,
        total=result.pairs_compared,
        finished_at=timezone.now(),
    )
    scan.refresh_from_db()
    return scan
