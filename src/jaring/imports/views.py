"""The Impor pages: upload a file, watch its progress, take the result file away.

Who: tellers, agents, branch and regional staff, head-office analysts and admins (``IMPORT_ROLES``); to
payers, auditors and users without a role the pages do not exist (404). Everyone sees the jobs of their
scope (``Scope.import_jobs``); only the roles that act at outlets (``ACTING_ROLES``) upload, and each row
of their file must name an outlet where they may act (``imports.gate``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import uuid4

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from jaring.accounts.audit import Said, audit_personal_data
from jaring.accounts.models import Action, Role
from jaring.accounts.scope import ACTING_ROLES, get_in_scope_or_404, roles_only
from jaring.imports.models import ImportJob
from jaring.imports.readers import template_csv
from jaring.imports.services import file_sha256, import_job_open
from jaring.imports.tasks import import_file

RECENT_JOBS = 50
IMPORT_ROLES = ACTING_ROLES | {Role.REGIONAL_STAFF, Role.HEAD_OFFICE_ANALYST}
WORKING = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=_("CSV or XLSX file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".csv", ".xlsx", ".txt"}:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_large_message())
        return upload


def too_large_message() -> str:
    most = f"{settings.IMPORT_MAX_BYTES / (1024 * 1024):,.1f}".removesuffix(".0")
    return gettext("The file is larger than %(most)s MB; split it or use `jaring import`.") % {"most": most}


# Signed-out visitors sign in; signed-in users whose role does not import get 404.
importers_only = roles_only(IMPORT_ROLES)


def _uploads() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _jobs(scope):
    return scope.import_jobs(ImportJob.objects.select_related("created_by"))[:RECENT_JOBS]


def _list_page(request, scope, form, *, status: int = 200):
    jobs = list(_jobs(scope))
    context = {
        "jobs": jobs,
        "form": form if scope.role in ACTING_ROLES else None,
        "working": any(job.status in WORKING for job in jobs),
    }
    return render(request, "imports/list.html", context, status=status)


@require_GET
@importers_only
def import_list(request, scope):
    if request.headers.get("HX-Request"):  # the list polling itself while an import waits or runs
        jobs = list(_jobs(scope))
        working = any(job.status in WORKING for job in jobs)
        return render(request, "imports/_jobs.html", {"jobs": jobs, "working": working})
    return _list_page(request, scope, UploadForm())


@require_POST
@importers_only
def import_upload(request, scope):
    if scope.role not in ACTING_ROLES:
        raise Http404
    files = request.FILES  # reads the body, through imports.uploads.SizeLimitHandler
    if getattr(request, "upload_too_large", False):  # stopped while it streamed in
        form = UploadForm(request.POST)
        form.is_valid()
        form.errors.clear()
        form.add_error(None, too_large_message())
        return _list_page(request, scope, form, status=413)
    form = UploadForm(request.POST, files)
    if not form.is_valid():
        return _list_page(request, scope, form, status=400)
    upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
    path = _uploads() / f"{uuid4().hex}{Path(upload.name).suffix.lower()}"
    with open(path, "wb") as handle:
        for block in upload.chunks():
            handle.write(block)
    digest = _upload_key(scope, kind, file_sha256(path), request.user)
    summary = Said(
        gettext_noop("upload of %(file)s (%(kind)s, %(size)s bytes)"),
        {"file": upload.name, "kind": kind, "size": upload.size},
    )
    job, _new = import_job_open(
        path=path,
        kind=kind,
        actor=request,
        original_name=upload.name,
        sha256=digest,
        result_dir=_uploads(),
        summary=summary,
    )
    if job.path != str(path):
        path.unlink(missing_ok=True)  # the same file was uploaded before: its job goes on with its own copy
    if job.status != ImportJob.Status.DONE:
        import_file.enqueue(job.pk)
    return redirect("imports:detail", pk=job.pk)


def _upload_key(scope, kind: str, digest: str, user) -> str:
    """The key the upload's job is known by: the file's SHA-256, so that the same file uploaded again in
    the user's scope finds its job (resumed, or done and adding nothing). When a job of that file exists
    but is outside the user's scope, the user must not learn of it (nor see, resume or take its result):
    the upload then gets a job of its own, keyed by the SHA-256 of the file's digest and the user, and is
    answered exactly as a new file (its rows meet what the other job recorded as any rows would)."""
    earlier = ImportJob.objects.filter(kind=kind, sha256=digest).first()
    if earlier is None or scope.import_jobs().filter(pk=earlier.pk).exists():
        return digest
    return hashlib.sha256(f"{digest}:uploaded by user {user.pk}".encode()).hexdigest()


def _job_context(job: ImportJob) -> dict:
    return {
        "job": job,
        "reasons": sorted(job.reasons.items(), key=lambda item: -item[1]),
        "working": job.status in WORKING,
    }


@require_GET
@importers_only
def import_detail(request, scope, pk: int):
    job = get_in_scope_or_404(scope.import_jobs, ImportJob.objects.select_related("created_by"), pk=pk)
    return render(request, "imports/detail.html", _job_context(job))


@require_GET
@importers_only
def import_status(request, scope, pk: int):
    """The progress part of the job's page, which htmx fetches every 2 seconds while the job works."""
    job = get_in_scope_or_404(scope.import_jobs, ImportJob.objects.all(), pk=pk)
    return render(request, "imports/_status.html", _job_context(job))


@require_GET
@importers_only
def import_progress(request, scope, pk: int):
    """The progress as JSON, for scripts."""
    job = get_in_scope_or_404(scope.import_jobs, ImportJob.objects.all(), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "processed_rows": job.processed_rows,
            "total_rows": job.total_rows,
            "percent": job.percent,
            "accepted": job.accepted,
            "rejected": job.rejected,
        }
    )


@require_GET
@importers_only
def import_result(request, scope, pk: int):
    """The per-row result file. It names participants by number and repeats reasons that may quote what
    was sent, so handing it out is an audited export."""
    job = get_in_scope_or_404(scope.import_jobs, ImportJob.objects.all(), pk=pk, status=ImportJob.Status.DONE)
    path = Path(job.result_path)
    if not path.is_file():
        raise Http404(gettext("The result file is gone."))
    audit_personal_data(
        request,
        Action.EXPORT,
        obj=job,
        summary=Said(
            gettext_noop("import result of %(file)s: %(rows)s rows"),
            {"file": job.original_name, "rows": job.total_rows},
        ),
    )
    name = f"{Path(job.original_name).stem}-{gettext('result')}.csv"
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="text/csv")


@require_GET
def import_template(request, kind: str):
    """The header row and one example row of a file kind: no data of anyone, so open to all."""
    if kind not in ImportJob.Kind.values:
        raise Http404
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jaring-{kind}-template.csv"'
    return response
