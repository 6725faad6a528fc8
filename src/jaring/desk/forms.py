"""The desk's forms. They only read what was typed; every business rule is the services' (a form field
is left optional where the service explains a missing value in its own words)."""

from __future__ import annotations

import re
from uuid import uuid4

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jaring.common.fields import DayInput, ServiceForm
from jaring.members.models import Occupation
from jaring.rules.months import Month

PROGRAMME_CHOICES = (
    ("JKK+JKM", _("JKK + JKM (work accident and death)")),
    ("JKK+JKM+JHT", _("JKK + JKM + JHT (with old-age savings)")),
)
SEX_CHOICES = (("M", _("Male")), ("F", _("Female")))
_RUPIAH_NOISE = re.compile(r"^\s*rp\.?|[\s.,]", re.IGNORECASE)


def new_reference() -> str:
    """A fresh idempotency key, put in the form when it is shown: submitting it twice records once."""
    return uuid4().hex


def rupiah_amount(text: str) -> int | None:
    """Whole rupiah from what a teller types: 16800, 16.800, Rp 16.800; None when it is not that."""
    digits = _RUPIAH_NOISE.sub("", text or "")
    return int(digits) if digits.isdigit() else None


class OutletForm(ServiceForm):
    """A form acted at an outlet: a select among the user's outlets, or hidden when there is one."""

    outlet = forms.ModelChoiceField(queryset=None, to_field_name="code", label=_("Outlet"), empty_label=None)

    def __init__(self, *args, outlets, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["outlet"]
        field.queryset = outlets
        field.error_messages["invalid_choice"] = _("You cannot act at this outlet.")
        if len(outlets[:2]) < 2:
            field.widget = forms.HiddenInput()


class RegistrationForm(OutletForm):
    nik = forms.CharField(label=_("NIK"), max_length=40, required=False)
    name = forms.CharField(label=_("Full name (as on the ID card)"), max_length=200, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DayInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False, widget=forms.RadioSelect)
    phone = forms.CharField(label=_("Mobile phone (optional)"), max_length=40, required=False)
    village_code = forms.CharField(label=_("Village"), max_length=20, required=False)
    occupation = forms.ChoiceField(label=_("Occupation"), required=False)
    declared_income = forms.CharField(label=_("Declared monthly income (Rp)"), max_length=40, required=False)
    programmes = forms.ChoiceField(
        label=_("Programmes"), choices=PROGRAMME_CHOICES, initial="JKK+JKM", widget=forms.RadioSelect
    )
    event_code = forms.ChoiceField(label=_("Signed up at an event"), required=False)

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        if events:
            self.fields["event_code"].choices = [("", _("No event"))] + [
                (event.code, f"{event.name} ({event.code})") for event in events
            ]
        else:  # no event runs today: nothing to choose
            del self.fields["event_code"]
        english = (get_language() or "id").startswith("en")
        occupations = Occupation.objects.order_by("name_en" if english else "name")
        self.fields["occupation"].choices = [("", _("Choose an occupation"))] + [
            (job.code, job.name_en if english else job.name) for job in occupations
        ]
        for name, field in self.fields.items():
            field.widget.attrs["data-testid"] = name
        self.fields["nik"].widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "off",
                "maxlength": "24",  # 16 digits, and the spaces or dots of a NIK read off a card
                "hx-get": reverse("desk:nik"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#nik-preview",
            }
        )
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["declared_income"].widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "off",
                "hx-get": reverse("desk:price"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#prices",
                "hx-include": "[name='programmes']:checked",
            }
        )
        self.fields["programmes"].widget.attrs.update(
            {
                "hx-get": reverse("desk:price"),
                "hx-trigger": "change",
                "hx-target": "#prices",
                "hx-include": "[name='declared_income']",
            }
        )


class ReferencedForm(OutletForm):
    """A payment or a deposit of one participant under an idempotency key made when the form was shown."""

    participant = forms.CharField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_reference())


class PaymentForm(ReferencedForm):
    months = forms.TypedChoiceField(label=_("Months to pay"), coerce=int, widget=forms.RadioSelect)
    # The first month the form quoted: a payment taken now must start there (``cashier.StaleQuote``).
    quoted = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_quoted(self) -> Month | None:
        try:
            return Month.parse(self.cleaned_data["quoted"]) if self.cleaned_data["quoted"] else None
        except ValueError:
            return None

    def __init__(self, *args, counts=(1, 3, 6, 12), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [(count, count) for count in counts]
        self.fields["months"].error_messages["invalid_choice"] = _("A payment covers %(counts)s months.") % {
            "counts": ", ".join(str(count) for count in counts)
        }
        self.initial.setdefault("months", counts[0])


class DepositForm(ReferencedForm):
    amount = forms.CharField(label=_("Amount collected (Rp)"), max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update(inputmode="numeric", autocomplete="off")

    def clean_amount(self) -> int:
        amount = rupiah_amount(self.cleaned_data["amount"])
        if amount is None or amount <= 0:
            raise ValidationError(_("The amount is a positive whole number of rupiah."))
        return amount
