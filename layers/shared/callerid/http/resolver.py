"""The Powertools REST resolver every function uses: validation on (pydantic models at the edge), CORS for the
configured origins, and the one error map."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from callerid import deadline
from callerid.config import Settings
from callerid.domain.identity import Caller
from callerid.http.auth import authenticate
from callerid.http.bodies import StrictRequestValidation
from callerid.http.errors import register_error_handlers
from callerid.twilio.tokens import FlexTokenValidator


class CallerIdResolver(APIGatewayRestResolver):
    """Powertools' REST resolver that also takes the invocation's deadline from the Lambda context, so every
    retry loop under it stops in time to answer (``callerid.deadline``).

    Powertools keeps the current event and context on its ``BaseRouter`` *class*: right in Lambda, where a process
    serves one invocation at a time, wrong wherever resolvers of one process serve requests at once (the dev
    server's warm copies are threads of one process: a supervisor's request was read with an agent's headers).
    Each resolver here keeps its own, as instance attributes that shadow the class's."""

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        self.lambda_context = context
        with deadline.invocation(context):
            return super().resolve(event, context)

    def _to_proxy_event(self, event: dict[str, Any]) -> BaseProxyEvent:
        proxy_event = super()._to_proxy_event(event)
        self.current_event = cast(APIGatewayProxyEvent, proxy_event)  # what a REST resolver converts to
        return proxy_event


def make_resolver(
    settings: Settings, logger: Logger, tokens: Callable[[], FlexTokenValidator] | None = None
) -> CallerIdResolver:
    """A resolver for one function. With ``tokens``, its routes are for Flex users: every request is
    authenticated before its input is validated (``http.bodies``)."""
    cors = CORSConfig(
        allow_origin=settings.allowed_origins[0],
        extra_origins=list(settings.allowed_origins[1:]),
        allow_headers=["Authorization", "Content-Type", "X-Twilio-Account-Sid", "If-None-Match"],
        expose_headers=["Retry-After", "X-Catalogue-Stale", "ETag"],
        max_age=600,
    )
    app = CallerIdResolver(enable_validation=True, cors=cors)
    check: Callable[[BaseProxyEvent], Caller] | None = None
    if tokens is not None:
        validator = tokens  # bound for the closure: mypy does not narrow ``tokens`` inside it

        def check(event: BaseProxyEvent) -> Caller:
            return authenticate(validator(), event.headers, event.body)

    # Powertools keeps its request validation middleware here; ours authenticates and checks the body first.
    app._request_validation_middleware = StrictRequestValidation(check)
    register_error_handlers(app, logger)
    return app


def public_base_url(app: APIGatewayRestResolver, settings: Settings) -> str:
    """Where Twilio sends webhooks: the configured base URL or, when none is configured, this API's own
    execute-api URL from API Gateway's request context (never from client-supplied headers)."""
    if settings.public_base_url:
        return settings.public_base_url
    context = app.current_event.request_context
    return f"https://{context.api_id}.execute-api.{settings.aws_region}.amazonaws.com/{context.stage}"
