import pytest
from django.core.exceptions import ValidationError

from jaring.org.models import Office
from jaring.org.queries import branch_for_region, office_subtree
from jaring.org.services import branch_areas_assign, office_create


def test_the_office_tree_is_head_regional_branch(world):
    assert world.balikpapan.path == "/KP/KW07/KC-BPN/"
    assert set(office_subtree(world.kalimantan)) == {world.kalimantan, world.balikpapan}
    with pytest.raises(ValidationError):
        office_create(code="KC-X", name="KC X", kind=Office.Kind.BRANCH, parent=world.head)


def test_a_branch_is_resolved_from_any_address_in_its_regencies(world):
    assert branch_for_region("64.71.01.1001") == world.balikpapan
    assert branch_for_region("32.15") == world.karawang_branch
    assert branch_for_region("11.01.01") is None


def test_a_regency_is_served_by_one_branch(world):
    branch_areas_assign(office=world.karawang_branch, regency_codes=["64.71"])
    assert branch_for_region("64.71.01") == world.karawang_branch
    with pytest.raises(ValidationError):
        branch_areas_assign(office=world.karawang_branch, regency_codes=["99.99"])
