"""plain_rows answers what Django's values_list answers, value for value, on either database."""

from datetime import date

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from jaring.common.rows import plain_rows
from jaring.contributions.models import Payment
from jaring.contributions.services import payment_record
from jaring.regions.models import Region


def test_plain_rows_are_the_rows_django_reads(world):
    grouped = (
        Region.objects.values_list("level")
        .annotate(regions=Count("pk"), first=Min("code"), last=Max("code"))
        .values_list("level", "regions", "first", "last")
        .order_by()
    )
    assert sorted(plain_rows(grouped)) == sorted(grouped) and len(grouped) >= 2


def test_sums_and_days_come_as_the_driver_gives_them(network):
    for months, key in ((1, "one"), (3, "three")):
        payment_record(
            participant=network.karawang, months=months, amount=16_800 * months, source="test",
            idempotency_key=key, paid_at=timezone.now(), outlet=network.pos_karawang,
        )  # fmt: skip
    by_participant = Payment.objects.values_list("participant_id")
    rows = by_participant.annotate(paid=Sum("amount"), last=Max("paid_at__date"))
    django_rows = {pk: (paid, last) for pk, paid, last in rows.order_by()}
    plain = {pk: (int(paid), date.fromisoformat(last) if isinstance(last, str) else last)
             for pk, paid, last in plain_rows(rows.order_by())}  # fmt: skip
    assert plain == django_rows and django_rows
