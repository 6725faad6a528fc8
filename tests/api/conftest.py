"""Fixtures for the partner API: keys for the world's outlets and a client that speaks JSON with a key."""

import json
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from jaring.rules.nik import Sex, make_nik


@pytest.fixture(autouse=True)
def default_language():
    """A request in English leaves English active in the test's thread; each test starts in Indonesian."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def issue(world):
    """Issues a key (default: Pos Karawang, every scope) and returns its full text."""
    from jaring.api.services import apikey_create

    def _issue(*, outlet=None, agent=None, scopes="register,pay,deposit,status,statement", **options):
        return apikey_create(outlet=outlet or world.pos_karawang, agent=agent, scopes=scopes, **options).token

    return _issue


class Api:
    """A test client for /api/v1/ that sends JSON with ``Authorization: Bearer <key>``."""

    def __init__(self, key: str | None):
        self.client = Client()
        self.key = key

    def headers(self, key=None, language=None, **extra):
        headers = dict(extra)
        if key or self.key:
            headers["Authorization"] = f"Bearer {key or self.key}"
        if language:
            headers["Accept-Language"] = language
        return headers

    def post(self, path, body, *, key=None, language=None, **headers):
        return self.client.post(
            f"/api/v1/{path}",
            data=json.dumps(body, default=str),
            content_type="application/json",
            headers=self.headers(key, language, **headers),
        )

    def get(self, path, *, key=None, language=None, **headers):
        return self.client.get(f"/api/v1/{path}", headers=self.headers(key, language, **headers))


@pytest.fixture
def api(issue):
    """A client with an every-scope key of Pos Karawang."""
    return Api(issue())


@pytest.fixture
def client_for():
    return Api


_serials = iter(range(5000, 9999))


def registration(district="32.15.01", birth_date=date(1990, 7, 21), sex="F", **fields) -> dict:
    """A valid registration body for the API."""
    from tests.conftest import a_village

    body = {
        "nik": make_nik(district, birth_date, Sex(sex), next(_serials)),
        "name": "Siti Rahayu",
        "birth_date": birth_date.isoformat(),
        "sex": sex,
        "phone": "081234567890",
        "village_code": a_village(district),
        "occupation": "PEDAGANG_PASAR",
        "declared_income": 1_000_000,
        "programmes": "JKK+JKM",
    }
    body.update(fields)
    return body
