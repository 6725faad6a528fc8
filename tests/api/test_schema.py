"""The API against its own OpenAPI document (schemathesis, in-process on the WSGI app): no 5xx, and every
response is documented and matches its schema."""

from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from tests.conftest import a_village

from jaring.members.services import participant_register

# The example NIK of the schema: a woman born 12 April 1985 in 32.15.01 (Karawang), serial 3.
EXAMPLE_NIK, EXAMPLE_BIRTH_DATE = "3215015204850003", date(1985, 4, 12)


@pytest.fixture
def in_test_transaction():
    """A WSGI request closes "old" database connections when it starts and ends; in a test that would close
    the connection holding the test's transaction (Django's test client disconnects the same handler)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world, issue, in_test_transaction):
    participant_register(
        nik=EXAMPLE_NIK,
        name="Contoh Peserta",
        birth_date=EXAMPLE_BIRTH_DATE,
        sex="F",
        village_code=a_village("32.15.01"),
        occupation_code="PEDAGANG_PASAR",
        declared_income=1_000_000,
        programmes="JKK+JKM",
        outlet=world.pos_karawang,
    )
    return {"Authorization": f"Bearer {issue(rate_limit=100_000)}"}


# The document is fetched from the app itself, through WSGI, when the module is collected.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    get_wsgi_application(),
    # The coverage phase enumerates every case the batch's nested schema defines: minutes, not seconds.
    config=schemathesis.Config.from_dict(
        {"operations": [{"include-path": "/api/v1/batch", "phases": {"coverage": {"enabled": False}}}]}
    ),
)


def named_and_referenced(ctx, response, case):
    """A request the document allows is never refused for how it names its participant (by NIK or by
    number, exactly one) or for a blank reference: the document states both."""
    if (
        case.meta is None
        or not case.meta.generation.mode.is_positive
        or response.status_code not in (200, 422)
    ):
        return None
    body = response.json()
    refusals = (body.get("results") or []) if case.operation.path == "/api/v1/batch" else [body]
    for refusal in refusals:
        errors, reasons = refusal.get("errors") or {}, refusal.get("reasons") or []
        assert not (errors.get("nik") and errors.get("nik") == errors.get("number")), refusal
        assert not {"nik:required", "reference:required"} & set(reasons), refusal
    return None


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_openapi_document(case, bearer):
    # The document describes shapes; the services judge content, so a request of the right shape may still
    # be refused (an unknown village, a wrong price): "schema-valid data must be accepted" does not apply.
    excluded = [positive_data_acceptance]
    if case.operation.path == "/api/v1/batch":
        # A batch with a malformed item is accepted and that item alone rejected, in its result, by design.
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers=bearer, excluded_checks=excluded, additional_checks=[named_and_referenced])
