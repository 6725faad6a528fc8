"""Registering an employer at the desk (/desk/employers/register/): branch staff and administrators
for any employer, a teller at a Pos outlet for the SMEs it brings in. The form parses; the one service
every channel uses judges, and its per-field messages are shown beside the fields."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jaring.accounts.models import Role
from jaring.channels.models import Partner
from jaring.common.fields import ServiceForm
from jaring.desk.access import acting_outlets, default_outlet, desk_scope
from jaring.employers.models import Employer
from jaring.employers.services import employer_register
from jaring.rules.sectors import sectors

# Who registers employers at the desk: a teller registers them for the Pos outlet they work at.
EMPLOYER_ROLES = frozenset({Role.ADMIN, Role.BRANCH_STAFF, Role.OUTLET_TELLER})


def _sector_choices():
    english = (get_language() or "").startswith("en")
    return [("", "---")] + [
        (code, f"{code}: {sector.name_en if english else sector.name}") for code, sector in sectors().items()
    ]


class EmployerForm(ServiceForm):
    """The employer's fields as typed; everything but their shape is judged by the service."""

    name = forms.CharField(label=gettext_lazy("Employer's name"), max_length=200, required=False)
    village_code = forms.CharField(
        label=gettext_lazy("Village code"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("As in the Kemendagri table, e.g. 64.71.05.1002."),
    )
    sector = forms.ChoiceField(label=gettext_lazy("Sector (KBLI)"), choices=(), required=False)
    workforce = forms.CharField(label=gettext_lazy("Number of workers"), max_length=12, required=False)
    nib = forms.CharField(label=gettext_lazy("NIB (13 digits, if any)"), max_length=40, required=False)
    npwp = forms.CharField(
        label=gettext_lazy("NPWP (15 or 16 digits, if any)"), max_length=40, required=False
    )
    risk_class = forms.ChoiceField(
        label=gettext_lazy("Work-accident risk class"),
        choices=[("", gettext_lazy("the sector's"))] + [(str(n), str(n)) for n in range(1, 6)],
        required=False,
    )
    size = forms.ChoiceField(
        label=gettext_lazy("Size"),
        choices=[("", gettext_lazy("from the number of workers")), *list(Employer.Size.choices)],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = _sector_choices()


def _outlet_for(request, scope):
    """The outlet credited with the registration: a teller's Pos outlet (a teller elsewhere may not
    register employers: 404); none for branch staff and administrators (the branch registers)."""
    if scope.role not in EMPLOYER_ROLES:
        raise Http404
    if scope.role != Role.OUTLET_TELLER:
        return None
    outlet = default_outlet(request, scope, acting_outlets(scope))
    if outlet is None or outlet.partner.kind != Partner.Kind.POS:
        raise Http404
    return outlet


def registers_employers(request, scope) -> bool:
    """Whether the desk offers this user the employer registration (the rule ``_outlet_for`` holds)."""
    try:
        _outlet_for(request, scope)
    except Http404:
        return False
    return True


@login_required
def register(request):
    scope = desk_scope(request)
    outlet = _outlet_for(request, scope)
    status = 200
    if request.method == "POST":
        form = EmployerForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                employer = employer_register(
                    name=data["name"],
                    village_code=data["village_code"],
                    sector=data["sector"],
                    workforce=data["workforce"],
                    nib=data["nib"],
                    npwp=data["npwp"],
                    risk_class=data["risk_class"] or None,
                    size=data["size"] or None,
                    outlet=outlet,
                    actor=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("%(name)s is registered: employer number %(number)s (%(size)s, risk class %(risk)s).")
                    % {
                        "name": employer.name,
                        "number": employer.number,
                        "size": employer.get_size_display(),
                        "risk": employer.risk_class,
                    },
                )
                return redirect("employers:register")
        status = 400
    else:
        form = EmployerForm()
    return render(request, "employers/register.html", {"form": form, "outlet": outlet}, status=status)
