"""Agent quality: retention cohorts, the quality-adjusted ranking and the signals of gaming, on worlds built
through the real registration and payment services."""

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse
from tests.conftest import jakarta

from jaring.channels.models import Agent
from jaring.members.models import Participant
from jaring.perisai import quality
from jaring.perisai.models import AgentRule
from jaring.perisai.quality import Thresholds
from jaring.rules.months import Month

pytestmark = pytest.mark.django_db

_keys = count(1)


@pytest.fixture
def agents(world):
    """Three agents of the Pos in Karawang besides AG-1."""
    from jaring.channels.services import agent_create

    made = {
        code: agent_create(code=code, name=name, partner=world.pos, outlet=world.pos_karawang)
        for code, name in (("AG-V", "Volume"), ("AG-Q", "Quality"), ("AG-N", "Newcomer"))
    }
    made["AG-1"] = world.agent
    return made


@pytest.fixture
def sign_up(world, register):
    """``sign_up(agent, when, pays=[(when, months), ...], phone=...)``: registers a worker for the agent
    and records their payments. Each worker is someone else (a name and a birth date of their own), so
    that no two are probable duplicates unless a test makes them so."""
    people = count(1)

    def _sign_up(agent, when, *, pays=(), phone=""):
        n = next(people)
        participant = register(
            outlet=world.pos_karawang, agent=agent, registered_at=when, phone=phone,
            name=f"Pekerja {_letters(n)}", birth_date=date(1960, 1, 1) + timedelta(days=37 * n),
        )  # fmt: skip
        for paid_at, months in pays:
            pay(participant, paid_at, months, agent=agent)
        return participant

    return _sign_up


def _letters(n: int) -> str:
    """A word of its own for each number: 1 -> "Ab", 2 -> "Ac" ... (names the matcher tells apart)."""
    consonants, vowels = "bcdfghjklmnprstwyz", "aeiou"
    word = ""
    while True:
        n, c = divmod(n, len(consonants))
        n, v = divmod(n, len(vowels))
        word += vowels[v] + consonants[c]
        if not n:
            return word.capitalize()


def pay(participant, paid_at, months, agent=None):
    from jaring.contributions.services import payment_quote, payment_record

    participant.refresh_from_db()
    _covered, price = payment_quote(participant, months=months, at=paid_at)
    return payment_record(
        history_allowed=True,
        participant=participant, months=months, amount=price.total, source="test",
        idempotency_key=f"q{next(_keys)}", paid_at=paid_at, outlet=participant.outlet, agent=agent,
    ).payment  # fmt: skip


def only(agent):
    return Agent.objects.filter(pk=agent.pk)


def loose(**overrides) -> Thresholds:
    return Thresholds(effective_from=date(2018, 1, 1), **overrides)


# -- cohorts ----------------------------------------------------------------------------------------------


@pytest.fixture
def january_cohort(world, sign_up):
    """AG-1 acquires four workers in January 2023 and one in February: one pays a year and renews, one
    pays six months, one pays a single month, one never pays; February's pays three months."""
    agent = world.agent
    day = jakarta(2023, 1, 10)
    sign_up(agent, day, pays=[(day, 12), (jakarta(2024, 1, 5), 1)])
    sign_up(agent, day, pays=[(day, 6)])
    sign_up(agent, day, pays=[(day, 1)])
    sign_up(agent, day)
    february = jakarta(2023, 2, 14)
    sign_up(agent, february, pays=[(february, 3)])
    return agent


def test_cohort_counts_the_share_still_covered_3_6_and_12_months_after_acquisition(january_cohort):
    cohorts = quality.agent_cohorts(only(january_cohort), as_of=date(2024, 3, 1))
    assert [c.month for c in cohorts] == [Month.of(2023, 2), Month.of(2023, 1)]  # newest first
    january = cohorts[1]
    assert (january.acquired, january.paid) == (4, 3)
    assert [(r.horizon, r.active) for r in january.readings] == [(3, 2), (6, 1), (12, 1)]
    assert [r.pct for r in january.readings] == [Decimal("50.0"), Decimal("25.0"), Decimal("25.0")]
    february = cohorts[0]
    assert (february.acquired, february.paid) == (1, 1)
    assert [r.active for r in february.readings] == [0, 0, 0]  # covered February to April only


def test_a_cohort_is_read_only_once_the_month_of_the_reading_is_over(january_cohort):
    january = quality.agent_cohorts(only(january_cohort), as_of=date(2023, 7, 15))[1]
    # April is over, July (6 months later) is not: no figure yet rather than a misleading 0 %
    assert [(r.horizon, r.active) for r in january.readings] == [(3, 2), (6, None), (12, None)]
    assert january.reading(6).pct is None


def test_cohorts_of_several_agents_cost_the_same_queries_as_one(agents, sign_up, django_assert_num_queries):
    for agent in agents.values():
        sign_up(agent, jakarta(2023, 3, 1), pays=[(jakarta(2023, 3, 1), 3)])
    with django_assert_num_queries(4):
        quality.agent_cohorts(only(agents["AG-1"]), as_of=date(2024, 3, 1))
    with django_assert_num_queries(4):
        cohorts = quality.agent_cohorts(Agent.objects.all(), as_of=date(2024, 3, 1))
    assert {c.agent_id for c in cohorts} == {agent.pk for agent in agents.values()}


# -- ranking ----------------------------------------------------------------------------------------------


@pytest.fixture
def ranked_world(agents, sign_up):
    """AG-V signs up ten, two pay a single month; AG-Q signs up four who pay half a year; AG-N signs up
    three only last month, all paying a year; AG-1 signs up nobody."""
    early = jakarta(2024, 2, 5)
    for index in range(10):
        sign_up(agents["AG-V"], early, pays=[(early, 1)] if index < 2 else [])
    for _ in range(4):
        sign_up(agents["AG-Q"], early, pays=[(early, 6)])
    late = jakarta(2024, 9, 2)
    for _ in range(3):
        sign_up(agents["AG-N"], late, pays=[(late, 12)])
    return agents


def test_ranking_weighs_acquisitions_by_the_share_that_paid_and_stayed(ranked_world):
    result = quality.agent_ranking(Agent.objects.all(), as_of=date(2024, 10, 15))
    rows = {line.agent.code: line for line in result.rows}
    assert [line.agent.code for line in result.rows] == ["AG-Q", "AG-N", "AG-V", "AG-1"]
    # AG-V and AG-1 both score 0: they share the rank, listed by acquisitions
    assert [line.rank for line in result.rows] == [1, 2, 3, 3]
    # ten acquisitions, but only two paid and neither was still covered three months later
    volume = rows["AG-V"]
    assert (volume.acquired, volume.paid, volume.due, volume.retained) == (10, 2, 2, 0)
    assert rows["AG-V"].score == Decimal("0.0") and rows["AG-V"].count_rank == 1
    assert rows["AG-Q"].score == Decimal("4.0") and rows["AG-Q"].arithmetic == "4 x 4/4 x 4/4 = 4.0"
    # acquired last month: no reading is due yet, so the retention counts as 100 % and says so
    assert rows["AG-N"].score == Decimal("3.0") and not rows["AG-N"].retention_known
    assert rows["AG-1"].acquired == 0 and rows["AG-1"].count_rank == 4


def test_ranking_counts_only_the_window_of_months(ranked_world):
    """Twelve months up to October 2025 leave out everything acquired in 2024 before November."""
    result = quality.agent_ranking(Agent.objects.all(), as_of=date(2025, 10, 15))
    assert [line.acquired for line in result.rows] == [0, 0, 0, 0]
    assert [line.rank for line in result.rows] == [1, 1, 1, 1]  # equal scores share the rank


# -- signals ----------------------------------------------------------------------------------------------


def kinds(signals):
    return sorted((signal.kind, signal.agent.code, signal.count) for signal in signals)


def evidence(signal):
    return set(Participant.objects.filter(signal.evidence).values_list("pk", flat=True))


def test_registrations_that_never_pay_are_flagged_with_the_unpaid_participants(agents, sign_up):
    old = jakarta(2024, 1, 10)
    unpaid = {sign_up(agents["AG-V"], old).pk for _ in range(3)}
    sign_up(agents["AG-V"], jakarta(2024, 3, 25))  # registered 7 days ago: not yet counted
    for _ in range(3):
        sign_up(agents["AG-Q"], old, pays=[(old, 1)])
    found = quality.agent_signals(
        Agent.objects.all(), as_of=date(2024, 4, 1), thresholds=loose(never_paid_min=3), kinds=("never_paid",)
    )
    assert kinds(found) == [("never_paid", "AG-V", 3)]
    assert evidence(found[0]) == unpaid
    assert "3 dari 3" in found[0].figures  # in the page language, Indonesian by default


def test_a_few_unpaid_registrations_among_many_paying_ones_raise_nothing(agents, sign_up):
    old = jakarta(2024, 1, 10)
    for index in range(8):
        sign_up(agents["AG-Q"], old, pays=[(old, 1)] if index < 5 else [])
    found = quality.agent_signals(
        Agent.objects.all(), as_of=date(2024, 4, 1), thresholds=loose(never_paid_min=3), kinds=("never_paid",)
    )
    assert found == []  # 3 of 8 unpaid is under the 50 % share


def test_many_participants_on_one_phone_number_are_flagged_per_agent(agents, sign_up):
    day = jakarta(2024, 2, 1)
    shared = {sign_up(agents["AG-V"], day, phone="081299990000").pk for _ in range(5)}
    sign_up(agents["AG-V"], day, phone="081211112222")
    for _ in range(4):  # the same number, but only four of this agent's participants
        sign_up(agents["AG-Q"], day, phone="081299990000")
    for serial in range(5):
        sign_up(agents["AG-N"], day, phone=f"08123456780{serial}")
    found = quality.agent_signals(Agent.objects.all(), as_of=date(2024, 3, 1), kinds=("shared_phone",))
    assert kinds(found) == [("shared_phone", "AG-V", 5)]
    assert evidence(found[0]) == shared


@pytest.fixture
def racing(db):
    from jaring.monitoring.services import contest_define

    return contest_define(
        spec={
            "code": "racing",
            "name": "Racing",
            "metric": "new_registrations",
            "outlets": {"partner": "pos"},
            "prizes": [1_000_000],
            "periods": [{"code": "P1", "start": "2023-03-01", "end": "2023-05-31"}],
        }
    )


def test_a_burst_at_the_end_of_a_contest_period_is_flagged(agents, sign_up, racing):
    sign_up(agents["AG-V"], jakarta(2023, 3, 6))
    rush = {sign_up(agents["AG-V"], jakarta(2023, 5, day)).pk for day in (27, 29, 30, 31)}
    for day in (date(2023, 3, 2), date(2023, 3, 20), date(2023, 4, 10), date(2023, 5, 1), date(2023, 5, 30)):
        sign_up(agents["AG-Q"], jakarta(day.year, day.month, day.day))  # steady, one at the end
    found = quality.agent_signals(
        Agent.objects.all(), as_of=date(2023, 6, 10), thresholds=loose(burst_min=4), kinds=("burst",)
    )
    assert kinds(found) == [("burst", "AG-V", 4)]
    assert evidence(found[0]) == rush
    # 4 in the last 7 days against 5 in 92 days: (4 / 7) / (5 / 92) = 10.5 times the daily average
    assert "racing P1" in found[0].figures and "10.5" in found[0].figures


def test_no_burst_is_read_before_the_last_days_of_a_period_begin(agents, sign_up, racing):
    for day in (2, 3, 4, 5):
        sign_up(agents["AG-V"], jakarta(2023, 3, day))
    found = quality.agent_signals(
        Agent.objects.all(), as_of=date(2023, 3, 6), thresholds=loose(burst_min=4), kinds=("burst",)
    )
    assert found == []


def test_niks_registered_and_lapsed_after_one_month_are_flagged(agents, sign_up):
    day = jakarta(2023, 1, 10)
    quick = {sign_up(agents["AG-V"], day, pays=[(day, 1)]).pk for _ in range(3)}
    sign_up(agents["AG-V"], day, pays=[(day, 3)])  # three months paid, then lapsed: not "at once"
    for _ in range(3):
        sign_up(agents["AG-Q"], day, pays=[(day, 12)])
    found = quality.agent_signals(Agent.objects.all(), as_of=date(2023, 8, 1), kinds=("quick_lapse",))
    assert kinds(found) == [("quick_lapse", "AG-V", 3)]
    assert evidence(found[0]) == quick
    # in April the one-month payers are still in arrears (January paid, three months unpaid): no signal
    assert quality.agent_signals(Agent.objects.all(), as_of=date(2023, 4, 20), kinds=("quick_lapse",)) == []


def test_a_clean_agent_raises_no_signal_of_any_kind(agents, sign_up, racing):
    for day in (3, 17):
        for month in (3, 4, 5):
            sign_up(agents["AG-Q"], jakarta(2023, month, day), phone=f"0812000{month}{day:04d}",
                    pays=[(jakarta(2023, month, day), 12)])  # fmt: skip
    assert quality.agent_signals(Agent.objects.all(), as_of=date(2023, 12, 1)) == []


def test_signals_take_a_bounded_number_of_queries_whatever_the_number_of_agents(
    agents, sign_up, racing, django_assert_max_num_queries
):
    for agent in agents.values():
        for _ in range(5):
            sign_up(agent, jakarta(2023, 5, 30), phone="081299990000")
    with django_assert_max_num_queries(8):
        found = quality.agent_signals(Agent.objects.all(), as_of=date(2023, 6, 10))
    assert {signal.agent.code for signal in found if signal.kind == "shared_phone"} == set(agents)


# -- thresholds are data --------------------------------------------------------------------------------


def quality_row(code: str, valid_from: str, **thresholds) -> AgentRule:
    shipped = AgentRule.objects.get(code="PERISAI-QUALITY-2018")
    return AgentRule.objects.create(
        kind=AgentRule.Kind.QUALITY,
        code=code,
        valid_from=Month.parse(valid_from),
        data={**shipped.data, **thresholds},
    )


def test_the_thresholds_in_force_are_the_latest_row_on_or_before_the_month():
    quality_row("QUALITY-2025", "2025-01", shared_phone_min=3, never_paid_share="0.4")
    assert quality.thresholds_in_force(date(2024, 12, 31)).shared_phone_min == 5
    later = quality.thresholds_in_force(date(2025, 1, 1))
    assert (later.code, later.effective_from) == ("QUALITY-2025", date(2025, 1, 1))
    assert (later.shared_phone_min, later.never_paid_share) == (3, Decimal("0.4"))
    assert quality.thresholds_in_force(date(2010, 1, 1)).shared_phone_min == 5  # before the first


def test_the_shipped_thresholds_are_seeded_as_rule_rows_and_an_unknown_key_is_refused():
    shipped = AgentRule.objects.filter(kind=AgentRule.Kind.QUALITY).order_by("valid_from").first()
    assert (shipped.code, shipped.valid_from, shipped.valid_to) == (
        "PERISAI-QUALITY-2018",
        Month.of(2018, 1),
        None,
    )
    assert shipped.source.startswith("jaring defaults") and shipped.note
    in_force = quality.thresholds_in_force(date(2024, 1, 1))
    assert in_force.never_paid_days == 60 and in_force.shared_phone_min == 5
    assert in_force.source == shipped.source
    with pytest.raises(ValueError, match="unknown quality thresholds: phone_min"):
        Thresholds.from_entry({"valid_from": "2024-01", "phone_min": 5})


def test_an_operators_row_from_a_later_month_lowers_a_gaming_signal_threshold_from_then(
    admin_client, agents, sign_up
):
    for _ in range(4):
        sign_up(agents["AG-V"], jakarta(2024, 12, 2), phone="081299990000")
    kinds = ("shared_phone",)
    assert quality.agent_signals(Agent.objects.all(), as_of=date(2024, 12, 31), kinds=kinds) == []
    shipped = AgentRule.objects.get(code="PERISAI-QUALITY-2018")
    post = {
        "kind": "quality",
        "code": "QUALITY-2025-01",
        "valid_from": "2025-01",
        "data": json.dumps({**shipped.data, "shared_phone_min": 4}),
        "source": "Branch review of December 2024",
        "_save": "Save",
    }
    response = admin_client.post(reverse("admin:perisai_agentrule_add"), post)
    assert response.status_code == 302, response.context["adminform"].form.errors

    # The past keeps its meaning; from January 2025 four participants on one phone are a signal.
    assert quality.agent_signals(Agent.objects.all(), as_of=date(2024, 12, 31), kinds=kinds) == []
    found = quality.agent_signals(Agent.objects.all(), as_of=date(2025, 1, 2), kinds=kinds)
    assert [(signal.agent.code, signal.count) for signal in found] == [("AG-V", 4)]
    assert shipped.valid_to is None  # the shipped row stays as it was: the later row replaces it


@pytest.mark.parametrize(
    ("data", "field"),
    [({"shared_phone_min": 4, "phone_min": 4}, "data"), ({"burst_ratio": "three"}, "data")],
)
def test_thresholds_that_are_not_thresholds_are_refused_in_the_back_office(admin_client, db, data, field):
    post = {"kind": "quality", "code": "QUALITY-BAD", "valid_from": "2025-01", "data": json.dumps(data)}
    response = admin_client.post(reverse("admin:perisai_agentrule_add"), {**post, "_save": "Save"})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not AgentRule.objects.filter(code="QUALITY-BAD").exists()


def test_a_shared_phone_signal_is_computed_as_of_a_day_and_ignores_later_registrations(agents, sign_up):
    for _ in range(5):
        sign_up(agents["AG-V"], jakarta(2024, 2, 1) + timedelta(days=30), phone="081299990000")
    assert quality.agent_signals(Agent.objects.all(), as_of=date(2024, 2, 1), kinds=("shared_phone",)) == []


# -- acquisitions that are probable duplicates ---------------------------------------------------------


def test_the_duplicate_thresholds_are_data_from_december_2026():
    later = AgentRule.objects.get(code="PERISAI-QUALITY-2026-12")
    assert later.valid_from == Month.of(2026, 12)
    in_force = quality.thresholds_in_force(date(2026, 12, 7))
    assert (in_force.code, in_force.duplicates_min, in_force.duplicates_share) == (
        "PERISAI-QUALITY-2026-12",
        3,
        Decimal("0.1"),
    )
    assert in_force.shared_phone_min == 5  # the earlier thresholds carried over


@pytest.fixture
def duplicated(world, agents, register):
    """AG-V signs up ten workers in November 2026; four of them are made-up second records of people an
    outlet teller registered before (the same name, birth date and village, the NIK's serial changed).
    AG-Q signs up ten different people."""
    from jaring.members.models import ProbableDuplicate
    from jaring.members.services.duplicates import duplicates_scan
    from jaring.rules.nik import Sex, make_nik

    names = ["Dewi Lestari", "Sri Wahyuni", "Nur Hasanah", "Rina Marlina"]
    for index, name in enumerate(names):
        birth = date(1980 + index, 2, 3)
        nik = make_nik("32.15.01", birth, Sex("F"), 100 + index)
        register(nik=nik, name=name, birth_date=birth, sex="F", registered_at=jakarta(2026, 6, 1))
        again = make_nik("32.15.01", birth, Sex("F"), 200 + index)
        register(nik=again, name=name, birth_date=birth, sex="F", agent=agents["AG-V"],
                 registered_at=jakarta(2026, 11, 2))  # fmt: skip
    for index in range(6):
        register(name=f"Warga Volume {chr(65 + index)}{chr(75 + index)}", agent=agents["AG-V"],
                 birth_date=date(1970, 1, 1 + index), registered_at=jakarta(2026, 11, 3))  # fmt: skip
    for index in range(10):
        register(name=f"Warga Kualitas {chr(65 + index)}{chr(80 - index)}", agent=agents["AG-Q"],
                 birth_date=date(1960, 5, 1 + index), registered_at=jakarta(2026, 11, 4))  # fmt: skip
    duplicates_scan()
    pairs = ProbableDuplicate.objects.order_by("pk")
    assert pairs.count() == 4 and all(pair.second.agent_id == agents["AG-V"].pk for pair in pairs)
    return list(pairs)


def test_an_agent_whose_acquisitions_are_probable_duplicates_is_flagged_with_the_pairs(agents, duplicated):
    found = quality.agent_signals(Agent.objects.all(), as_of=date(2026, 12, 7), kinds=("duplicates",))
    assert [(signal.agent.code, signal.count) for signal in found] == [("AG-V", 4)]
    signal = found[0]
    assert set(signal.pairs) == {pair.pk for pair in duplicated}
    assert "4 dari 10" in signal.figures or "4 of 10" in signal.figures
    evidence = Participant.objects.filter(signal.evidence)
    assert set(evidence.values_list("pk", flat=True)) == {pair.second_id for pair in duplicated}


def test_pairs_decided_as_different_people_are_no_evidence(agents, duplicated):
    from jaring.members.models import ProbableDuplicate

    ProbableDuplicate.objects.filter(pk__in=[p.pk for p in duplicated[:2]]).update(state="different")
    assert quality.agent_signals(Agent.objects.all(), as_of=date(2026, 12, 7), kinds=("duplicates",)) == []
    ProbableDuplicate.objects.filter(pk=duplicated[0].pk).update(state="same")
    found = quality.agent_signals(Agent.objects.all(), as_of=date(2026, 12, 7), kinds=("duplicates",))
    assert [(signal.agent.code, signal.count) for signal in found] == [("AG-V", 3)]


def test_the_duplicate_signal_needs_its_share_and_its_window(agents, duplicated):
    strict = replace(quality.thresholds_in_force(date(2026, 12, 7)), duplicates_share=Decimal("0.5"))
    assert quality.agent_signals(Agent.objects.all(), as_of=date(2026, 12, 7), thresholds=strict,
                                 kinds=("duplicates",)) == []  # fmt: skip
    short = replace(quality.thresholds_in_force(date(2026, 12, 7)), duplicates_days=30)
    assert quality.agent_signals(Agent.objects.all(), as_of=date(2027, 1, 5), thresholds=short,
                                 kinds=("duplicates",)) == []  # fmt: skip


def test_an_outlet_whose_acquisitions_are_probable_duplicates_is_flagged(world, agents, duplicated):
    from jaring.channels.models import Outlet

    # the Pos in Karawang acquired 4 + 6 + 10 in November and the 4 first records in June
    found = quality.outlet_signals(Outlet.objects.all(), as_of=date(2026, 12, 7))
    assert [(signal.outlet.code, signal.count) for signal in found] == [("POS-KRW", 4)]
    assert set(found[0].pairs) == {pair.pk for pair in duplicated}


def test_the_signals_page_links_the_pairs_for_staff_who_review_them(client, staff, world, agents, duplicated):
    krw = staff("branch_staff", office=world.karawang_branch)
    client.force_login(krw)
    text = client.get("/agents/signals/?kind=duplicates&as_of=2026-12-07").content.decode()
    assert 'data-testid="signal-duplicates-AG-V"' in text
    assert 'data-testid="signal-duplicates-outlet-POS-KRW"' in text
    assert reverse("duplicates:pair", args=[duplicated[0].pk]) in text
    agent_page = client.get("/agents/AG-V/?as_of=2026-12-07").content.decode()
    assert reverse("duplicates:pair", args=[duplicated[0].pk]) in agent_page
    rows = client.get("/agents/signals/?kind=duplicates&as_of=2026-12-07&format=csv").content.decode()
    assert "AG-V" in rows and "POS-KRW" in rows
    evidence = client.get("/agents/AG-V/participants/?signal=duplicates&as_of=2026-12-07").content.decode()
    assert duplicated[0].second.number in evidence
    # a teller sees the agent's signal but no link to a queue they do not have
    client.force_login(staff("outlet_teller", outlet=world.pos_karawang))
    text = client.get("/agents/signals/?kind=duplicates&as_of=2026-12-07").content.decode()
    assert 'data-testid="signal-duplicates-AG-V"' in text and "/duplicates/" not in text
