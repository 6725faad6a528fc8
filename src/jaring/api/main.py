"""The ninja API object: ``/api/v1/`` (OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``)."""

from __future__ import annotations

from ninja import NinjaAPI

from jaring.api import problems
from jaring.api.routers import batch, employers, participants, payments, statements
from jaring.claims import api as claims_api
from jaring.field import api as field_api
from jaring.settlement import api as settlement_api

DESCRIPTION = """The partner API of jaring: register informal (BPU) workers, look up their standing, record
their payments and daily deposits, send batches, fetch an outlet's daily statement, and submit and
follow claims.

Authenticate with `Authorization: Bearer <key>` (keys come from `jaring apikey create`). Everything a key
records is credited to its outlet and agent. Errors are RFC 9457 problem details
(`application/problem+json`) in Indonesian, or in English with `Accept-Language: en`. See docs/api.md."""


class JaringAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's document, with refusals typed ``application/problem+json`` as they are sent, and the
        ``Retry-After`` header of 429 described."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for status, answer in operation.get("responses", {}).items():
                    if int(status) >= 400 and "content" in answer:
                        answer["content"] = {problems.CONTENT_TYPE: next(iter(answer["content"].values()))}
                    if int(status) == 429:
                        answer["headers"] = {
                            "Retry-After": {
                                "description": "Seconds to wait before the next request.",
                                "schema": {"type": "integer"},
                            }
                        }
        return schema


api = JaringAPI(
    title="jaring partner API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
)
problems.install(api)
api.add_router("", participants.router)
api.add_router("", payments.router)
api.add_router("", batch.router)
api.add_router("", statements.router)
api.add_router("", employers.router)
api.add_router("", claims_api.router)
api.add_router("", settlement_api.router)
api.add_router("", field_api.router)
