"""The forms of the claims pages. They carry what was typed; the services judge it (``claim_submit``,
``claim_document_add``, ``claim_decide``) and their per-field errors land back on these fields. The few
checks made here are of what the service takes as given (a child's age and school level)."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jaring.claims.models import Claim
from jaring.claims.services import ClaimRequest, HeirRequest
from jaring.common.clock import ZONE
from jaring.common.fields import DayInput, ServiceForm

HEIR_ROWS = 4
CHILD_ROWS = 2
SCHOOL_LEVELS = ("TK", "SD", "SMP", "SMA", "PT")
NOON = time(12, 0)


def _text(label, *, max_length=200, **kwargs):
    return forms.CharField(label=label, required=False, max_length=max_length, **kwargs)


def _number(label):
    field = _text(label, max_length=30)
    field.widget.attrs["inputmode"] = "numeric"
    return field


class HeirForm(ServiceForm):
    """One heir (ahli waris): who, how related, and the account the benefit is paid into."""

    nik = _text(gettext_lazy("Heir's NIK"), max_length=20)
    name = _text(gettext_lazy("Heir's name"), max_length=120)
    relation = forms.ChoiceField(label=gettext_lazy("Relation"), choices=(), required=False)
    bank = _text(gettext_lazy("Bank"), max_length=12)
    account_number = _number(gettext_lazy("Account number"))
    account_name = _text(gettext_lazy("Account holder"), max_length=120)

    def __init__(self, *args, relations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nik"].widget.attrs["inputmode"] = "numeric"
        self.fields["relation"].choices = [("", "---"), *relations]

    def is_blank(self) -> bool:
        return not any(str(value or "").strip() for value in self.cleaned_data.values())

    def heir(self) -> HeirRequest:
        data = self.cleaned_data
        return HeirRequest(
            nik=data["nik"],
            name=data["name"],
            relation=data["relation"],
            bank=data["bank"],
            account_number=data["account_number"],
            account_name=data["account_name"],
        )


class ChildForm(ServiceForm):
    """A child of the deceased for the JKM scholarship."""

    nik = _text(gettext_lazy("Child's NIK"), max_length=20)
    name = _text(gettext_lazy("Child's name"), max_length=120)
    age = _number(gettext_lazy("Age"))
    level = forms.ChoiceField(
        label=gettext_lazy("School level"),
        choices=[("", "---"), *((level, level) for level in SCHOOL_LEVELS)],
        required=False,
    )

    def is_blank(self) -> bool:
        return not any(str(value or "").strip() for value in self.cleaned_data.values())

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        age = str(data.get("age") or "").strip()
        if not age.isdigit() or int(age) > 40:
            self.add_error("age", gettext_lazy("Give the child's age in whole years."))
        if not data.get("level"):
            self.add_error("level", gettext_lazy("Choose the school level."))
        if not str(data.get("name") or "").strip():
            self.add_error("name", gettext_lazy("Give the child's name."))
        return data

    def child(self) -> dict:
        data = self.cleaned_data
        return {
            "nik": "".join(data["nik"].split()),
            "name": " ".join(data["name"].split()),
            "age": int(data["age"]),
            "level": data["level"],
        }


class ClaimForm(ServiceForm):
    """A claim as branch staff type it from the claimant's papers."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    participant = _text(
        gettext_lazy("Participant's NIK or number"),
        max_length=40,
        help_text=gettext_lazy("The 16-digit NIK or the 11-digit participant number."),
    )
    # the three benefits a claim is typed for here (a later school year of the scholarship is not)
    kind = forms.ChoiceField(
        label=gettext_lazy("Benefit"),
        choices=Claim.Kind.choices,
        required=False,
    )
    incident_on = forms.DateField(
        label=gettext_lazy("Day of the incident"),
        required=False,
        widget=DayInput(),
        help_text=gettext_lazy(
            "JKK: the accident; JKM: the death; JHT: the day the condition held; "
            "a school year: its first day."
        ),
    )
    incident_time = forms.TimeField(
        label=gettext_lazy("Time of the incident"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("As the report or certificate says; noon when it is not known."),
    )
    incident_place = _text(gettext_lazy("Place of the accident"))
    # JKK
    hospital = _text(gettext_lazy("Hospital"), max_length=120)
    medical_bill = _number(gettext_lazy("Hospital bill (Rp)"))
    inability_days = _number(gettext_lazy("Days unable to work"))
    disability_percent = _number(gettext_lazy("Permanent disability (%)"))
    death = forms.BooleanField(label=gettext_lazy("The accident was fatal"), required=False)
    # JHT
    jht_trigger = forms.ChoiceField(
        label=gettext_lazy("Why the savings are withdrawn"),
        choices=[
            ("", "---"),
            ("age", gettext_lazy("reached the age of 56")),
            ("stopped_work", gettext_lazy("stopped working")),
            ("disability", gettext_lazy("permanent total disability")),
            ("death", gettext_lazy("death")),
        ],
        required=False,
    )
    stopped_on = forms.DateField(label=gettext_lazy("Day work stopped"), required=False, widget=DayInput())
    # the participant's own account (a claim not for a death)
    bank = _text(gettext_lazy("Participant's bank"), max_length=12)
    account_number = _number(gettext_lazy("Participant's account number"))
    account_name = _text(gettext_lazy("Account holder"), max_length=120)

    JKK_FIELDS = (
        "incident_place",
        "hospital",
        "medical_bill",
        "inability_days",
        "disability_percent",
        "death",
    )
    JHT_FIELDS = ("jht_trigger", "stopped_on")
    ACCOUNT_FIELDS = ("bank", "account_number", "account_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def incident_at(self) -> datetime | None:
        day = self.cleaned_data.get("incident_on")
        if day is None:
            return None
        return timezone.make_aware(
            datetime.combine(day, self.cleaned_data.get("incident_time") or NOON), ZONE
        )

    def request(self, *, heirs: list[HeirRequest], children: list[dict]) -> ClaimRequest:
        data = self.cleaned_data
        kind = data["kind"]
        details: dict = {}
        if kind == Claim.Kind.JKK:
            for name in ("hospital", "medical_bill", "inability_days", "disability_percent"):
                if str(data[name] or "").strip():
                    details[name] = " ".join(str(data[name]).split())
        if kind == Claim.Kind.JHT and data["jht_trigger"] == "stopped_work":
            details["stopped_on"] = data["stopped_on"].isoformat() if data["stopped_on"] else ""
        if kind in (Claim.Kind.JKM, Claim.Kind.SCHOLARSHIP) and children:
            details["children"] = children
        death = kind == Claim.Kind.JKM or (kind == Claim.Kind.JKK and data["death"])
        # paid to the heirs: a death, the savings of the deceased, a school year of the scholarship
        death = death or (kind == Claim.Kind.JHT and data["jht_trigger"] == "death")
        death = death or kind == Claim.Kind.SCHOLARSHIP
        if not death:
            details.update({name: data[name] for name in self.ACCOUNT_FIELDS})
        return ClaimRequest(
            participant="".join(data["participant"].split()),
            kind=kind,
            incident_at=self.incident_at(),
            incident_place=data["incident_place"] if kind == Claim.Kind.JKK else "",
            death=bool(kind == Claim.Kind.JKK and data["death"]),
            jht_trigger=data["jht_trigger"] if kind == Claim.Kind.JHT else "",
            details=details,
            heirs=tuple(heirs) if death else (),
            source="web",
            idempotency_key=data["idempotency_key"],
            channel="branch",
        )


# Where a service's field name lands on the claim form (the rest keep their name).
FIELD_OF = {
    "incident_at": "incident_on",
    "details.disability_percent": "disability_percent",
    "details.stopped_on": "stopped_on",
}


def heir_forms(data=None, *, relations) -> list[HeirForm]:
    return [HeirForm(data, prefix=f"heir-{i}", relations=relations) for i in range(HEIR_ROWS)]


def child_forms(data=None) -> list[ChildForm]:
    return [ChildForm(data, prefix=f"child-{i}") for i in range(CHILD_ROWS)]


def errors_spread(
    error: ValidationError,
    form: ClaimForm,
    heirs: list[HeirForm],
    rows: list[int],
    children: list[ChildForm],
    child_rows: list[int] = (),
) -> None:
    """Puts each of the service's per-field errors on its field: ``heirs[i].nik`` on the NIK of the heir
    row the ``i``-th heir came from (``rows``), ``details.children[i].level`` on the child row of
    ``child_rows``, ``details.stopped_on`` on the day work stopped, an error of no field above the form."""
    for name, problems in error.error_dict.items():
        for prefix, forms_, taken in (("heirs[", heirs, rows), ("details.children[", children, child_rows)):
            if name.startswith(prefix) and "]." in name:
                index, field = name[len(prefix) :].split("].", 1)
                if index.isdigit() and int(index) < len(taken) and field in forms_[taken[int(index)]].fields:
                    forms_[taken[int(index)]].add_error(field, problems)
                    break
        else:
            _on_form(form, name, problems)


def _on_form(form: ClaimForm, name: str, problems) -> None:
    """An error of the claim itself on its field (``details.stopped_on`` on the day work stopped), one of
    no field above the form."""
    target = FIELD_OF.get(name, name)
    form.add_error(target if target in form.fields and name != "heirs" else None, problems)


class DocumentForm(ServiceForm):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=(), required=False)
    file = forms.FileField(label=gettext_lazy("File (PDF, JPEG or PNG)"), required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)


class RejectForm(ServiceForm):
    reason = _text(gettext_lazy("Reason for rejecting"), max_length=400)
