"""The error envelope ``{"error": {"code", "message"}}`` and the one place exceptions become statuses."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from callerid.domain import errors as domain
from callerid.store.conditions import STORE_FAILURES

STATUS: dict[type[domain.CallerIdError], int] = {
    domain.InvalidRequest: 400,
    domain.Unauthenticated: 401,
    domain.Forbidden: 403,
    domain.InvalidSignature: 403,
    domain.NotFound: 404,
    domain.CallerIdInUse: 409,
    domain.ConcurrentUpdate: 409,
    domain.NumberExists: 409,
    domain.NotTwilioNumber: 409,
    domain.AlreadyVerified: 409,
    domain.RequestInProgress: 409,
    domain.UnsupportedMediaType: 415,
    domain.NoCallerIdAvailable: 422,
    domain.DestinationNotAllowed: 422,
    domain.TwilioRefused: 422,
    domain.StoreUnavailable: 503,
    domain.UpstreamUnavailable: 503,
}
# Seconds a client (or Twilio) should wait before retrying these answers.
RETRY_AFTER: dict[type[domain.CallerIdError], int] = {
    domain.RequestInProgress: 2,
    domain.StoreUnavailable: 2,
    domain.UpstreamUnavailable: 5,
}

COMPAT_PREFIX = "/common/"


def status_of(exc: domain.CallerIdError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def retry_after(exc: domain.CallerIdError) -> int | None:
    return next((RETRY_AFTER[cls] for cls in type(exc).__mro__ if cls in RETRY_AFTER), None)


def envelope(status: int, code: str, message: str, path: str = "", wait: int | None = None) -> Response[Any]:
    """The contract's error body; the Flex project template's compatibility routes get theirs."""
    if path.startswith(COMPAT_PREFIX):
        body: dict[str, Any] = {"success": False, "message": message}
    else:
        body = {"error": {"code": code, "message": message}}
    headers = {"Retry-After": str(wait)} if wait is not None else None
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers)


def describe_validation_errors(errors: list[dict[str, Any]]) -> tuple[str, str]:
    """A code and a readable message naming the fields, for request-validation failures (body, query or path).
    Numbers that do not parse are ``invalid_phone_number`` when nothing else is wrong (``http.models.common.e164``)."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return domain.InvalidJson.code, "The request body is not valid JSON."
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",)) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    phones = bool(errors) and all(e.get("type") == domain.InvalidPhoneNumber.code for e in errors)
    code = domain.InvalidPhoneNumber.code if phones else domain.InvalidRequest.code
    return code, "; ".join(parts) or "The request is not valid."


class NotModified(Exception):
    """Answered as ``304 Not Modified`` with ``headers`` (the ``ETag``) and no body."""

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("not modified")
        self.headers = headers


def register_error_handlers(app: Any, logger: Any) -> None:
    """Attach the one exception → status map to a resolver. (Flex routes authenticate before validation, in
    ``http.bodies``, so an anonymous caller gets 401, never details of the contract.)"""

    def path() -> str:
        return str(app.current_event.path or "")

    @app.exception_handler(NotModified)
    def _not_modified(exc: NotModified) -> Response[Any]:
        return Response(status_code=304, body=None, headers=exc.headers)

    @app.exception_handler(domain.CallerIdError)
    def _domain(exc: domain.CallerIdError) -> Response[Any]:
        status = status_of(exc)
        if status >= 500:
            logger.warning("dependency failure", extra={"error_code": exc.code})
        return envelope(status, exc.code, exc.message, path(), retry_after(exc))

    @app.exception_handler(list(STORE_FAILURES))
    def _store(exc: Exception) -> Response[Any]:
        logger.warning("store failure", extra={"error_type": type(exc).__name__})
        return _domain(domain.StoreUnavailable("The caller-ID store is unavailable right now; try again shortly."))

    @app.exception_handler(RequestValidationError)
    def _validation(exc: RequestValidationError) -> Response[Any]:
        code, message = describe_validation_errors(list(exc.errors()))
        return envelope(STATUS[domain.InvalidRequest], code, message, path())

    @app.exception_handler(NotFoundError)
    def _no_route(exc: NotFoundError) -> Response[Any]:
        return envelope(404, "not_found", "No such route.", path())

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return envelope(500, "internal_error", "Something went wrong on our side.", path())
