"""Death ends membership: once a death claim is approved, the participant is deceased from the day of
death, and counts, bills, reminders, worklists and payments leave them out."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import jakarta

from jaring.claims.services import claim_decide, claim_document_add, claim_submit, claim_verify
from jaring.contributions.services import statuses_refresh
from jaring.members.models import Participant, Standing
from jaring.monitoring import readings
from jaring.rules.months import Month
from jaring.tallies.verify import tallies_verify

PDF = b"%PDF-1.4 scan"


@pytest.fixture
def deceased(worker, pay, jkm, staff, world, settings, tmp_path):
    """``worker`` paid 12 months ahead in January 2024 and died on 14 March 2024; the heirs' JKM claim
    is verified and approved by two people."""
    settings.MEDIA_ROOT = tmp_path
    pay(worker, 12, jakarta(2024, 1, 5))
    claim = claim_submit(request=jkm(worker, jakarta(2024, 3, 14)), actor=None)
    for kind in claim.decision["documents"]:
        claim_document_add(claim=claim, kind=kind, content=PDF, actor=None)
    claim_verify(claim=claim, actor=staff("branch_staff", office=world.karawang_branch))
    claim_decide(claim=claim, approve=True, actor=staff("branch_staff", office=world.karawang_branch))
    return worker


def test_the_counts_leave_the_deceased_out_from_the_day_of_death_and_the_tallies_still_verify(
    deceased, world
):
    branch = world.karawang_branch.pk
    ever = readings.flows_by(date(2024, 1, 1), date(2024, 3, 13), by="office_id")[branch]
    assert ever.registered == 1
    after = readings.flows_by(date(2024, 1, 1), date(2024, 3, 14), by="office_id")[branch]
    assert after.registered == 0 and after.new == 1  # still a registration of the period
    assert readings.segments_by(date(2024, 3, 14), office_ids=[branch])["BPU"][0] == 0
    assert readings.active_by_office(Month.of(2024, 3), office_ids=[branch]).get(branch) == 1
    assert readings.active_by_office(Month.of(2024, 4), office_ids=[branch]).get(branch, 0) == 0
    assert tallies_verify() == []


def test_the_month_end_run_keeps_the_deceased_deceased(deceased):
    statuses_refresh(today=date(2024, 6, 30))
    assert Standing.objects.get(participant=deceased).status == Participant.Status.DECEASED


def test_no_payment_is_taken_for_a_deceased_participant(deceased, pay):
    with pytest.raises(ValidationError) as refused:
        pay(deceased, 1, jakarta(2024, 5, 2))
    assert "deceased" in str(refused.value.error_dict["nik"][0].code)


def test_reminders_and_worklists_leave_the_deceased_out(deceased, world, register, pay, staff):
    from jaring.accounts.scope import scope_for
    from jaring.reminders.services import _reachable
    from jaring.reminders.worklists import worklists_for

    living = register(registered_at=jakarta(2024, 1, 5), phone="081234567890")
    pay(living, 1, jakarta(2024, 1, 5))
    reachable = set(_reachable(Standing.objects.all()).values_list("participant_id", flat=True))
    assert living.pk in reachable and deceased.pk not in reachable

    # in February 2025 the deceased would have been in arrears since January (paid through December)
    lists = worklists_for(scope_for(staff("admin")), month=Month.of(2025, 2))
    listed = {entry.participant_id for entries in lists.entries.values() for entry in entries}
    assert deceased.pk not in listed
