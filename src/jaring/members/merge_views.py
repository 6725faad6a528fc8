"""Merging a pair decided "the same person" from its page (/duplicates/<pk>/merge/): the staff member
chooses which number survives and gives a reason; ``members.services.merge.participant_merge`` does the
rest, or says why it cannot (its problems become messages above the pair's page)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaring.accounts.scope import roles_only
from jaring.members.duplicate_views import DECIDE_ROLES, _pair_or_404
from jaring.members.models import ProbableDuplicate
from jaring.members.services.merge import participant_merge


@roles_only(DECIDE_ROLES)
@require_POST
def merge(request, scope, pk: int):
    pair = _pair_or_404(scope, pk)
    if pair.state != ProbableDuplicate.State.SAME:
        raise Http404
    keep = request.POST.get("keep", "")
    sides = {"first": (pair.first, pair.second), "second": (pair.second, pair.first)}
    if keep not in sides:
        messages.error(request, _("Choose the participant number that stays."))
        return redirect("duplicates:pair", pk=pair.pk)
    survivor, absorbed = sides[keep]
    try:
        result = participant_merge(
            survivor=survivor, absorbed=absorbed, actor=request, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        for problems in error.error_dict.values():
            for problem in problems:
                messages.error(request, " ".join(problem.messages))
        return redirect("duplicates:pair", pk=pair.pk)
    done = result.merge
    messages.success(
        request,
        _("%(absorbed)s is merged into %(survivor)s: %(entries)s ledger entries moved.")
        % {"absorbed": absorbed.number, "survivor": survivor.number, "entries": done.entries_moved},
    )
    return redirect("duplicates:pair", pk=pair.pk)
