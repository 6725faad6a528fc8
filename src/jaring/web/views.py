"""The landing page; the desk and dashboards grow here."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render

from jaring.members.models import Participant


def home(request):
    counts = dict(Participant.objects.values_list("status").annotate(n=Count("pk")))
    return render(
        request,
        "web/home.html",
        {"counts": counts, "total": sum(counts.values())},
    )


def healthz(request):
    return JsonResponse({"ok": True})


@login_required
def payers(request):
    return render(request, "web/payers.html")
