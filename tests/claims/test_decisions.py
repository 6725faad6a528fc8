"""Claims decided from the ledger: the acceptance of issue #17 (eligibility, arrears, the scholarship,
maker-checker, the late queue around a holiday) and the bad input a claim is refused for."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.claims.conftest import heir
from tests.conftest import jakarta

from jaring.claims.models import Claim, ClaimRule
from jaring.claims.services import (
    ClaimRequest,
    claim_decide,
    claim_document_add,
    claim_submit,
    claim_verify,
    claims_pay,
)
from jaring.common.errors import IdempotencyConflict
from jaring.members.models import Participant, Standing
from jaring.rules.months import Month

PDF = b"%PDF-1.4 death certificate"


def codes(error: ValidationError) -> set[str]:
    return {f"{field}:{e.code}" for field, errors in error.error_dict.items() for e in errors}


def test_a_jkm_claim_in_a_covered_month_is_eligible_with_the_amounts_of_the_data(worker, pay, jkm):
    pay(worker, 12, jakarta(2024, 1, 5))
    claim = claim_submit(request=jkm(worker, jakarta(2024, 9, 14)), actor=None)
    assert claim.state == Claim.State.SUBMITTED and claim.eligible
    assert claim.amount == 42_000_000
    assert {line.component: line.amount for line in claim.lines.all()} == {
        "lump_sum": 20_000_000, "funeral": 10_000_000, "periodic": 12_000_000,
    }  # fmt: skip
    assert claim.decision["cover"]["reason"] == "paid_ahead" and "jkm-pp82-2019" in claim.decision["rules"]


def test_the_benefit_amounts_are_data_in_force_on_the_day_of_death(world, register, pay, jkm):
    ClaimRule.objects.create(
        code="jkm-test-2024-10", kind="benefit", valid_from=Month.of(2024, 10),
        data={"claim_kind": "JKM", "lump_sum": 25_000_000, "funeral": 10_000_000, "periodic": 12_000_000},
    )  # fmt: skip
    before, after = register(registered_at=jakarta(2024, 1, 5)), register(registered_at=jakarta(2024, 1, 5))
    pay(before, 12, jakarta(2024, 1, 5))
    pay(after, 12, jakarta(2024, 1, 5))
    assert claim_submit(request=jkm(before, jakarta(2024, 9, 30)), actor=None).amount == 42_000_000
    late = claim_submit(request=jkm(after, jakarta(2024, 10, 1)), actor=None)
    assert late.amount == 47_000_000 and "jkm-test-2024-10" in late.decision["rules"]


def test_a_lapsed_month_refuses_the_claim_with_its_months_and_arrears_paid_later_change_nothing(
    worker, pay, jkm
):
    pay(worker, 3, jakarta(2024, 1, 5))  # January to March 2024
    death = jakarta(2024, 8, 2)
    claim = claim_submit(request=jkm(worker, death), actor=None)
    assert claim.state == Claim.State.REJECTED and not claim.eligible and claim.amount == 0
    cover = claim.decision["cover"]
    assert cover["month"] == "2024-08" and cover["last_covered_before"] == "2024-03" and not cover["covered"]
    assert claim.reason.startswith("not covered")
    # the heirs pay the arrears after the death: with the switch off the answer does not change
    pay(worker, 3, jakarta(2024, 8, 20), amount=16_800 * 3)
    again = claim_submit(request=jkm(worker, death), actor=None)
    assert again.state == Claim.State.REJECTED and again.decision["cover"]["reason"] in (
        "paid_after",
        "unpaid",
    )


def test_with_the_restore_switch_on_arrears_paid_after_the_death_cover_it(worker, pay, jkm):
    from jaring.contributions.models import RateRule
    from jaring.contributions.queries import ratebook_forget

    pay(worker, 6, jakarta(2024, 1, 5))  # January to June
    death = jakarta(2024, 8, 2)
    pay(worker, 3, jakarta(2024, 8, 20))  # July to September, after the death
    assert claim_submit(request=jkm(worker, death), actor=None).state == Claim.State.REJECTED
    policy = RateRule.objects.get(kind="policy")
    policy.data = {**policy.data, "restore_cover_for_past_events": True}
    policy.save()
    ratebook_forget()
    claim = claim_submit(request=jkm(worker, death), actor=None)
    assert claim.eligible and claim.decision["cover"]["reason"] == "restored"


def test_with_the_grace_switch_on_the_first_months_of_arrears_are_covered(worker, pay, jkm):
    pay(worker, 6, jakarta(2024, 1, 5))  # January to June
    death = jakarta(2024, 8, 2)  # the second unpaid month
    assert not claim_submit(request=jkm(worker, death), actor=None).eligible
    rule = ClaimRule.objects.get(kind="cover")
    rule.data = {**rule.data, "arrears_grace_covered": True}
    rule.save()
    claim = claim_submit(request=jkm(worker, death), actor=None)
    assert claim.eligible and claim.decision["cover"]["reason"] == "grace"


def test_a_payment_after_the_death_in_the_same_month_does_not_cover_it(worker, pay, jkm):
    pay(worker, 1, jakarta(2024, 1, 5))
    pay(worker, 6, jakarta(2024, 2, 20, hour=15))  # February to July, paid on 20 February at 15:00
    assert not claim_submit(request=jkm(worker, jakarta(2024, 2, 20, hour=9)), actor=None).eligible


def test_the_scholarship_is_refused_below_the_minimum_period_and_granted_above_it(world, register, pay, jkm):
    children = [{"nik": "3215014403150001", "name": "Rina", "age": 9, "level": "SD"}]
    short = register(registered_at=jakarta(2022, 1, 5), name="Budi")
    pay(short, 12, jakarta(2022, 1, 5))
    pay(short, 12, jakarta(2023, 1, 5))
    for months, day in ((6, jakarta(2024, 1, 5)), (3, jakarta(2024, 6, 20)), (1, jakarta(2024, 9, 20))):
        pay(short, months, day)
    pay(short, 1, jakarta(2024, 10, 20))  # 35 months, through November 2024
    below = claim_submit(
        request=jkm(short, jakarta(2024, 11, 20), details={"children": children}), actor=None
    )
    assert below.eligible and below.decision["scholarship"] == {
        "granted": False, "months_paid": 35, "months_needed": 36, "refusal": "period",
    }  # fmt: skip
    assert below.amount == 42_000_000
    long = register(registered_at=jakarta(2022, 1, 5), name="Joko")
    for year in (2022, 2023, 2024):
        pay(long, 12, jakarta(year, 1, 5))
    above = claim_submit(request=jkm(long, jakarta(2024, 12, 20), details={"children": children}), actor=None)
    assert above.decision["scholarship"]["granted"] and above.decision["scholarship"]["months_paid"] == 36
    assert above.amount == 42_000_000 + 1_500_000
    assert above.lines.get(component="scholarship").year == 2024


def _complete(claim, actor=None):
    for kind in claim.decision["documents"]:
        claim_document_add(claim=claim, kind=kind, content=PDF, actor=actor, now=jakarta(2025, 3, 28, hour=9))
    claim.refresh_from_db()
    return claim


def test_the_same_person_cannot_verify_and_approve_one_claim(
    worker, pay, jkm, staff, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    pay(worker, 12, jakarta(2024, 1, 5))
    claim = _complete(claim_submit(request=jkm(worker, jakarta(2024, 9, 14)), actor=None))
    assert claim.state == Claim.State.COMPLETE
    maker = staff("branch_staff", office=world.karawang_branch)
    checker = staff("branch_staff", office=world.karawang_branch)
    claim_verify(claim=claim, actor=maker)
    with pytest.raises(ValidationError) as refused:
        claim_decide(claim=claim, approve=True, actor=maker)
    assert codes(refused.value) == {"actor:same_person"}
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.VERIFIED
    with pytest.raises(ValidationError) as no_reason:
        claim_decide(claim=claim, approve=False, actor=checker)
    assert codes(no_reason.value) == {"reason:required"}
    approved = claim_decide(claim=claim, approve=True, actor=checker)
    assert approved.state == Claim.State.APPROVED and approved.decided_by == checker
    # death ends membership: deceased from the day of death, coverage after its month cut
    standing = Standing.objects.get(participant=worker)
    assert standing.status == Participant.Status.DECEASED and standing.died_on == date(2024, 9, 14)
    assert str(standing.paid_through) == "2024-09"
    payout = claims_pay(claims=Claim.objects.all(), actor=checker)
    assert payout.claims_count == 1 and payout.amount == 42_000_000
    assert claims_pay(claims=Claim.objects.all(), actor=checker) is None


def test_a_complete_claim_is_due_three_working_days_later_counted_around_the_holidays(
    worker, register, pay, jkm, settings, tmp_path
):
    from jaring.reminders.services import holiday_correction_set

    settings.MEDIA_ROOT = tmp_path
    pay(worker, 12, jakarta(2024, 1, 5))
    # complete on Friday 28 March 2025: Eid al-Fitr falls on 31 March and 1 April
    claim = _complete(claim_submit(request=jkm(worker, jakarta(2024, 9, 14)), actor=None))
    assert claim.complete_on == date(2025, 3, 28) and claim.due_on == date(2025, 4, 4)
    # with the collective leave of 2, 3, 4 and 7 April entered by the operator, three working days end later
    for day in (2, 3, 4, 7):
        holiday_correction_set(
            day=date(2025, 4, day), change="added", name="Cuti bersama Idul Fitri", actor=None
        )
    neighbour = register(registered_at=jakarta(2024, 1, 5))
    pay(neighbour, 12, jakarta(2024, 1, 5))
    other = _complete(claim_submit(request=jkm(neighbour, jakarta(2024, 9, 14)), actor=None))
    assert other.due_on == date(2025, 4, 10)


def test_bad_input_is_refused_per_field_and_saves_nothing(worker, pay, jkm):
    pay(worker, 12, jakarta(2024, 1, 5))
    cases = [
        (jkm(worker, jakarta(2030, 1, 1)), {"incident_at:future"}),
        (jkm(worker, jakarta(2023, 12, 1)), {"incident_at:before_registration"}),
        (jkm(worker, jakarta(2024, 9, 14), heirs=[heir(nik=worker.nik)]), {"heirs[0].nik:deceased"}),
        (
            jkm(worker, jakarta(2024, 9, 14), heirs=[heir(account_number="12345")]),
            {"heirs[0].account_number:format"},
        ),
        (jkm(worker, jakarta(2024, 9, 14), heirs=[]), {"heirs:required"}),
        (
            jkm(worker, jakarta(2024, 9, 14), heirs=[heir(relation="neighbour")]),
            {"heirs[0].relation:invalid"},
        ),
    ]
    for request, expected in cases:
        with pytest.raises(ValidationError) as refused:
            claim_submit(request=request, actor=None)
        assert codes(refused.value) == expected
    assert not Claim.objects.exists()


def test_a_second_claim_for_the_same_death_is_refused_and_a_retry_returns_the_first(worker, pay, jkm):
    pay(worker, 12, jakarta(2024, 1, 5))
    request = jkm(worker, jakarta(2024, 9, 14), key="heirs-1")
    first = claim_submit(request=request, actor=None)
    assert claim_submit(request=request, actor=None).pk == first.pk
    with pytest.raises(IdempotencyConflict):
        claim_submit(request=jkm(worker, jakarta(2024, 9, 15), key="heirs-1"), actor=None)
    with pytest.raises(ValidationError) as twice:
        claim_submit(request=jkm(worker, jakarta(2024, 9, 14), key="heirs-2"), actor=None)
    assert codes(twice.value) == {"participant:death_claimed"}
    assert Claim.objects.count() == 1


def test_an_upload_that_is_not_a_document_or_too_large_is_refused(worker, pay, jkm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pay(worker, 12, jakarta(2024, 1, 5))
    claim = claim_submit(request=jkm(worker, jakarta(2024, 9, 14)), actor=None)
    for content, code in (
        (b"MZ\x90 an exe", "file:type"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "file:too_large"),
    ):
        with pytest.raises(ValidationError) as refused:
            claim_document_add(claim=claim, kind="death_certificate", content=content, actor=None)
        assert codes(refused.value) == {code}
    assert not claim.documents.exists() and not any(tmp_path.rglob("*.*"))


def test_a_jkk_claim_pays_the_hospital_and_the_worker(worker, pay):
    pay(worker, 12, jakarta(2024, 1, 5))
    claim = claim_submit(
        request=ClaimRequest(
            participant=worker.nik, kind="JKK", incident_at=jakarta(2024, 5, 2), incident_place="Pasar Baru",
            details={"medical_bill": "7.250.000", "inability_days": 30, "hospital": "RSUD Karawang",
                     "bank": "BRI", "account_number": "123456789012345", "account_name": "Ahmad Yani"},
            source="test", idempotency_key="jkk-1",
        ),
        actor=None,
    )  # fmt: skip
    assert {(line.component, line.payee): line.amount for line in claim.lines.all()} == {
        ("medical", "hospital"): 7_250_000, ("inability", "participant"): 1_000_000,
    }  # fmt: skip


def test_the_heirs_claim_jkm_and_the_jht_savings_for_one_death(world, register, pay, jkm):
    saver = register(registered_at=jakarta(2024, 1, 5), programmes="JKK+JKM+JHT")
    pay(saver, 12, jakarta(2024, 1, 5), amount=36_800 * 12)  # JHT 2 % of Rp1,000,000: Rp20,000 a month
    death = jakarta(2024, 9, 14)
    assert claim_submit(request=jkm(saver, death), actor=None).eligible
    savings = claim_submit(
        request=ClaimRequest(
            participant=saver.nik, kind="JHT", incident_at=death, jht_trigger="death", heirs=(heir(),),
            source="test", idempotency_key="jht-1",
        ),
        actor=None,
    )  # fmt: skip
    assert savings.eligible and not savings.death
    # Rp240,000 paid in January earns the placeholder 5 % for the 8 months to September
    assert savings.amount == 240_000 + round(240_000 * 0.05 * 8 / 12)
    assert savings.lines.get().payee == "heirs" and savings.heirs.get().recipient


def test_the_scholarship_is_claimed_again_each_school_year_up_to_the_total(
    world, register, pay, jkm, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    child = {"nik": "3215014403150001", "name": "Rina", "age": 17, "level": "SMA"}
    parent = register(registered_at=jakarta(2022, 1, 5), name="Joko")
    for year in (2022, 2023, 2024):
        pay(parent, 12, jakarta(year, 1, 5))

    def school_year(year, key, children=(child,)):
        return ClaimRequest(
            participant=parent.nik, kind="BEA", incident_at=jakarta(year, 7, 15), heirs=(heir(),),
            details={"children": list(children)}, source="test", idempotency_key=key,
        )  # fmt: skip

    with pytest.raises(ValidationError) as early:
        claim_submit(request=school_year(2025, "bea-early"), actor=None)
    assert codes(early.value) == {"participant:no_death_claim"}
    death = _complete(
        claim_submit(request=jkm(parent, jakarta(2024, 12, 20), details={"children": [child]}), actor=None)
    )
    claim_verify(claim=death, actor=staff("branch_staff", office=world.karawang_branch))
    claim_decide(claim=death, approve=True, actor=staff("branch_staff", office=world.karawang_branch))
    assert death.lines.get(component="scholarship").amount == 3_000_000
    later = claim_submit(request=school_year(2025, "bea-2025", [{**child, "age": 18}]), actor=None)
    assert later.eligible and later.amount == 3_000_000 and later.decision["death_claim"] == death.number
    assert later.lines.get().beneficiary == child["nik"] and later.lines.get().year == 2025
    with pytest.raises(ValidationError) as twice:
        claim_submit(request=school_year(2025, "bea-2025-again", [{**child, "age": 18}]), actor=None)
    assert codes(twice.value) == {"details.children[0].nik:year_paid"}
    # a rule from 2026 with a total of Rp15,000,000 a child: the 2026 year pays what is left of it
    rule = ClaimRule.objects.get(kind="scholarship")
    ClaimRule.objects.create(
        code="scholarship-test-2026", kind="scholarship", valid_from=Month.of(2026, 1),
        data={**rule.data, "total_per_child": 15_000_000},
    )  # fmt: skip
    university = claim_submit(
        request=school_year(2026, "bea-2026", [{**child, "age": 19, "level": "PT"}]), actor=None
    )
    assert university.amount == 15_000_000 - 3_000_000 - 3_000_000
    assert "scholarship-test-2026" in university.decision["rules"]


def test_the_jht_balance_statement_reads_the_ledger_and_prints(world, register, pay):
    from jaring.claims.statements import jht_statement, jht_statement_pdf

    saver = register(registered_at=jakarta(2023, 1, 5), programmes="JKK+JKM+JHT")
    pay(saver, 12, jakarta(2023, 1, 5), amount=36_800 * 12)
    pay(saver, 12, jakarta(2024, 1, 6), amount=36_800 * 12)
    statement = jht_statement(saver, date(2024, 6, 30))
    first, second = statement.years
    assert first.contributions == 240_000 and first.yield_ == round(240_000 * 0.05 * 11 / 12)
    assert second.opening == first.closing and second.contributions == 240_000
    assert statement.balance == second.closing and statement.as_json()["rule"]["uncertain"] is True
    # a statement as of the first year leaves the second year's payment out
    assert jht_statement(saver, date(2023, 12, 31)).balance == first.closing
    assert jht_statement_pdf(statement).startswith(b"%PDF")


def test_the_shipped_claim_rules_fit_their_columns():
    """PostgreSQL refuses what SQLite keeps: every shipped rule's code and source fit the rule's columns."""
    import json
    from importlib import resources

    shipped = json.loads(resources.files("jaring.rules.data").joinpath("claims.json").read_text("utf-8"))
    for rule in shipped["rules"]:
        assert len(rule["code"]) <= ClaimRule._meta.get_field("code").max_length
        assert len(rule["source"]) <= ClaimRule._meta.get_field("source").max_length, rule["code"]


def test_without_any_rule_row_the_rules_as_shipped_decide(worker, pay, jkm):
    ClaimRule.objects.all().delete()  # a database emptied between a test's cases
    pay(worker, 12, jakarta(2024, 1, 5))
    assert claim_submit(request=jkm(worker, jakarta(2024, 9, 14)), actor=None).amount == 42_000_000
