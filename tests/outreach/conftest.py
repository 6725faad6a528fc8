"""The outreach tests' world: the shared Kalimantan and Java offices, a market collector with an outlet in
Balikpapan, and DKI-style payer groups paid from a regional budget."""

from datetime import date

import pytest
from tests.conftest import a_village

from jaring.accounts.audit import Actor
from jaring.outreach.services import mou_create, site_create

BPN_VILLAGE_DISTRICT = "64.71.01"
KRW_VILLAGE_DISTRICT = "32.15.01"


@pytest.fixture
def markets(world):
    """A market collector (the UPTD of Balikpapan's markets) with the outlet of Pasar Klandasan."""
    from jaring.channels.services import outlet_create, partner_create

    world.collector = partner_create(
        code="PASAR-BPN", name="UPTD Pasar Kota Balikpapan", kind="market_collector"
    )
    world.klandasan = outlet_create(
        code="PSR-KLD", name="Pasar Klandasan", partner=world.collector, region_code=BPN_VILLAGE_DISTRICT
    )
    world.bpn_village = a_village(BPN_VILLAGE_DISTRICT)
    world.krw_village = a_village(KRW_VILLAGE_DISTRICT)
    return world


def an_mou(world, **fields):
    values = {
        "number": "MOU/001/KC-BPN/2026",
        "title": "Perlindungan pekerja pasar Kota Balikpapan",
        "party": "regency",
        "region_code": "64.71",
        "office": world.balikpapan,
        "signed_on": date(2026, 1, 10),
        "valid_from": date(2026, 1, 10),
        "valid_to": date(2028, 1, 9),
    }
    values.update(fields)
    return mou_create(actor=Actor.cli(), **values)


def a_site(world, **fields):
    values = {
        "code": "PSR-KLD",
        "name": "Pasar Klandasan",
        "kind": "market_gov",
        "village_code": world.bpn_village,
        "outlet": "PSR-KLD",
    }
    values.update(fields)
    return site_create(actor=Actor.cli(), **values)
