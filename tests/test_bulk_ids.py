"""Ids reserved for a bulk insert (``common.bulk.reserve_ids``): fresh, in order, and never handed out
again, neither to the next reservation nor to an ordinary insert."""

import pytest
from django.db import transaction

from jaring.channels.models import Partner
from jaring.channels.services import partner_create
from jaring.common.bulk import insert_rows, reserve_ids

pytestmark = pytest.mark.django_db(transaction=True)
TABLE = Partner._meta.db_table


def _partners_insert(ids: list[int], prefix: str) -> None:
    insert_rows(TABLE, ("id", "code", "name", "kind"), [(pk, f"{prefix}{pk}", "Mitra", "pos") for pk in ids])


def test_reserved_ids_are_new_and_the_next_reservation_and_insert_come_after_them():
    existing = partner_create(code="POS", name="Pos Indonesia", kind="pos")
    with transaction.atomic():
        first = reserve_ids(TABLE, 3)
        _partners_insert(first, "A")
    with transaction.atomic():
        second = reserve_ids(TABLE, 2)
        _partners_insert(second, "B")
    later = partner_create(code="BANK", name="Bank", kind="bank")

    assert first == list(range(first[0], first[0] + 3)) and first[0] > existing.pk
    assert second[0] > first[-1]
    assert later.pk > second[-1]
    assert Partner.objects.count() == 7
