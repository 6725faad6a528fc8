"""Background imports, run by ``jaring worker``."""

from django_tasks import task

from jaring.imports.models import ImportJob
from jaring.imports.services import import_run


@task()
def import_file(job_id: int) -> dict:
    """Runs (or resumes) an import job; a worker killed half-way is resumed by enqueueing it again."""
    job = import_run(ImportJob.objects.get(pk=job_id))
    return {"status": job.status, "accepted": job.accepted, "rejected": job.rejected}
