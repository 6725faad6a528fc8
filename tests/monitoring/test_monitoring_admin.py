"""The back office lists targets, the potential market, contests and their periods."""

from datetime import date

import pytest
from django.urls import reverse

from jaring.monitoring.models import Contest, ContestPeriod, InformalShare, PotentialMarket, Target
from jaring.monitoring.services import contest_define, potential_set, target_set
from jaring.regions.models import Region

pytestmark = pytest.mark.django_db


def test_every_monitoring_changelist_and_change_page_opens(admin_client, world):
    target_set(metric="new_participants", start=date(2024, 1, 1), end=date(2024, 12, 31), value=10,
               office=world.kalimantan)  # fmt: skip
    potential_set(region=Region.objects.get(code="64.71"), workers=5_000, effective_from=date(2024, 1, 1))
    contest_define(
        spec={"code": "c", "name": "C", "outlets": {"partner": "pos"},
              "periods": [{"code": "P1", "start": "2024-01-01", "end": "2024-03-31", "prizes": [100]}]}
    )  # fmt: skip
    for model in (Target, InformalShare, PotentialMarket, Contest, ContestPeriod):
        meta = model._meta
        response = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert response.status_code == 200, meta.model_name
        first = response.context["cl"].result_list[0]
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
        assert admin_client.get(change).status_code == 200, meta.model_name
