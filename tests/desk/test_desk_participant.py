"""The participant page (standing, coverage calendar, ledger, payer) and the participant card."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jaring.accounts.models import AuditEntry
from jaring.common.clock import month_of
from jaring.contributions.models import CoverageRun, Payment
from jaring.contributions.services import payment_reverse
from jaring.desk.coverage import coverage_calendar, months_owed
from jaring.rules.coverage import Run
from jaring.rules.months import Month
from jaring.rules.schedules import CoveragePolicy

POLICY = CoveragePolicy(valid_from=Month.of(2015, 7))


def marks(rows) -> dict[str, str]:
    return {str(cell.month): cell.mark for row in rows for cell in row.cells}


def test_the_calendar_marks_covered_months_and_arrears_still_payable():
    rows = coverage_calendar(
        (Run(Month.of(2024, 3), Month.of(2024, 4)),),
        registered=Month.of(2024, 3),
        current=Month.of(2024, 6),
        policy=POLICY,
    )
    assert [row.year for row in rows] == [2024]
    got = marks(rows)
    assert [got[f"2024-{m:02d}"] for m in range(1, 13)] == (
        ["before"] * 2 + ["covered"] * 2 + ["owed"] * 2 + ["future"] * 6
    )
    assert [cell.current for cell in rows[0].cells].index(True) == 5  # June


def test_the_calendar_of_a_lapsed_participant_shows_the_gap_that_can_no_longer_be_paid():
    runs = (Run(Month.of(2023, 11), Month.of(2023, 12)),)
    rows = coverage_calendar(runs, registered=Month.of(2023, 11), current=Month.of(2024, 5), policy=POLICY)
    got = marks(rows)
    assert got["2023-12"] == "covered"
    assert [got[f"2024-{m:02d}"] for m in range(1, 6)] == ["unpaid"] * 4 + ["owed"]  # restarts in May
    assert months_owed(runs, registered=Month.of(2023, 11), current=Month.of(2024, 5), policy=POLICY) == (
        Month.of(2024, 5),
    )


def test_the_calendar_runs_to_the_last_month_paid_in_advance():
    runs = (Run(Month.of(2024, 6), Month.of(2025, 5)),)
    rows = coverage_calendar(runs, registered=Month.of(2024, 6), current=Month.of(2024, 6), policy=POLICY)
    assert [row.year for row in rows] == [2024, 2025]
    got = marks(rows)
    assert got["2025-05"] == "covered" and got["2025-06"] == "future"
    assert months_owed(runs, registered=Month.of(2024, 6), current=Month.of(2024, 6), policy=POLICY) == ()


def test_the_participant_page_shows_standing_calendar_and_ledger(people, network, as_user):
    participant = network.karawang  # registered May 2024, paid May and June 2024, lapsed since
    client = as_user(people.outlet_teller)
    page = client.get(reverse("desk:participant", args=[participant.number]))
    html = page.content.decode()
    assert 'data-testid="status" data-status="lapsed"' in html
    assert 'data-testid="month-2024-04" data-mark="before"' in html
    assert 'data-testid="month-2024-05" data-mark="covered"' in html
    assert 'data-testid="month-2024-06" data-mark="covered"' in html
    assert 'data-testid="month-2024-07" data-mark="unpaid"' in html
    assert f'data-testid="month-{month_of()}" data-mark="owed"' in html  # restarts this month
    assert html.count('data-testid="entry"') == 2  # paid at Pos Karawang and at Pos Balikpapan
    assert f'data-testid="participant-number">{participant.number}<' in html
    assert f'data-testid="nik">{participant.nik}<' in html  # a teller sees the full NIK
    assert f'data-testid="phone">{participant.phone}<' in html


def test_the_page_reads_the_ledger_once_and_the_standing_from_the_coverage_runs(people, network, as_user):
    client = as_user(people.outlet_teller)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("desk:participant", args=[network.karawang.number]))
    assert page.status_code == 200
    ledger_table = connection.ops.quote_name(Payment._meta.db_table)
    assert sum(f"FROM {ledger_table}" in query["sql"] for query in queries.captured_queries) == 1
    runs_table = connection.ops.quote_name(CoverageRun._meta.db_table)
    assert any(f"FROM {runs_table}" in query["sql"] for query in queries.captured_queries)


def test_viewing_the_page_is_audited(people, network, as_user):
    participant = network.karawang
    as_user(people.branch_staff).get(reverse("desk:participant", args=[participant.number]))
    entry = AuditEntry.objects.get(action="view_personal_data", object_type="members.participant")
    assert entry.object_id == str(participant.pk)
    assert entry.username == "kc-krw"


def test_a_reversal_shows_in_the_ledger_and_takes_the_month_out_of_the_calendar(people, network, as_user):
    participant = network.karawang
    payment_reverse(payment=network.pay_karawang, reason="double entry", source="test", idempotency_key="r1")
    page = as_user(people.outlet_teller).get(reverse("desk:participant", args=[participant.number]))
    html = page.content.decode()
    assert 'data-kind="reversal"' in html
    assert [is_reversed for _entry, is_reversed in page.context["ledger"]] == [True, False, False]
    assert 'data-testid="month-2024-05" data-mark="unpaid"' in html
    assert 'data-testid="month-2024-06" data-mark="covered"' in html


def test_the_page_names_the_payer_of_a_subsidised_worker(people, network, as_user):
    page = as_user(people.branch_staff).get(reverse("desk:participant", args=[network.at_bank.number]))
    html = page.content.decode()
    assert 'data-testid="payer">Pemprov DKI · PPSU' in html


def test_the_card_is_a_pdf_with_the_number_and_is_audited_as_an_export(people, network, as_user):
    participant = network.by_agent
    response = as_user(people.agent).get(reverse("desk:card", args=[participant.number]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert participant.number.encode() in response.content
    entry = AuditEntry.objects.get(action="export", object_type="members.participant")
    assert entry.object_id == str(participant.pk)
