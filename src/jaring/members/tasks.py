"""Background tasks of the members app (run by ``jaring worker``)."""

from django_tasks import task

from jaring.members.models import DuplicateScan
from jaring.members.services.scans import duplicate_scan_run


@task()
def duplicate_scan(scan_id: int) -> dict:
    """Runs a probable-duplicate scan asked for on /duplicates/ or by ``jaring duplicates scan
    --background``, writing its progress to its row; a scan run already is left as it is."""
    scan = duplicate_scan_run(scan=DuplicateScan.objects.get(pk=scan_id))
    return {"state": scan.state, **scan.summary}
