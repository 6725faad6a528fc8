"""A control character typed or pasted at the desk is refused by the one check of a registration with the
reason the file import gives (``name:control_character``); the API refuses it in its schema."""

import pytest
from django.urls import reverse
from tests.desk.conftest import worker

from jaring.members.models import Participant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["name", "phone"])
def test_the_desk_refuses_a_bel_with_the_files_reason(people, network, as_user, field):
    data = worker(network.pos_karawang)
    data[field] = data[field] + "\x07"
    response = as_user(people.outlet_teller).post(reverse("desk:register"), data)
    assert response.status_code == 400
    codes = [error.code for error in response.context["form"].errors.as_data()[field]]
    assert codes == ["control_character"]
    assert not Participant.objects.filter(nik=data["nik"]).exists()


def test_the_service_refuses_a_nul_in_every_text_field_at_once(register):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        register(
            name="Dewi\x00", phone="0812\x00", village_code="32.15.01.2001\x00", occupation_code="PETANI\x00",
            programmes="JKK\x00JKM",
        )  # fmt: skip
    codes = {name: [error.code for error in errors] for name, errors in refused.value.error_dict.items()}
    expected = ["control_character"]
    assert codes == {"name": expected, "phone": expected, "village_code": expected,
                     "occupation": expected, "programmes": expected}  # fmt: skip
