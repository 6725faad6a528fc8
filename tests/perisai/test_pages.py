"""The agent pages: what each role sees, 404 outside the scope, exports equal to the pages, masking and the
audit trail of personal data."""

import csv
import io
from datetime import date

import pytest
from tests.conftest import jakarta

from jaring.accounts.models import AuditEntry
from jaring.members.models import Participant

pytestmark = pytest.mark.django_db

SHARED_PHONE = "081277778888"


@pytest.fixture
def agents_world(network, register):
    """The network, with a second agent in Balikpapan, and AG-1 signing up five workers (five different
    people) on one phone."""
    from jaring.channels.services import agent_create

    w = network
    w.agent_bpn = agent_create(code="AG-2", name="Rahmat", partner=w.pos, outlet=w.pos_balikpapan)
    w.bpn_worker = register(
        outlet=w.pos_balikpapan, agent=w.agent_bpn, district="64.71.01", registered_at=jakarta(2024, 5, 6)
    )
    names = ("Agus Salim", "Bambang Pamungkas", "Citra Kirana", "Dedi Mulyadi", "Eka Putri")
    w.sharing = [
        register(
            outlet=w.pos_karawang,
            agent=w.agent,
            registered_at=jakarta(2024, 5, 10),
            phone=SHARED_PHONE,
            name=name,
            birth_date=date(1970 + index, 1 + index, 10 + index),
        )
        for index, name in enumerate(names)
    ]
    return w


@pytest.fixture
def users(agents_world, staff):
    """``users.krw`` and so on, each made on first use (making a user hashes a password: slow)."""
    w = agents_world
    roles = {
        "agent": ("agent", {"agent": w.agent}),
        "krw": ("branch_staff", {"office": w.karawang_branch}),
        "bpn": ("branch_staff", {"office": w.balikpapan}),
        "analyst": ("head_office_analyst", {}),
        "teller": ("outlet_teller", {"outlet": w.pos_karawang}),
        "payer": ("payer", {"payer": w.payer}),
    }

    class Users:
        def __getattr__(self, name):
            role, scope = roles[name]
            user = staff(role, **scope)
            setattr(self, name, user)
            return user

    return Users()


def get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def as_text(rows) -> list[list[str]]:
    return [["" if cell is None else str(cell) for cell in row] for row in rows]


def audits(action):
    return list(AuditEntry.objects.filter(action=action).values_list("username", "summary"))


# -- an agent ----------------------------------------------------------------------------------------------


def test_an_agent_sees_their_own_summary_and_retention_on_the_agents_page(client, users, agents_world):
    response = get(client, users.agent, "/agents/")
    page = response.content.decode()
    assert "AG-1" in page and 'data-testid="cohorts"' in page and 'id="cohort-data"' in page
    figures = response.context["figures"]
    assert (figures.acquired, figures.paid) == (6, 1)  # by_agent and the five on one phone; by_agent paid
    assert 'data-testid="agent-signals"' not in page  # signals are for staff
    assert "perisai/cohorts.js" in page and "<script>" not in page  # no inline script (CSP)


def test_an_agent_sees_their_participants_masked_as_every_list(client, users, agents_world):
    response = get(client, users.agent, "/agents/AG-1/participants/")
    page = response.content.decode()
    w = agents_world
    assert w.by_agent.masked_nik in page and "*********888" in page  # the desk's page shows them in full
    assert w.by_agent.nik not in page and SHARED_PHONE not in page
    assert w.karawang.masked_nik not in page  # registered at the same outlet, but not by this agent
    assert len(response.context["lines"]) == 6
    assert audits("view_personal_data") == []  # nothing in full was shown


def test_an_agent_cannot_see_another_agent_nor_the_staff_pages(client, users):
    for url in (
        "/agents/AG-2/",
        "/agents/AG-2/participants/",
        "/agents/ranking/",
        "/agents/signals/",
        "/agents/AG-1/participants/?signal=shared_phone",
    ):
        get(client, users.agent, url, status=404)


# -- staff ----------------------------------------------------------------------------------------------


def test_branch_staff_list_the_agents_of_their_branch_with_figures(client, users):
    response = get(client, users.krw, "/agents/")
    codes = [agent.code for agent, _figures, _flagged in response.context["lines"]]
    assert codes == ["AG-1"]
    _agent, figures, flagged = response.context["lines"][0]
    # flagged twice: five on one phone, and five of six never paid since May 2024
    assert (figures.acquired, figures.paid, flagged) == (6, 1, 2)
    rows = csv_rows(get(client, users.krw, "/agents/?format=csv"))
    assert [row[0] for row in rows[1:]] == ["AG-1"]
    assert rows[1][4:] == ["6", "0", "1", "0", "2"]


def test_staff_of_another_branch_get_404_for_an_agent_outside_their_scope(client, users):
    for url in ("/agents/AG-1/", "/agents/AG-1/participants/", "/agents/AG-1/?format=csv"):
        get(client, users.bpn, url, status=404)
    get(client, users.bpn, "/agents/AG-2/")
    assert "AG-1" not in get(client, users.bpn, "/agents/ranking/").content.decode()


def test_a_teller_sees_the_agents_of_their_outlet(client, users):
    response = get(client, users.teller, "/agents/")
    assert [agent.code for agent, _f, _s in response.context["lines"]] == ["AG-1"]
    get(client, users.teller, "/agents/AG-2/", status=404)


def test_a_payer_has_no_agent_pages(client, users):
    for url in ("/agents/", "/agents/ranking/", "/agents/signals/", "/agents/AG-1/"):
        get(client, users.payer, url, status=404)


def test_signed_out_visitors_are_sent_to_sign_in(client, agents_world):
    response = client.get("/agents/ranking/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_ranking_shows_its_formula_and_its_export_holds_the_same_rows(client, users, agents_world):
    from jaring.contributions.services import payment_quote, payment_record

    keeper = agents_world.sharing[0]  # pays a year: still covered three months later
    paid_at = jakarta(2024, 5, 10)
    _months, price = payment_quote(keeper, months=12, at=paid_at)
    payment_record(participant=keeper, months=12, amount=price.total, source="test", idempotency_key="y1",
                   paid_at=paid_at, outlet=agents_world.pos_karawang, agent=agents_world.agent,
                   history_allowed=True)  # fmt: skip
    response = get(client, users.analyst, "/agents/ranking/?as_of=2024-10-15")
    page = response.content.decode()
    assert 'data-testid="formula"' in page and "6 x 2/6 x 1/2 = 1.0" in page
    assert 'id="ranking-data"' in page and "web/bars.js" in page
    assert "?as_of=2024-10-15&amp;format=csv" in page  # the export link keeps the page's day
    shown = [(line.rank, line.agent.code, line.acquired) for line in response.context["page"].object_list]
    assert shown == [(1, "AG-1", 6), (2, "AG-2", 1)]
    rows = csv_rows(get(client, users.analyst, "/agents/ranking/?as_of=2024-10-15&format=csv"))
    assert [(int(row[0]), row[1], int(row[5])) for row in rows[1:]] == shown
    xlsx = get(client, users.analyst, "/agents/ranking/?as_of=2024-10-15&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_signals_show_the_evidence_masked_to_branch_staff_too(client, users, agents_world):
    response = get(client, users.krw, "/agents/signals/")
    page = response.content.decode()
    assert 'data-testid="signal-shared_phone-AG-1"' in page
    assert "*********888" in page and agents_world.sharing[0].masked_nik in page
    assert SHARED_PHONE not in page and agents_world.sharing[0].nik not in page
    rows = csv_rows(get(client, users.krw, "/agents/signals/?format=csv"))
    assert sorted((row[1], row[4]) for row in rows[1:]) == [("AG-1", "5"), ("AG-1", "5")]
    # a month after the sign-ups, too early to call them unpaid: only the shared phone remains
    rows = csv_rows(get(client, users.krw, "/agents/signals/?format=csv&as_of=2024-06-10"))
    assert [(row[1], row[4]) for row in rows[1:]] == [("AG-1", "5")]


def test_signals_mask_nik_and_phone_for_roles_without_personal_data_rights(client, users, agents_world):
    response = get(client, users.analyst, "/agents/signals/?kind=shared_phone")
    page = response.content.decode()
    assert 'data-testid="signal-shared_phone-AG-1"' in page
    assert SHARED_PHONE not in page and "*********888" in page
    assert agents_world.sharing[0].nik not in page and agents_world.sharing[0].masked_nik in page
    assert audits("view_personal_data") == []  # nothing personal was shown


def test_the_participants_behind_a_signal_are_its_evidence(client, users, agents_world):
    response = get(client, users.krw, "/agents/AG-1/participants/?signal=shared_phone")
    numbers = {line[0] for line in response.context["lines"]}
    assert numbers == {participant.number for participant in agents_world.sharing}


def test_the_participants_export_equals_the_page_and_is_audited_as_an_export(client, users):
    page_rows = get(client, users.krw, "/agents/AG-1/participants/").context["lines"]
    rows = csv_rows(get(client, users.krw, "/agents/AG-1/participants/?format=csv"))
    assert rows[1:] == as_text(page_rows)
    assert any("AG-1" in summary for _user, summary in audits("export"))


def test_an_analyst_gets_masked_participants_and_no_personal_data_audit(client, users, agents_world):
    page_rows = get(client, users.analyst, "/agents/AG-1/participants/").context["lines"]
    assert {row[2] for row in page_rows} == {
        p.masked_nik for p in Participant.objects.filter(agent=agents_world.agent)
    }
    rows = csv_rows(get(client, users.analyst, "/agents/AG-1/participants/?format=csv"))
    assert rows[1:] == as_text(page_rows)
    assert audits("export") == [] and audits("view_personal_data") == []


def test_the_agent_page_retention_export_equals_its_table(client, users):
    cohorts = get(client, users.krw, "/agents/AG-1/").context["cohorts"]
    rows = csv_rows(get(client, users.krw, "/agents/AG-1/?format=csv"))
    assert [row[:3] for row in rows[1:]] == [[str(c.month), str(c.acquired), str(c.paid)] for c in cohorts]
    assert [row[0] for row in rows[1:]] == ["2024-05"]


def test_the_staff_agent_page_lists_the_agents_signals_with_a_link_to_the_evidence(client, users):
    page = get(client, users.krw, "/agents/AG-1/").content.decode()
    assert 'data-testid="agent-signals"' in page
    assert "/agents/AG-1/participants/?signal=shared_phone" in page


def test_the_retention_chart_keeps_every_month_on_its_time_axis():
    from types import SimpleNamespace

    from jaring.perisai.views import _retention_chart
    from jaring.rules.months import Month

    def cohort(month):
        return SimpleNamespace(month=month, reading=lambda horizon: SimpleNamespace(pct=50))

    chart = _retention_chart([cohort(Month.of(2025, 4)), cohort(Month.of(2025, 1))])
    assert chart["labels"] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    for series in chart["series"]:
        assert series["data"] == [50.0, None, None, 50.0]  # no sign-ups in February and March: gaps
    assert _retention_chart([]) == {"labels": [], "series": [s | {"data": []} for s in chart["series"]]}
