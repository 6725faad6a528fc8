"""The API refuses a control character in its schema (before the one check): a 422 problem naming the
field, with the schema's message."""

import pytest
from tests.api.conftest import registration

from jaring.members.models import Participant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["Dewi\x00", "Dewi\x07", "Dewi\nLestari"])
def test_a_control_character_in_a_name_is_a_422_problem_naming_the_field(api, text):
    body = {**registration(), "name": text}
    response = api.post("participants", body, language="en")
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"] == {"name": ["Remove the control characters (such as NUL) from this text."]}
    assert not Participant.objects.filter(nik=body["nik"]).exists()
