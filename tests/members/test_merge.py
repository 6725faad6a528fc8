"""Merging two records of one person: one number survives, one ledger, coverage and tallies right, the
months paid twice credited or refunded by the rule, the merged record pointing at the survivor."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import jakarta

from jaring.accounts.models import AuditEntry
from jaring.contributions.models import CoverageRun, Payment
from jaring.contributions.services import payment_record
from jaring.members.models import DuplicateRule, Participant, ParticipantMerge, ProbableDuplicate, Standing
from jaring.members.queries import participant_find
from jaring.members.services.merge import participant_merge, survivor_of
from jaring.rules.months import Month
from jaring.rules.nik import Sex, make_nik
from jaring.tallies.models import Tally
from jaring.tallies.verify import tallies_verify

MERGED_AT = jakarta(2024, 7, 10)


def registered(register, name, serial, **fields):
    birth = date(1985, 4, 12)
    nik = make_nik("32.15.01", birth, Sex.MALE, serial)
    return register(
        nik=nik, name=name, birth_date=birth, sex="M", registered_at=jakarta(2024, 3, 1), **fields
    )


def pay(participant, months, key, day=5, **fields):
    return payment_record(
        participant=participant, months=months, amount=16_800 * months, source="test", idempotency_key=key,
        paid_at=jakarta(2024, 3, day), history_allowed=True, **fields,
    ).payment  # fmt: skip


@pytest.fixture
def one_person(world, register):
    """Muhammad Yusuf registered twice at Pos Karawang (the second time the agent made up the serial):
    the first record paid March, the second March to May."""
    first = registered(register, "Muhammad Yusuf Hidayat", 11, phone="081211112222")
    second = registered(register, "M. Jusuf Hidayat", 12, agent=world.agent)
    pay(first, 1, "first-march", outlet=world.pos_karawang)
    pay(second, 3, "second-march-may", day=6, outlet=world.pos_karawang, agent=world.agent)
    pair = ProbableDuplicate.objects.get(first=first, second=second)  # warned at registration
    ProbableDuplicate.objects.filter(pk=pair.pk).update(state=ProbableDuplicate.State.SAME)
    return first, second


def months_of(participant) -> list[str]:
    return [
        f"{run.first_month}..{run.last_month}" for run in CoverageRun.objects.filter(participant=participant)
    ]


def test_merging_leaves_one_number_one_ledger_correct_coverage_and_tallies_that_verify(one_person, staff):
    survivor, absorbed = one_person
    user = staff("branch_staff", office=survivor.office)
    result = participant_merge(survivor=survivor, absorbed=absorbed, actor=user, now=MERGED_AT)
    merge = result.merge
    assert result.created and merge.survivor_id == survivor.pk and merge.absorbed_id == absorbed.pk
    # one coverage: March was paid by both, April and May come from the second record
    assert months_of(survivor) == ["2024-03..2024-05"] and months_of(absorbed) == []
    standing = Standing.objects.get(pk=survivor.pk)
    assert standing.paid_through == Month.of(2024, 5)
    # March paid twice is credited to the survivor's balance (the rule as shipped)
    assert merge.double_paid == [
        {"month": "2024-03", "amount": 16_800, "entry": merge.double_paid[0]["entry"]}
    ]
    assert merge.settled_as == "credit" and standing.deposit_balance == 16_800
    gone = Standing.objects.get(pk=absorbed.pk)
    assert gone.status == Participant.Status.MERGED and gone.merged_into_id == survivor.pk
    # history is not rewritten: the second record's entry is reversed, and recorded again on the
    # survivor in the month of the merge, keeping when it was first paid
    original = Payment.objects.get(participant=absorbed, kind="contribution")
    reversal = Payment.objects.get(participant=absorbed, kind="reversal")
    assert reversal.reverses_id == original.pk and reversal.amount == -50_400
    assert reversal.paid_at == MERGED_AT
    moved = Payment.objects.get(participant=survivor, source=f"merge:{absorbed.pk}")
    assert (moved.first_month, moved.months, moved.amount) == (Month.of(2024, 4), 2, 33_600)
    assert moved.paid_at == MERGED_AT and moved.originally_paid_at == original.paid_at
    assert moved.agent_id == original.agent_id and moved.outlet_id == original.outlet_id
    assert tallies_verify() == []
    # the second registration is taken out in the month of the merge, not on its own day
    day = MERGED_AT.date()
    assert Tally.objects.get(kind="registered", day=day, agent_id=original.agent_id).count == -1
    assert Tally.objects.get(kind="registered", day=date(2024, 3, 1), agent_id=original.agent_id).count == 1
    entry = AuditEntry.objects.filter(action="update").latest("pk")
    assert absorbed.number in entry.summary and survivor.number in entry.summary
    assert entry.user_pk == user.pk


def test_the_merged_number_still_finds_the_person_and_takes_no_more_money(one_person, world):
    survivor, absorbed = one_person
    participant_merge(survivor=survivor, absorbed=absorbed, actor=None, now=MERGED_AT)
    found = participant_find(absorbed.number)
    assert found.pk == absorbed.pk and survivor_of(found).pk == survivor.pk
    assert participant_find(absorbed.nik).standing.merged_into_id == survivor.pk
    with pytest.raises(ValidationError) as refused:
        payment_record(
            participant=absorbed, months=1, amount=16_800, source="test", idempotency_key="after",
            outlet=world.pos_karawang,
        )  # fmt: skip
    assert survivor.number in refused.value.message_dict["nik"][0]


def test_a_retry_returns_the_merge_done_and_moves_nothing_twice(one_person):
    survivor, absorbed = one_person
    participant_merge(survivor=survivor, absorbed=absorbed, actor=None, now=MERGED_AT)
    entries = Payment.objects.count()
    again = participant_merge(survivor=survivor, absorbed=absorbed, actor=None, now=MERGED_AT)
    assert not again.created and Payment.objects.count() == entries
    assert ParticipantMerge.objects.count() == 1 and tallies_verify() == []


def test_months_paid_twice_become_a_refund_owed_when_the_rule_says_so(one_person):
    DuplicateRule.objects.create(
        code="merge-refund", kind="merge", valid_from=Month.of(2024, 1), data={"double_paid": "refund"},
        source="test",
    )  # fmt: skip
    survivor, absorbed = one_person
    merge = participant_merge(survivor=survivor, absorbed=absorbed, actor=None, now=MERGED_AT).merge
    assert (
        merge.settled_as == "refund" and merge.double_paid_amount == 16_800 and merge.rule == "merge-refund"
    )
    assert Standing.objects.get(pk=survivor.pk).deposit_balance == 0


def test_a_merge_is_refused_with_its_reason_and_changes_nothing(one_person, world, register):
    survivor, absorbed = one_person
    ProbableDuplicate.objects.update(state=ProbableDuplicate.State.OPEN)
    entries = Payment.objects.count()
    with pytest.raises(ValidationError) as refused:
        participant_merge(survivor=survivor, absorbed=absorbed, actor=None, now=MERGED_AT)
    assert "pair" in refused.value.message_dict
    with pytest.raises(ValidationError) as itself:
        participant_merge(survivor=survivor, absorbed=survivor, actor=None, now=MERGED_AT)
    assert "absorbed" in itself.value.message_dict
    assert Payment.objects.count() == entries and not ParticipantMerge.objects.exists()
    assert Standing.objects.get(pk=absorbed.pk).merged_into_id is None


def test_a_claim_on_the_survivor_counts_moved_money_from_when_it_was_first_paid(one_person):
    from jaring.claims.services.submit import ledger_entries

    survivor, absorbed = one_person
    first_paid = Payment.objects.get(participant=absorbed).paid_at
    participant_merge(survivor=survivor, absorbed=absorbed, actor=None, now=MERGED_AT)
    moments = sorted(entry.paid_at for entry in ledger_entries(survivor))
    assert moments[-1] == first_paid and MERGED_AT not in moments


def test_branch_staff_merge_a_decided_pair_from_its_page_and_others_cannot(client, one_person, world, staff):
    from django.urls import reverse

    survivor, absorbed = one_person
    pair = ProbableDuplicate.objects.get(first=survivor, second=absorbed)
    url = reverse("duplicates:merge", args=[pair.pk])
    analyst = staff("head_office_analyst")
    client.force_login(analyst)
    assert client.post(url, {"keep": "first"}).status_code == 404  # analysts read, they do not merge
    elsewhere = staff("branch_staff", office=world.balikpapan)
    client.force_login(elsewhere)
    assert client.post(url, {"keep": "first"}).status_code == 404  # not their branch's pair
    assert not ParticipantMerge.objects.exists()
    client.force_login(staff("branch_staff", office=world.karawang_branch))
    page = client.get(reverse("duplicates:pair", args=[pair.pk])).content.decode()
    assert 'data-testid="merge-form"' in page
    answer = client.post(url, {"keep": "first", "reason": "NIK typed wrong at the second registration"})
    assert answer.status_code == 302
    merge = ParticipantMerge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id) == (survivor.pk, absorbed.pk)
    assert merge.reason == "NIK typed wrong at the second registration"
    page = client.get(reverse("duplicates:pair", args=[pair.pk])).content.decode()
    assert 'data-testid="merged"' in page and 'data-testid="merge-form"' not in page
    assert 'data-testid="double-paid"' in page


def test_the_command_line_merges_and_the_status_points_at_the_survivor(one_person):
    import json
    from io import StringIO

    from django.core.management import call_command

    survivor, absorbed = one_person
    out = StringIO()
    call_command(
        "participant", "merge", survivor.number, absorbed.nik, "--reason", "one person", "--json", stdout=out
    )
    answer = json.loads(out.getvalue())
    assert answer["ok"] and answer["created"] and answer["entries_moved"] == 1
    assert answer["double_paid_amount"] == 16_800 and answer["settled_as"] == "credit"
    shown = StringIO()
    call_command("participant", "show", absorbed.number, "--json", stdout=shown)
    status = json.loads(shown.getvalue())
    assert status["status"] == "merged" and status["merged_into"] == survivor.number


def test_the_desk_page_of_a_merged_record_points_at_the_survivor(client, one_person, world, staff):
    from django.urls import reverse

    survivor, absorbed = one_person
    participant_merge(survivor=survivor, absorbed=absorbed, actor=None, now=MERGED_AT)
    client.force_login(staff("outlet_teller", outlet=world.pos_karawang))
    page = client.get(reverse("desk:participant", args=[absorbed.number]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="merged-into"' in text and survivor.number in text
    assert 'data-status="merged"' in text
    assert (
        'data-testid="pay-link"' not in text and 'data-months="0"' in text
    )  # it owes nothing, takes nothing
    kept = client.get(reverse("desk:participant", args=[survivor.number])).content.decode()
    assert 'data-testid="merged-into"' not in kept
