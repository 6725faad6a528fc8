"""The holdout: a share of the workers a reminder is due to, drawn at random each month and not reminded,
and the retention of the reminded against them on the reminders dashboard."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from tests.conftest import jakarta
from tests.reminders.conftest import DAY

from jaring.contributions.services import payment_record, payment_reverse
from jaring.members.codes import payment_code_key
from jaring.reminders.models import Reminder
from jaring.reminders.providers import ConsoleProvider
from jaring.reminders.queries import Group, reminder_retention, reminder_rules
from jaring.reminders.services import reminders_plan, reminders_send
from jaring.rules.months import Month
from jaring.rules.reminders import Holdout, holdout_draw

OCTOBER = Month.of(2026, 10)
NOVEMBER = Month.of(2026, 11)
REMINDED_ON = date(2026, 10, 20)
KEY = bytes(range(32))


# -- the draw


def test_the_draw_is_the_same_whoever_computes_it_within_a_cohort_month():
    assert holdout_draw(4242, OCTOBER, KEY) == holdout_draw(4242, OCTOBER, bytes(range(32)))
    assert 0 <= holdout_draw(4242, OCTOBER, KEY) < 1
    # another month is another draw, and so is another installation's key
    draws = {holdout_draw(4242, OCTOBER + n, KEY) for n in range(12)}
    assert len(draws) == 12
    assert holdout_draw(4242, OCTOBER, KEY) != holdout_draw(4242, OCTOBER, bytes(32))


def test_about_the_share_of_many_workers_is_held_out():
    holdout = Holdout(share=Fraction(1, 10))
    held = sum(holdout.holds_out(participant_id, OCTOBER, KEY) for participant_id in range(1, 20_001))
    assert 1_800 <= held <= 2_200  # 10 % of 20,000, within about five standard deviations
    assert not any(Holdout().holds_out(n, OCTOBER, KEY) for n in range(1, 1_001))


@pytest.mark.django_db
def test_the_share_is_data_packaged_at_ten_percent_and_read_from_the_rule_in_force(holdout_share):
    from jaring.reminders.models import ReminderRule
    from jaring.rules.reminders import load_reminder_rules, packaged_reminder_rules

    (packaged,) = packaged_reminder_rules()["holdout"]
    assert load_reminder_rules([], None, packaged).holdout.share == Fraction(1, 10)
    assert ReminderRule.objects.filter(kind="holdout", code=packaged["code"]).exists()  # seeded
    holdout_share("0.25")  # what an operator's correction in the back office does
    assert reminder_rules(NOVEMBER).holdout.share == Fraction(1, 4)


# -- the plan


def test_held_out_workers_get_no_message_while_reminded_ones_do(worker, holdout_share):
    holdout_share("0.5")
    behind = [worker(paid_through="2026-09") for _n in range(20)]
    first = reminders_plan(day=DAY, actor=None)
    again = reminders_plan(day=DAY, actor=None)

    key = payment_code_key()
    drawn = {p.pk for p in behind if Holdout(Fraction(1, 2)).holds_out(p.pk, NOVEMBER, key)}
    rows = {r.participant_id: r for r in Reminder.objects.all()}
    assert set(rows) == {p.pk for p in behind}  # the held out are recorded too
    assert {pk for pk, r in rows.items() if r.status == Reminder.Status.HELD_OUT} == drawn
    assert 0 < len(drawn) < 20
    assert (first.added, first.held_out) == (20 - len(drawn), len(drawn))
    assert first.held_out_by_kind == {"arrears": len(drawn)}
    assert (again.added, again.held_out) == (0, 0)

    lines = []
    provider = ConsoleProvider(stream=type("S", (), {"write": lambda self, line: lines.append(line)})())
    result = reminders_send(now=jakarta(2026, 11, 20, 10), provider=provider)
    assert result.sent == 20 - len(drawn) == len(lines)
    statuses = dict(Reminder.objects.values_list("participant_id", "status"))
    assert {pk for pk, status in statuses.items() if status == Reminder.Status.SENT} == {
        p.pk for p in behind
    } - drawn
    assert all(statuses[pk] == Reminder.Status.HELD_OUT for pk in drawn)


def test_a_held_out_worker_stays_held_out_all_month_and_waits_the_days_between(worker, holdout_share):
    holdout_share("0.999")
    three_behind = worker(paid_through="2026-08")
    reminders_plan(day=DAY, actor=None)  # arrears
    reminders_plan(day=date(2026, 11, 24), actor=None)  # within 7 days of the held-out arrears row
    reminders_plan(day=date(2026, 11, 27), actor=None)  # the lapse warning, held out as well
    rows = list(Reminder.objects.filter(participant=three_behind).order_by("id"))
    assert [(r.kind, r.status) for r in rows] == [("arrears", "held_out"), ("lapse_warning", "held_out")]


# -- retention


def planned(participant, status, *, month=OCTOBER, kind="arrears", day=REMINDED_ON) -> Reminder:
    return Reminder.objects.create(
        participant=participant, kind=kind, month=month, channel="sms", message="", amount=16_800,
        months=1, planned_on=day, status=status,
    )  # fmt: skip


def pays(participant, at, key: str):
    return payment_record(
        participant=participant, months=1, amount=16_800, source="test", idempotency_key=key, paid_at=at,
        history_allowed=True,
    ).payment  # fmt: skip


@pytest.fixture
def cohort(worker, world):
    """October's arrears cohort, reminded on 20 October 2026 and counted to November's due date (Monday
    the 16th): 4 reminded of whom 3 paid in time, 2 held out of whom 1 did; and one November reminder."""
    sent, held = Reminder.Status.SENT, Reminder.Status.HELD_OUT
    w = type("Cohort", (), {})()
    w.early = worker(paid_through="2026-08")
    w.last_day = worker(paid_through="2026-08")
    w.failed_but_paid = worker(paid_through="2026-08")
    w.too_late = worker(paid_through="2026-08", district="64.71.01", outlet=world.pos_balikpapan)
    w.held_paid = worker(paid_through="2026-08")
    w.held_not = worker(paid_through="2026-08")
    w.november = worker(paid_through="2026-08")
    planned(w.early, sent)
    planned(w.last_day, Reminder.Status.DELIVERED)
    planned(w.failed_but_paid, Reminder.Status.FAILED)  # reminded as drawn, whatever became of it
    planned(w.too_late, sent)
    planned(w.held_paid, held)
    planned(w.held_not, held)
    planned(w.november, sent, month=NOVEMBER, kind="due_soon", day=date(2026, 11, 13))
    pays(w.early, jakarta(2026, 10, 25), "early")
    pays(w.last_day, jakarta(2026, 11, 16, 23), "last-day")  # the due date itself counts
    pays(w.failed_but_paid, jakarta(2026, 10, 20, 8), "same-day")
    pays(w.too_late, jakarta(2026, 11, 17, 0), "too-late")  # midnight after the due date: too late
    pays(w.held_paid, jakarta(2026, 11, 2), "held-paid")
    pays(w.held_not, jakarta(2026, 10, 19), "held-before")  # the day before the reminder
    voided = pays(w.held_not, jakarta(2026, 10, 25), "held-voided")
    payment_reverse(
        payment=voided, reason="void", source="test", idempotency_key="void",
        reversed_at=jakarta(2026, 10, 25, 11), history_allowed=True,
    )  # fmt: skip
    pays(w.november, jakarta(2026, 11, 14), "november")
    return w


def test_retention_counts_who_paid_from_the_reminder_to_the_next_due_date(cohort):
    october, november = reminder_retention(first=OCTOBER, last=NOVEMBER, today=DAY)
    assert (october.month, october.kind) == (OCTOBER, "arrears")
    assert october.reminded == Group(workers=4, paid=3)
    assert october.held_out == Group(workers=2, paid=1)
    assert (october.reminded.share, october.held_out.share) == (Fraction(3, 4), Fraction(1, 2))
    assert october.difference == Fraction(1, 4)  # 25 percentage points
    assert (october.paid_by, october.complete) == (date(2026, 11, 16), True)
    assert (november.month, november.kind) == (NOVEMBER, "due_soon")
    assert november.reminded == Group(1, 1) and november.held_out == Group(0, 0)
    assert november.difference is None
    assert (november.paid_by, november.complete) == (date(2026, 12, 15), False)


def test_retention_reads_the_workers_asked_for_only(cohort):
    from jaring.members.models import Participant

    karawang = Participant.objects.filter(office__code="KC-KRW")
    (october, _november) = reminder_retention(first=OCTOBER, last=NOVEMBER, participants=karawang, today=DAY)
    assert october.reminded == Group(3, 3) and october.held_out == Group(2, 1)


# -- the page


def page(client, user, query="?month=2026-11"):
    client.force_login(user)
    return client.get("/dashboards/reminders/" + query)


def test_the_page_shows_the_cohorts_with_their_arithmetic(client, staff, cohort):
    response = page(client, staff("head_office_analyst"))
    assert response.status_code == 200
    rows = [row.cells for row in response.context["table"].rows]
    assert rows[0][:10] == [
        OCTOBER, "tunggakan", 4, 3, Decimal("75.0"), 2, 1, Decimal("50.0"), Decimal("25.0"),
        date(2026, 11, 16),
    ]  # fmt: skip
    html = response.content.decode()
    assert "3 / 4 = 75 % - (1 / 2 = 50 %) = 25 poin" in html
    assert 'data-chart="bar"' in html and 'id="chart-retention"' in html
    chart = response.context["chart"]
    assert chart["datasets"][0]["values"] == [75.0, 100.0]
    assert chart["datasets"][1]["values"] == [50.0, None]


def test_the_page_exports_its_table(client, staff, cohort):
    response = page(client, staff("admin"), "?month=2026-11&table=retention&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:9] == ["2026-10", "tunggakan", "4", "3", "75.0", "2", "1", "50.0", "25.0"]
    xlsx = page(client, staff("admin"), "?month=2026-11&table=retention&format=xlsx")
    assert xlsx["Content-Disposition"].endswith('2026-06_2026-11.xlsx"')


def test_office_staff_see_their_own_workers_only(client, staff, world, cohort):
    karawang = page(client, staff("branch_staff", office=world.karawang_branch))
    row = karawang.context["table"].rows[0].cells
    assert row[2:8] == [3, 3, Decimal("100.0"), 2, 1, Decimal("50.0")]
    balikpapan = page(client, staff("branch_staff", office=world.balikpapan))
    assert [r.cells[2:6] for r in balikpapan.context["table"].rows] == [[1, 0, Decimal("0.0"), 0]]


def test_only_staff_may_open_the_page(client, staff, world, cohort):
    assert page(client, staff("outlet_teller", outlet=world.pos_karawang)).status_code == 404


def test_the_dashboards_link_to_the_page(client, staff, world):
    client.force_login(staff("head_office_analyst"))
    assert 'href="/dashboards/reminders/"' in client.get("/dashboards/").content.decode()


def test_retention_from_the_command_line(cohort, capsys):
    import json

    from django.core.management import call_command

    call_command("reminders", "retention", "--from", "2026-10", "--to", "2026-11")
    out = capsys.readouterr().out
    assert "2026-10 arrears: reminded 3 of 4 paid (75.0 %), held out 1 of 2 paid (50.0 %)" in out
    assert "difference +25.0 pp (paid by 2026-11-16)" in out
    call_command("reminders", "retention", "--from", "2026-10", "--to", "2026-10", "--json")
    (line,) = json.loads(capsys.readouterr().out)
    assert line["reminded"] == {"workers": 4, "paid": 3, "share": 0.75}
    assert line["difference_points"] == 25.0
