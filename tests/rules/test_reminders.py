from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaring.rules.months import Month
from jaring.rules.reminders import (
    Kind,
    is_quiet,
    load_reminder_rules,
    message,
    months_due,
    packaged_reminder_rules,
    quiet_until,
    retry_delay,
    rupiah,
    template_check,
)

DATA = packaged_reminder_rules()
RULES = load_reminder_rules(DATA["kinds"], DATA["delivery"][0])
NOV = Month.of(2026, 11)
DUE = date(2026, 11, 16)  # the 15th is a Sunday
JAKARTA = ZoneInfo("Asia/Jakarta")


def kind(unpaid: int, day: date, arrears_months: int = 3):
    return RULES.kind_for(unpaid=unpaid, day=day, month=NOV, due=DUE, arrears_months=arrears_months)


def test_rupiah_is_written_the_indonesian_way():
    assert rupiah(16800) == "Rp16.800"
    assert rupiah(1234567) == "Rp1.234.567"
    assert rupiah(0) == "Rp0"


def test_a_worker_two_months_behind_after_the_due_date_is_in_arrears():
    assert kind(2, date(2026, 11, 20)) is Kind.ARREARS
    assert months_due(Kind.ARREARS, 2) == 2


def test_days_before_the_due_date_a_worker_who_has_not_paid_is_reminded():
    assert kind(1, date(2026, 11, 12)) is None
    assert kind(1, date(2026, 11, 13)) is Kind.DUE_SOON
    assert kind(1, DUE) is Kind.DUE_SOON
    assert kind(1, DUE + timedelta(days=1)) is Kind.ARREARS


def test_a_paid_worker_gets_nothing():
    assert kind(0, date(2026, 11, 14)) is None
    assert kind(-3, date(2026, 11, 20)) is None


def test_the_last_week_before_the_lapse_warns():
    assert kind(3, date(2026, 11, 20)) is Kind.ARREARS
    assert kind(3, date(2026, 11, 23)) is Kind.LAPSE_WARNING
    assert kind(2, date(2026, 11, 28)) is Kind.ARREARS


def test_the_lapse_is_the_coverage_policys_not_the_reminders():
    # with a policy of 2 arrears months, 3 unpaid months is a lapse: 1 month after it
    assert kind(3, date(2026, 11, 14), arrears_months=2) is Kind.REACTIVATE
    assert kind(2, date(2026, 11, 28), arrears_months=2) is Kind.LAPSE_WARNING


def test_a_lapsed_worker_is_invited_back_in_the_months_the_rule_names():
    assert [kind(3 + n, date(2026, 11, 14)) for n in range(1, 8)] == [
        Kind.REACTIVATE, None, Kind.REACTIVATE, None, None, Kind.REACTIVATE, None
    ]  # fmt: skip
    assert months_due(Kind.REACTIVATE, 7) == 1


def test_kinds_by_unpaid_agrees_with_kind_for():
    day = date(2026, 11, 24)
    found = RULES.kinds_by_unpaid(day=day, month=NOV, due=DUE, arrears_months=3)
    assert found == {
        1: Kind.ARREARS, 2: Kind.ARREARS, 3: Kind.LAPSE_WARNING, 4: Kind.REACTIVATE, 6: Kind.REACTIVATE,
        9: Kind.REACTIVATE,
    }  # fmt: skip


def test_the_message_names_amount_code_and_months():
    text = message(
        RULES.kinds[Kind.ARREARS].template, amount=33600, code="1234567890128", months=2, month=NOV, due=DUE
    )
    assert "Rp33.600" in text and "1234567890128" in text and "2 bulan" in text


def test_a_template_with_an_unknown_placeholder_is_refused():
    with pytest.raises(ValueError):
        template_check("Bayar {jumlah}")
    with pytest.raises(ValueError):
        load_reminder_rules([{"kind": "arrears", "template": "{nik}"}], None)


def test_quiet_hours_run_across_midnight():
    start, end = time(20), time(8)
    assert is_quiet(time(21, 30), start, end)
    assert is_quiet(time(7, 59), start, end)
    assert not is_quiet(time(8), start, end)
    assert not is_quiet(time(19, 59), start, end)
    assert not is_quiet(time(3), time(8), time(8))


def test_a_send_in_the_quiet_hours_waits_for_the_morning():
    late = datetime(2026, 11, 20, 22, 15, tzinfo=JAKARTA)
    assert quiet_until(late, time(20), time(8)) == datetime(2026, 11, 21, 8, tzinfo=JAKARTA)
    early = datetime(2026, 11, 21, 6, 0, tzinfo=JAKARTA)
    assert quiet_until(early, time(20), time(8)) == datetime(2026, 11, 21, 8, tzinfo=JAKARTA)
    noon = datetime(2026, 11, 21, 12, tzinfo=JAKARTA)
    assert quiet_until(noon, time(20), time(8)) == noon


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)), st.times(), st.times())
def test_quiet_until_is_never_quiet_and_never_earlier(moment, start, end):
    moment = moment.replace(tzinfo=JAKARTA)
    start, end = start.replace(microsecond=0), end.replace(microsecond=0)
    later = quiet_until(moment, start, end)
    assert later >= moment
    assert not is_quiet(later.time(), start, end)
    assert later - moment <= timedelta(days=1)


@given(st.integers(min_value=1, max_value=200))
def test_retries_wait_longer_each_time_up_to_the_cap(attempts):
    delay = retry_delay(attempts, base_minutes=5, cap_minutes=360)
    assert timedelta(minutes=5) <= delay <= timedelta(minutes=360)
    assert retry_delay(attempts + 1, base_minutes=5, cap_minutes=360) >= delay


@given(
    st.integers(min_value=-3, max_value=12),
    st.dates(min_value=date(2026, 11, 1), max_value=date(2026, 11, 30)),
)
def test_kinds_by_unpaid_is_kind_for_everywhere(unpaid, day):
    found = RULES.kinds_by_unpaid(day=day, month=NOV, due=DUE, arrears_months=3)
    assert found.get(unpaid) == kind(unpaid, day)
