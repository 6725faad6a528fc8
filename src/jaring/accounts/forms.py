"""Forms of the auditor pages: searching the audit trail, revealing one participant's personal data."""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jaring.accounts.models import Action
from jaring.common.fields import DayInput
from jaring.rules.participant_number import participant_seq


class AuditSearchForm(forms.Form):
    """Filters of the audit trail; every field is optional. Dates are days in Asia/Jakarta, both ends
    included."""

    user = forms.CharField(label=_("User"), required=False, max_length=150, help_text=_("Exact username."))
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("any")), *Action.choices])
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=100,
        help_text=_("For example members.participant."),
    )
    object_id = forms.CharField(
        label=_("Object id"),
        required=False,
        max_length=64,
        help_text=_("The record's id; for a participant, its participant number works too."),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DayInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DayInput())
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=100,
        help_text=_("Words in the summary, the user, the object or the address."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filter(self, entries: QuerySet) -> QuerySet:
        """``entries`` narrowed by the valid filters (an invalid form filters nothing out: its errors are
        shown and the page lists the unfiltered trail)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("user"):
            entries = entries.filter(username=data["user"].strip())
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("object_type"):
            entries = entries.filter(object_type=data["object_type"].strip().lower())
        if data.get("object_id"):
            entries = entries.filter(object_id__in=_object_ids(data["object_id"]))
        if data.get("date_from"):
            entries = entries.filter(at__gte=_day_start(data["date_from"]))
        if data.get("date_to"):
            entries = entries.filter(at__lt=_day_start(data["date_to"] + timedelta(days=1)))
        if data.get("text"):
            for word in data["text"].split():
                entries = entries.filter(
                    Q(summary__icontains=word)
                    | Q(username__icontains=word)
                    | Q(object_type__icontains=word)
                    | Q(object_id=word)
                    | Q(ip__startswith=word)
                )
        return entries

    def describe(self) -> str:
        """The filters in one line, for the audit entry of an export."""
        data = self.cleaned_data if self.is_valid() else {}
        parts = [f"{name}={value}" for name, value in data.items() if value not in (None, "")]
        return ", ".join(parts) or "no filter"


def _object_ids(given: str) -> list[str]:
    """The ids an object id search matches: as typed and, when it is a participant number (spaces, dots
    and dashes allowed), the participant's id, which is what the trail keeps."""
    given = given.strip()
    ids = [given]
    digits = "".join(given.split()).replace(".", "").replace("-", "")
    with contextlib.suppress(ValueError):
        ids.append(str(participant_seq(digits)))
    return ids


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class RevealForm(forms.Form):
    number = forms.CharField(label=_("Participant number"), max_length=20)
    reason = forms.CharField(
        label=_("Reason"),
        min_length=10,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why you need the full NIK and phone number; it is kept in the audit trail."),
    )

    def clean_number(self) -> int:
        number = "".join(self.cleaned_data["number"].split()).replace(".", "").replace("-", "")
        try:
            return participant_seq(number)
        except ValueError as error:
            raise forms.ValidationError(_("This is not a valid participant number.")) from error
