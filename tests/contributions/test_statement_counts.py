"""A single payment, deposit or registration (the desk, the API, the command line) is the list of one of
the set-based path: it keeps a small, fixed number of statements, one of them its audit entry. Two more
in each count here: the test's own transaction makes the service's transaction a savepoint."""

from datetime import date

from tests.conftest import a_village

from jaring.accounts.audit import Actor
from jaring.contributions.queries import ratebook
from jaring.contributions.services import deposit_record, payment_record
from jaring.members.services import participant_register
from jaring.rules.nik import Sex, make_nik


def test_a_payment_costs_the_same_statements_as_before_plus_its_audit_entry(
    register, django_assert_max_num_queries
):
    person = register()
    payment_record(participant=person, months=1, amount=16_800, source="till", idempotency_key="T-0")
    # The participant locked, the reference, the runs; the run extended, the standing, the entry, its
    # ledger key, the tallies, the coverage deltas and the two monthly roll-ups; the audit entry.
    with django_assert_max_num_queries(12 + 2):
        result = payment_record(
            participant=person,
            months=1,
            amount=16_800,
            source="till",
            idempotency_key="T-1",
            actor=Actor.cli(),
        )
    assert result.created and person.standing.paid_through == result.payment.first_month


def test_a_deposit_buying_a_month_costs_a_fixed_number_of_statements(register, django_assert_max_num_queries):
    person = register()
    # As a payment, with the deposit itself before the entry it buys.
    with django_assert_max_num_queries(13 + 2):
        result = deposit_record(
            participant=person, amount=20_000, source="till", idempotency_key="T-2", actor=Actor.cli()
        )
    assert len(result.purchases) == 1 and result.deposit.balance_after == 3_200


def test_a_registration_costs_a_fixed_number_of_statements(world, django_assert_max_num_queries):
    village = a_village("32.15.01")
    born = date(1980, 1, 1)
    ratebook()  # remembered by the process for a minute: read once, not per registration
    # The NIK registered before?, the participants sharing its first twelve digits (probable duplicates),
    # the village, the occupations, the branch serving the village; the participant, its standing, the
    # tally and its two monthly roll-ups (sent together on PostgreSQL, one round trip), the audit entry.
    with django_assert_max_num_queries(11 + 2):
        registration = participant_register(
            nik=make_nik("32.15.01", born, Sex("M"), 77), name="Ahmad Yani", birth_date=born, sex="M",
            village_code=village, occupation_code="PETANI", declared_income=1_000_000, programmes="JKK+JKM",
            outlet=world.pos_karawang, actor=Actor.cli(),
        )  # fmt: skip
    assert registration.participant.office_id == world.karawang_branch.pk
