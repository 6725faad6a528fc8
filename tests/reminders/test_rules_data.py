"""The reminder rules as rows: seeded from the packaged data, corrected by an operator, read per month."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jaring.reminders.models import ReminderRule
from jaring.reminders.queries import reminder_rules
from jaring.reminders.services import reminder_rule_save
from jaring.rules.months import Month
from jaring.rules.reminders import Kind, packaged_reminder_rules

pytestmark = pytest.mark.django_db


def test_the_packaged_rules_are_seeded_with_their_sources():
    data = packaged_reminder_rules()
    assert ReminderRule.objects.count() == len(data["kinds"]) + len(data["delivery"]) + len(data["holdout"])
    assert all(rule.source for rule in ReminderRule.objects.all())
    rules = reminder_rules(Month.of(2026, 11))
    assert set(rules.kinds) == set(Kind)
    assert rules.delivery.min_days_between == 7


def test_an_operators_correction_from_a_later_month_replaces_the_rule_then():
    rule = ReminderRule(
        kind="delivery",
        code="REMIND-DELIVERY-2027",
        valid_from=Month.of(2027, 1),
        data={**ReminderRule.objects.get(kind="delivery").data, "min_days_between": 3},
    )
    reminder_rule_save(rule=rule, actor=None)
    assert reminder_rules(Month.of(2026, 12)).delivery.min_days_between == 7
    assert reminder_rules(Month.of(2027, 1)).delivery.min_days_between == 3


def test_a_template_naming_an_unknown_value_is_refused():
    rule = ReminderRule.objects.get(kind="arrears")
    rule.data = {**rule.data, "template": "Bayar {jumlah} dengan NIK {nik}"}
    with pytest.raises(ValidationError):
        reminder_rule_save(rule=rule, actor=None)
    assert "{jumlah}" not in ReminderRule.objects.get(kind="arrears").data["template"]
