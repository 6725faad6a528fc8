"""The desk offers the employer registration to those who may register employers, and to nobody else."""

from tests.conftest import PASSWORD


def home(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client.get("/desk/").content.decode()


def test_branch_staff_and_pos_tellers_are_offered_it_agents_are_not(client, staff, world):
    link = 'href="/desk/employers/register/"'
    assert link in home(client, staff("branch_staff", office=world.karawang_branch))
    assert link in home(client, staff("outlet_teller", outlet=world.pos_karawang))
    assert link not in home(client, staff("outlet_teller", outlet=world.bank_karawang))  # not a Pos outlet
    assert link not in home(client, staff("agent", agent=world.agent))
