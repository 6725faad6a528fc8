"""Closing the day at the till: what the till took by kind against what jaring recorded, the teller's
count, and the difference explained."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jaring.common.clock import local_date
from jaring.desk.access import acting_agent, acting_outlets, default_outlet, desk_scope
from jaring.desk.forms import rupiah_amount
from jaring.desk.models import TillClosing
from jaring.desk.queries import till_figures
from jaring.desk.services import till_close
from jaring.web.templatetags.jaring import rupiah


def difference_words(difference: int) -> str:
    """What a difference between the count and the record usually means, for the teller to look for."""
    if difference == 0:
        return _("The till matches what was recorded.")
    if difference > 0:
        return _(
            "The till holds %(amount)s more than recorded: money taken without recording it (a payment "
            "or deposit not entered), or change not given."
        ) % {"amount": rupiah(difference)}
    return _(
        "The till holds %(amount)s less than recorded: a payment recorded but not taken (void it with a "
        "supervisor), too much change given, or cash taken out."
    ) % {"amount": rupiah(-difference)}


@login_required
def till(request):
    scope = desk_scope(request)
    outlet = default_outlet(request, scope, acting_outlets(scope))
    if outlet is None:
        return render(request, "desk/no_outlet.html")
    agent, day = acting_agent(scope), local_date()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        counted = rupiah_amount(request.POST.get("counted", ""))
        if counted is None:
            errors["counted"] = [_("Type the amount counted, in whole rupiah.")]
        else:
            try:
                closing = till_close(
                    outlet=outlet,
                    agent=agent,
                    day=day,
                    counted=counted,
                    note=request.POST.get("note", ""),
                    actor=request,
                )
            except ValidationError as error:
                errors = {field: list(found) for field, found in error.message_dict.items()}
            else:
                messages.success(request, difference_words(closing.difference))
                return redirect("desk:till")
    closings = TillClosing.objects.filter(outlet=outlet, agent=agent, day=day).select_related("closed_by")
    closings = closings.order_by("-closed_at")
    context = {
        "outlet": outlet,
        "day": day,
        "figures": till_figures(outlet=outlet, agent=agent, day=day),
        "closings": [
            (closing, difference_words(closing.difference)) for closing in closings.order_by("-closed_at")
        ],
        "errors": errors,
        "typed": request.POST if request.method == "POST" else {},
    }
    return render(request, "desk/till.html", context, status=400 if errors else 200)
