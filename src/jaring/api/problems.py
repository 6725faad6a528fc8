"""Errors as RFC 9457 problem details (``application/problem+json``), in the request's language.

Every refusal has a ``type`` (a stable URI reference naming the kind of problem, listed in docs/api.md),
a ``title`` and a ``detail`` in the language LocaleMiddleware chose (Indonesian unless the request asks
for English), the HTTP ``status``, and ``errors``: the messages per field. Service messages are already
translated (``ValidationError.message_dict`` is rendered in the active language); the shape errors found
by Pydantic are translated here.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from jaring.api.schemas import NOT_BLANK
from jaring.common.errors import DuplicateRegistration, IdempotencyConflict, problems_of

logger = logging.getLogger("jaring.api")
PROBLEM_TYPE_ROOT = "/api/v1/problems/"
CONTENT_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """A refusal the API explains itself (the services raise ValidationError and friends)."""

    status = 400
    slug = "bad-request"

    def __init__(self, detail: str | None = None, *, errors: dict[str, list[str]] | None = None):
        super().__init__(detail or "")
        self.detail = detail
        self.errors = errors or {}

    def title(self) -> str:
        return _("Bad request")

    def headers(self) -> dict[str, str]:
        return {}


class NotFound(ApiProblem):
    status = 404
    slug = "not-found"

    def title(self) -> str:
        return _("Not found")


class ScopeMissing(ApiProblem):
    status = 403
    slug = "scope-missing"

    def __init__(self, scope: str):
        super().__init__(_("This API key does not have the %(scope)s scope.") % {"scope": scope})

    def title(self) -> str:
        return _("Not allowed for this key")


class RateLimited(ApiProblem):
    status = 429
    slug = "rate-limited"

    def __init__(self, retry_after: int):
        super().__init__(
            _("This API key made too many requests; try again in %(seconds)s seconds.")
            % {"seconds": retry_after}
        )
        self.retry_after = retry_after

    def title(self) -> str:
        return _("Too many requests")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class PayloadTooLarge(ApiProblem):
    status = 413
    slug = "payload-too-large"

    def __init__(self, limit: int):
        super().__init__(
            _("The request body is larger than %(size)s bytes; send it in smaller parts.")
            % {"size": number_format(limit, force_grouping=True)}
        )

    def title(self) -> str:
        return _("Request too large")


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    reasons: list[str] | None = None,
) -> JsonResponse:
    body = {"type": PROBLEM_TYPE_ROOT + slug, "title": title, "status": status, "detail": detail}
    body["errors"] = errors or {}
    body["reasons"] = reasons or []
    response = JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_problem(errors: dict[str, list[str]], reasons: list[str] | None = None) -> JsonResponse:
    return problem(
        422,
        "validation",
        _("Invalid request"),
        _("One or more fields are invalid; see errors for what to correct."),
        errors,
        reasons=reasons,
    )


def reasons_of(error: DjangoValidationError) -> list[str]:
    """The stable ``field:code`` reasons of a service's refusal (``amount:price_mismatch``): the same
    codes a file import reports for the same request, for partner systems to act on."""
    return sorted({problem.reason for problem in problems_of(error)})


def message_dict(error: DjangoValidationError) -> dict[str, list[str]]:
    """The per-field messages of a service's ValidationError, in the active language."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for message in messages] for field, messages in error.message_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}


# Pydantic's shape errors, in the user's language


def shape_errors(errors: list[dict[str, Any]], *, skip: int = 0) -> dict[str, list[str]]:
    """Pydantic errors as messages per field (``items.3.nik`` for nested fields); ``skip`` drops the
    leading parts of each location (ninja's "body" and parameter name)."""
    result: dict[str, list[str]] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", ())][skip:]
        # An object's error about some of its fields (a participant named by neither NIK nor number) is
        # told on each of them.
        for name in (error.get("ctx") or {}).get("fields") or [None]:
            where = [*location, name] if name else location
            field = ".".join(where) or "__all__"
            result.setdefault(field, []).append(shape_message(error, where[-1] if where else ""))
    return result


def shape_message(error: dict[str, Any], field: str = "") -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}:
        return _("Enter a whole number.")
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    if kind == "date_out_of_range":
        return _("Enter a date from the year %(first)s to %(last)s.") % {
            "first": context.get("first"),
            "last": context.get("last"),
        }
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a date as YYYY-MM-DD.")
    if kind == "literal_error":
        return _("Enter one of %(expected)s.") % {"expected": context.get("expected", "")}
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bound = next(context[name] for name in ("gt", "ge", "lt", "le") if name in context)
        messages = {
            "greater_than": _("Enter a number greater than %(bound)s."),
            "greater_than_equal": _("Enter a number of at least %(bound)s."),
            "less_than": _("Enter a number less than %(bound)s."),
            "less_than_equal": _("Enter a number of at most %(bound)s."),
        }
        return messages[kind] % {"bound": number_format(bound, force_grouping=True)}
    if kind == "string_control":
        return _("Remove the control characters (such as NUL) from this text.")
    if kind == "string_too_long":
        return _("Enter at most %(count)s characters.") % {"count": context.get("max_length")}
    if kind == "string_too_short" or (
        kind == "string_pattern_mismatch" and context.get("pattern") == NOT_BLANK
    ):
        return _("This field cannot be empty.")
    if kind == "participant_named":
        return _("Give either the NIK or the participant number.")
    if kind == "too_long" and field == "items":
        return _("A batch holds at most %(max)s items; %(actual)s were sent. Split it.") % {
            "max": number_format(context.get("max_length", 0), force_grouping=True),
            "actual": number_format(context.get("actual_length", 0), force_grouping=True),
        }
    if kind in {"list_type", "too_long"}:
        return _("Enter a list.") if kind == "list_type" else _("The list is too long.")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Enter an object.")
    if kind == "union_tag_invalid":
        return _("Unknown item type %(tag)s; the types are %(expected)s.") % {
            "tag": context.get("tag", ""),
            "expected": context.get("expected_tags", ""),
        }
    if kind == "union_tag_not_found":
        return _("Name the item type in %(field)s.") % {"field": context.get("discriminator", "type")}
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    return str(error.get("msg", kind))


# Handlers


def install(api: NinjaAPI) -> None:
    """Answers every refusal of ``api`` as a problem."""

    @api.exception_handler(ApiProblem)
    def _api_problem(request: HttpRequest, exc: ApiProblem):
        return problem(
            exc.status, exc.slug, exc.title(), exc.detail or exc.title(), exc.errors, exc.headers()
        )

    @api.exception_handler(DuplicateRegistration)
    def _duplicate(request: HttpRequest, exc: DuplicateRegistration):
        errors = message_dict(exc)
        return problem(
            409,
            "duplicate-registration",
            _("Already registered"),
            errors["nik"][0],
            errors,
            reasons=["nik:duplicate"],
        )

    @api.exception_handler(IdempotencyConflict)
    def _conflict(request: HttpRequest, exc: IdempotencyConflict):
        return problem(
            409,
            "idempotency-conflict",
            _("Idempotency key reused"),
            _(
                "The reference %(key)s was used before for a different request; nothing was recorded. "
                "Use a new reference for a new payment."
            )
            % {"key": exc.key},
            reasons=["reference:conflict"],
        )

    @api.exception_handler(DjangoValidationError)
    def _invalid(request: HttpRequest, exc: DjangoValidationError):
        return validation_problem(message_dict(exc), reasons_of(exc))

    @api.exception_handler(NinjaValidationError)
    def _shape(request: HttpRequest, exc: NinjaValidationError):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            location = list(error.get("loc", ()))
            # ninja prefixes the source ("body", "header", "path") and, for a body, the parameter name
            skip = 2 if location[:1] == ["body"] else 1
            for field, messages in shape_errors([error], skip=skip).items():
                errors.setdefault(field, []).extend(messages)
        return validation_problem(errors)

    @api.exception_handler(AuthenticationError)
    def _unauthorized(request: HttpRequest, exc: AuthenticationError):
        return problem(
            401,
            "unauthorized",
            _("Not authenticated"),
            _("Send a valid, unrevoked API key as: Authorization: Bearer <key>."),
            headers={"WWW-Authenticate": 'Bearer realm="jaring"'},
        )

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError):
        if exc.status_code == 400:
            return problem(400, "malformed", _("Malformed request"), _("The body is not valid JSON."))
        return problem(exc.status_code, "http-error", str(exc), str(exc))

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig):
        return _api_problem(request, PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))

    @api.exception_handler(Exception)
    def _server_error(request: HttpRequest, exc: Exception):
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(
            500,
            "server-error",
            _("Server error"),
            _("Something went wrong on our side. Try again later; a retry with the same reference is safe."),
        )
