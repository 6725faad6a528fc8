import pytest
from django.core.exceptions import ValidationError

from jaring.channels.models import Outlet
from jaring.org.models import Office
from jaring.org.queries import OfficeTree, branch_for_region, in_office_subtree, office_line, office_subtree
from jaring.org.services import branch_areas_assign, office_create


def test_the_office_tree_is_head_regional_branch(world):
    assert world.balikpapan.path == "/KP/KW07/KC-BPN/"
    assert set(office_subtree(world.kalimantan)) == {world.kalimantan, world.balikpapan}
    with pytest.raises(ValidationError):
        office_create(code="KC-X", name="KC X", kind=Office.Kind.BRANCH, parent=world.head)


def test_one_walk_of_the_office_tree_serves_subtree_filters_roll_ups_and_crumbs(
    world, django_assert_num_queries
):
    with django_assert_num_queries(1):
        tree = OfficeTree(world.head)
    assert tree.national and tree.root == world.head
    assert [o.code for o in tree.children[world.head.pk]] == ["KW04", "KW07"]
    assert set(tree.below(world.kalimantan.pk)) == {world.kalimantan.pk, world.balikpapan.pk}
    # The head office counts every value, office 0 (no branch serves the regency) included.
    values = {world.balikpapan.pk: 3, world.karawang_branch.pk: 4, 0: 5}
    assert tree.subtree_sum(world.head.pk, values) == 12
    assert tree.subtree_sum(world.kalimantan.pk, values) == 3
    regional = OfficeTree(world.kalimantan)
    assert not regional.national and set(regional.ids) == {world.kalimantan.pk, world.balikpapan.pk}

    outlets = Outlet.objects.filter(in_office_subtree(world.kalimantan, via="office"))
    assert set(outlets) == set(Outlet.objects.filter(office__in=office_subtree(world.kalimantan)))
    assert world.pos_balikpapan in outlets
    assert office_line(world.balikpapan) == [world.head, world.kalimantan, world.balikpapan]
    assert office_line(world.balikpapan, world.kalimantan) == [world.kalimantan, world.balikpapan]


def test_a_branch_is_resolved_from_any_address_in_its_regencies(world):
    assert branch_for_region("64.71.01.1001") == world.balikpapan
    assert branch_for_region("32.15") == world.karawang_branch
    assert branch_for_region("11.01.01") is None


def test_a_regency_is_served_by_one_branch(world):
    branch_areas_assign(office=world.karawang_branch, regency_codes=["64.71"])
    assert branch_for_region("64.71.01") == world.karawang_branch
    with pytest.raises(ValidationError):
        branch_areas_assign(office=world.karawang_branch, regency_codes=["99.99"])
