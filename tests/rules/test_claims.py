"""The pure claim rules: cover at the moment of an incident, months paid, benefits, the JHT balance, heirs."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from jaring.rules import claims as rules
from jaring.rules.months import Month


def at(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def entry(paid_at, first, months=1, reversed=False, jht=0) -> rules.Entry:
    return rules.Entry(paid_at, Month.parse(first), months, reversed, jht)


OFF = rules.CoverPolicy()


def test_a_month_paid_before_it_began_covers_all_of_it():
    cover = rules.cover_at(at(2025, 3, 2), [entry(at(2025, 2, 20), "2025-03")], OFF)
    assert cover.covered and cover.reason == rules.PAID_AHEAD


def test_a_payment_after_the_incident_in_the_same_month_does_not_cover_it():
    entries = [entry(at(2025, 3, 20), "2025-03")]
    assert not rules.cover_at(at(2025, 3, 10), entries, OFF).covered
    assert rules.cover_at(at(2025, 3, 10), entries, OFF).reason == rules.PAID_AFTER
    # paid before the incident, in the same month: covered from the payment on
    assert rules.cover_at(at(2025, 3, 21), entries, OFF).reason == rules.PAID_BEFORE
    # with the policy "a month paid in it covers all of it" the earlier incident is covered too
    whole = rules.CoverPolicy(cover_from_payment=False)
    assert rules.cover_at(at(2025, 3, 10), entries, whole).reason == rules.WHOLE_MONTH


def test_arrears_paid_after_an_incident_restore_cover_only_when_the_switch_is_on():
    # the worker paid through January, died on 10 March, the heirs paid February and March on 20 March
    entries = [entry(at(2024, 12, 28), "2025-01"), entry(at(2025, 3, 20), "2025-02", months=2)]
    off = rules.cover_at(at(2025, 3, 10), entries, OFF)
    assert (
        not off.covered
        and off.reason == rules.PAID_AFTER
        and off.last_covered_before == Month.parse("2025-01")
    )
    on = rules.cover_at(at(2025, 3, 10), entries, rules.CoverPolicy(restore_cover_for_past_events=True))
    assert on.covered and on.reason == rules.RESTORED


def test_the_first_months_of_arrears_are_covered_only_when_the_switch_is_on():
    entries = [entry(at(2024, 12, 28), "2025-01")]
    grace = rules.CoverPolicy(arrears_grace_covered=True, arrears_months=3)
    assert not rules.cover_at(at(2025, 3, 10), entries, OFF).covered
    assert rules.cover_at(at(2025, 3, 10), entries, grace).reason == rules.GRACE
    assert rules.cover_at(at(2025, 4, 30), entries, grace).covered
    # the fourth unpaid month is past the arrears: lapsed
    assert not rules.cover_at(at(2025, 5, 1), entries, grace).covered


def test_a_reversed_entry_never_covered_anything():
    entries = [entry(at(2025, 2, 20), "2025-03", reversed=True)]
    assert rules.cover_at(at(2025, 3, 10), entries, OFF).reason == rules.UNPAID


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)


@given(
    incident=moments,
    payments=st.lists(st.tuples(moments, st.integers(0, 80), st.sampled_from([1, 3, 6, 12]), st.booleans())),
)
def test_cover_never_comes_from_a_payment_made_after_the_incident_while_both_switches_are_off(
    incident, payments
):
    entries = [
        rules.Entry(paid, Month.of(2020, 1) + offset, months, reversed)
        for paid, offset, months, reversed in payments
    ]
    cover = rules.cover_at(incident, entries, OFF)
    before = [e for e in entries if not e.reversed and e.paid_at <= incident]
    assert cover.covered == any(e.buys(Month.from_date(incident.date())) for e in before)
    # restoring cover can only add to it, never take it away
    restored = rules.cover_at(incident, entries, rules.CoverPolicy(restore_cover_for_past_events=True))
    assert restored.covered >= cover.covered


def test_months_paid_counts_distinct_months_bought_and_not_reversed():
    entries = [
        entry(at(2020, 1, 5), "2020-01", months=12),
        entry(at(2020, 6, 5), "2020-06", months=3),  # overlaps: the same months once
        entry(at(2021, 1, 5), "2021-01", months=12, reversed=True),
        entry(at(2022, 1, 5), "2022-01", months=12),
    ]
    assert len(rules.months_paid(entries, through=Month.parse("2022-06"))) == 12 + 6
    assert len(rules.months_paid(entries, through=Month.parse("2022-12"), paid_by=at(2021, 12, 31))) == 12


SCHOLARSHIP = {
    "min_contribution_months": 36,
    "children_max": 2,
    "age_limit": 23,
    "total_per_child": 87_000_000,
    "levels": {"SD": {"yearly": 1_500_000}, "SMA": {"yearly": 3_000_000}, "PT": {"yearly": 12_000_000}},
}


def test_the_scholarship_needs_the_minimum_of_months_paid():
    children = [{"nik": "1", "age": 9, "level": "SD"}, {"nik": "2", "age": 16, "level": "SMA"}]
    below = rules.scholarship_year(SCHOLARSHIP, months_paid=35, children=children, year=2025)
    assert not below.granted and below.refusal == "period" and below.months_needed == 36
    above = rules.scholarship_year(SCHOLARSHIP, months_paid=36, children=children, year=2025)
    assert above.granted and [line.amount for line in above.lines] == [1_500_000, 3_000_000]


def test_the_scholarship_ends_at_the_age_limit_on_marriage_or_work_and_at_the_total():
    children = [
        {"nik": "1", "age": 23, "level": "PT"},
        {"nik": "2", "age": 20, "level": "PT", "married": True},
    ]
    assert rules.scholarship_year(SCHOLARSHIP, months_paid=40, children=children, year=2025).refusal == "age"
    last = rules.scholarship_year(
        SCHOLARSHIP, months_paid=40, children=[{"nik": "3", "age": 21, "level": "PT"}], year=2025,
        paid_before={"3": 80_000_000},
    )  # fmt: skip
    assert [line.amount for line in last.lines] == [7_000_000]
    three = [{"nik": str(n), "age": 10, "level": "SD"} for n in range(3)]
    assert (
        rules.scholarship_year(SCHOLARSHIP, months_paid=40, children=three, year=2025).refusal == "children"
    )


def test_jkm_pays_the_lump_sum_the_funeral_and_the_periodic_benefit():
    lines = rules.jkm_lines({"lump_sum": 20_000_000, "funeral": 10_000_000, "periodic": 12_000_000})
    assert sum(line.amount for line in lines) == 42_000_000 and {line.payee for line in lines} == {"heirs"}


def test_jkk_pays_the_hospital_bill_the_inability_and_death_from_the_declared_income():
    benefit = {
        "inability": [{"months": 12, "share": "1"}, {"months": None, "share": "0.5"}],
        "disability_multiple": 80,
        "death_multiple": 48,
        "funeral": 10_000_000,
        "periodic": 12_000_000,
    }
    lines = rules.jkk_lines(
        benefit, declared_income=3_000_000, details={"medical_bill": 7_250_000, "inability_days": 400}
    )
    by = {line.component: line for line in lines}
    assert by["medical"].payee == "hospital" and by["medical"].amount == 7_250_000
    # 360 days at 100 % and 40 at 50 % of Rp100,000 a day
    assert by["inability"].amount == 36_000_000 + 2_000_000
    death = rules.jkk_lines(
        benefit, declared_income=3_000_000, details={"death": True, "disability_percent": 50}
    )
    assert {line.component: line.amount for line in death} == {
        "death": 144_000_000, "funeral": 10_000_000, "periodic": 12_000_000,
    }  # fmt: skip


def test_the_jht_balance_earns_the_declared_yield_year_by_year():
    years = rules.jht_balance(
        [(date(2023, 1, 15), 240_000), (date(2023, 7, 15), 120_000), (date(2024, 3, 1), 100_000)],
        rates={2023: Decimal("0.06"), 2024: Decimal("0.05")},
        through=date(2024, 6, 30),
    )
    first, second = years
    # 240,000 earns 11 months of 6 %, 120,000 five months
    assert first.yield_ == round(240_000 * 0.06 * 11 / 12 + 120_000 * 0.06 * 5 / 12)
    assert first.closing == 360_000 + first.yield_
    # the running year, through June: the opening balance 6 months, the March payment 3
    assert second.yield_ == round(first.closing * 0.05 * 6 / 12 + 100_000 * 0.05 * 3 / 12)
    assert second.closing == first.closing + 100_000 + second.yield_


@given(
    st.lists(
        st.tuples(st.dates(date(2015, 1, 1), date(2025, 12, 31)), st.integers(0, 10_000_000)), max_size=30
    )
)
def test_the_jht_balance_is_never_less_than_what_was_paid_in(contributions):
    years = rules.jht_balance(contributions, rates={}, through=date(2026, 1, 31))
    paid = sum(amount for _day, amount in contributions)
    assert (years[-1].closing if years else 0) == paid  # no declared rate: no yield, nothing lost
    with_yield = rules.jht_balance(
        contributions, rates={year: Decimal("0.05") for year in range(2015, 2027)}, through=date(2026, 1, 31)
    )
    assert (with_yield[-1].closing if with_yield else 0) >= paid


def test_heirs_follow_the_legal_order_and_accounts_their_bank_format():
    order = ["spouse", "child", "parent"]
    assert rules.heirs_in_order(["parent", "child", "spouse", "child"], order) == [2, 1, 3, 0]
    formats = {"BRI": {"digits": [15]}}
    assert rules.account_problem("BRI", "123456789012345", formats) is None
    assert rules.account_problem("BRI", "1234567890", formats) == "length"
    assert rules.account_problem("BRI", "12345678901234X", formats) == "digits"
    assert rules.account_problem("BANK-X", "123456", formats) is None


def test_add_working_days_skips_weekends_and_holidays():
    from jaring.rules.workdays import add_working_days, working_days_between

    friday = date(2025, 3, 28)
    assert add_working_days(friday, 3, set()) == date(2025, 4, 2)
    # Eid al-Fitr 2025 and collective leave: 31 March - 7 April
    leave = {date(2025, 3, 31) + timedelta(days=n) for n in range(8)}
    assert add_working_days(friday, 3, leave) == date(2025, 4, 10)
    assert working_days_between(date(2025, 4, 10), date(2025, 4, 14), leave) == 2
