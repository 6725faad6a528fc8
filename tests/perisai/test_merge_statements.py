"""An agent's statement after a merge: the duplicate's entries reversed and recorded again in the month of
the merge, so the agent keeps the commission on what moved and gives back what was paid twice, and the
duplicate acquisition is taken off that month's count."""

from datetime import date

from tests.conftest import jakarta

from jaring.contributions.services import payment_record
from jaring.members.models import ProbableDuplicate
from jaring.members.services.merge import participant_merge
from jaring.perisai.models import Statement
from jaring.perisai.services import statements_compute
from jaring.rules.months import Month
from jaring.rules.nik import Sex, make_nik

MARCH, APRIL = Month.of(2025, 3), Month.of(2025, 4)


def test_a_merge_corrects_the_agents_statement_of_the_month_of_the_merge(perisai, register):
    born = date(1980, 7, 1)
    own = register(
        nik=make_nik("32.15.01", born, Sex.MALE, 31), name="Ahmad Fauzi", birth_date=born,
        registered_at=jakarta(2025, 3, 2), outlet=perisai.pos_karawang,
    )  # fmt: skip
    signed = register(
        nik=make_nik("32.15.01", born, Sex.MALE, 77), name="Achmad Fauzi", birth_date=born,
        registered_at=jakarta(2025, 3, 9), outlet=perisai.prs_karawang, agent=perisai.prs_agent,
    )  # fmt: skip
    payment_record(
        participant=own, months=1, amount=16_800, source="test", idempotency_key="own-march",
        paid_at=jakarta(2025, 3, 3), outlet=perisai.pos_karawang, history_allowed=True,
    )  # fmt: skip
    payment_record(
        participant=signed, months=3, amount=50_400, source="test", idempotency_key="agent-march",
        paid_at=jakarta(2025, 3, 10), outlet=perisai.prs_karawang, agent=perisai.prs_agent,
        history_allowed=True,
    )  # fmt: skip
    statements_compute(month=MARCH)
    march = Statement.objects.get(agent=perisai.prs_agent, month=MARCH)
    assert (march.collected, march.commission, march.acquisitions) == (50_400, 3_780, 1)
    at = jakarta(2025, 4, 14)
    ProbableDuplicate.objects.update_or_create(
        first=own, second=signed,
        defaults={"score": 0.97, "weight": 8.0, "state": "same", "found_at": at, "scored_at": at},
    )  # fmt: skip
    participant_merge(survivor=own, absorbed=signed, actor=None, now=jakarta(2025, 4, 15))
    for day in (16, 17):  # two new workers signed up in April
        register(registered_at=jakarta(2025, 4, day), outlet=perisai.prs_karawang, agent=perisai.prs_agent)
    statements_compute(month=APRIL)
    april = Statement.objects.get(agent=perisai.prs_agent, month=APRIL)
    # the three months reversed (-3,780), April and May recorded again on the survivor (+2,520): the
    # commission on March, paid twice, is given back
    assert (april.collected, april.commission) == (-16_800, -1_260)
    assert sorted(april.lines.values_list("commission", flat=True)) == [-3_780, 2_520]
    assert april.acquisitions == 1  # two signed up, the duplicate taken off
    # March, computed before, is not rewritten
    assert Statement.objects.get(pk=march.pk).commission == 3_780
