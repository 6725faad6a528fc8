"""Staff pages for bulk imports: upload a file, watch its progress, take the result file away."""

from pathlib import Path
from uuid import uuid4

from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jaring.imports.models import ImportJob
from jaring.imports.readers import template_csv
from jaring.imports.services import import_job_for_file
from jaring.imports.tasks import import_file

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=_("CSV or XLSX file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".csv", ".xlsx", ".txt"}:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB; split it or use `jaring import`."))
        return upload


def _uploads() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@staff_member_required
def import_list(request):
    jobs = ImportJob.objects.select_related("created_by")[:50]
    running = any(job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING) for job in jobs)
    return render(request, "imports/list.html", {"jobs": jobs, "form": UploadForm(), "refresh": running})


@staff_member_required
@require_POST
def import_upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        jobs = ImportJob.objects.select_related("created_by")[:50]
        return render(request, "imports/list.html", {"jobs": jobs, "form": form}, status=400)
    upload = form.cleaned_data["file"]
    path = _uploads() / f"{uuid4().hex}{Path(upload.name).suffix.lower()}"
    with open(path, "wb") as handle:
        for block in upload.chunks():
            handle.write(block)
    job = import_job_for_file(
        path=path, kind=form.cleaned_data["kind"], original_name=upload.name, user=request.user
    )
    if job.path != str(path):
        path.unlink(missing_ok=True)  # the same file was uploaded before: its job goes on with its own copy
    if job.status != ImportJob.Status.DONE:
        if not job.result_path:
            job.result_path = str(_uploads() / f"result-{job.pk}.csv")
            job.save(update_fields=["result_path"])
        import_file.enqueue(job.pk)
    return redirect("imports:detail", pk=job.pk)


@staff_member_required
def import_detail(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    reasons = sorted(job.reasons.items(), key=lambda item: -item[1])
    refresh = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    return render(request, "imports/detail.html", {"job": job, "reasons": reasons, "refresh": refresh})


@staff_member_required
def import_progress(request, pk: int):
    """The progress as JSON, for scripts."""
    job = get_object_or_404(ImportJob, pk=pk)
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


@staff_member_required
def import_result(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, status=ImportJob.Status.DONE)
    path = Path(job.result_path)
    if not path.is_file():
        raise Http404("the result file is gone")
    name = f"{Path(job.original_name).stem}-hasil.csv"
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="text/csv")


def import_template(request, kind: str):
    if kind not in ImportJob.Kind.values:
        raise Http404
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jaring-{kind}-template.csv"'
    return response
