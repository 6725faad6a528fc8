"""Perisai fixtures: a Perisai office in Karawang with an onboarded, active agent."""

from datetime import date

import pytest


def onboard(agent, *, participant, bank, on=date(2024, 1, 10)):
    """Records every onboarding requirement of ``agent`` and activates it on ``on``."""
    from jaring.perisai.services import agent_activate, agent_onboarding_record

    agent_onboarding_record(
        agent=agent,
        on=on,
        participant=participant,
        bank=bank,
        bank_account="0123456789",
        bank_account_name=agent.name,
        trained_on=date(2024, 1, 3),
        exam_passed_on=date(2024, 1, 5),
        certificate_number=f"SERT-{agent.code}",
        assignment_letter=f"ST/{agent.code}/2024",
        assignment_letter_on=date(2024, 1, 8),
    )
    return agent_activate(agent=agent, on=on)


@pytest.fixture
def perisai(world, register):
    """``world`` plus the Perisai network: office PRS-KRW (Karawang, branch KC-KRW), office PRS-BPN
    (Balikpapan, branch KC-BPN), active agents PRS-1 (Karawang) and PRS-2 (Balikpapan)."""
    from jaring.channels.services import outlet_create, partner_create
    from jaring.perisai.services import agent_enrol

    w = world
    w.network = partner_create(code="PERISAI", name="Perisai", kind="agent_network")
    w.prs_karawang = outlet_create(
        code="PRS-KRW", name="Perisai Karawang", partner=w.network, region_code="32.15.01"
    )
    w.prs_balikpapan = outlet_create(
        code="PRS-BPN", name="Perisai Balikpapan", partner=w.network, region_code="64.71.01"
    )
    w.prs_agent = agent_enrol(code="PRS-1", name="Dewi Lestari", outlet=w.prs_karawang, on=date(2024, 1, 2))
    onboard(w.prs_agent, participant=register(name="Dewi Lestari", sex="F"), bank=w.bank)
    w.prs_agent.refresh_from_db()
    w.prs_other = agent_enrol(code="PRS-2", name="Rudi Hartono", outlet=w.prs_balikpapan, on=date(2024, 1, 2))
    onboard(w.prs_other, participant=register(name="Rudi Hartono", district="64.71.01"), bank=w.bank)
    w.prs_other.refresh_from_db()
    return w
