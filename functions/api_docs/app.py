"""The API's OpenAPI document (generated from the handlers' models by ``make openapi``), health, and CORS
preflight answers for every path: API Gateway sends every ``OPTIONS`` request here (``/{proxy+}``)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.http.answers import NO_AUTH, answers
from callerid.http.docs import ASSETS, SwaggerUi
from callerid.http.logging import make_logger
from callerid.http.models.common import Health
from callerid.http.powertools import NotFoundError, Response, content_types
from callerid.http.preflight import OTHER_METHODS, CorsPreflight
from callerid.http.resolver import make_resolver

settings = runtime.settings()
logger = make_logger(__name__)
app = make_resolver(settings, logger)
DOCUMENT = json.loads(files("callerid").joinpath("openapi.json").read_text())
preflight = CorsPreflight.from_openapi(DOCUMENT, settings.allowed_origins)
swagger_ui = SwaggerUi(Path(__file__).parent / "swagger-ui")


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[Any]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=DOCUMENT)


@app.get("/docs", include_in_schema=False)
def docs() -> Response[str]:
    return swagger_ui.page()


def docs_asset() -> Response[str]:
    return swagger_ui.asset(app.current_event.path.rsplit("/", 1)[-1])


# One literal route per file: Powertools tries literal routes (the catch-all below is one) before parameters.
for asset in ASSETS:
    app.get(f"/docs/{asset}", include_in_schema=False)(docs_asset)


@app.get("/health", responses=answers(), security=NO_AUTH)
def health() -> Health:
    return Health()


# cors=False: Powertools would otherwise overwrite the answer's headers with its own (its own methods, no
# X-Twilio-Account-Sid); the preflight module grants origins itself.
@app.route("/.+", method="OPTIONS", cors=False, include_in_schema=False)
def answer_preflight() -> Response[Any]:
    answer = preflight.answer(app.current_event.path, app.current_event.headers.get("origin"))
    if answer is None:
        raise NotFoundError
    return Response(status_code=answer.status, content_type=None, headers=answer.headers, body="")


# API Gateway sends here every method a path has no route for (``ANY`` events) and every unknown path.
@app.route("/.+", method=OTHER_METHODS, include_in_schema=False)
def method_not_allowed() -> Response[Any]:
    return preflight.not_allowed(app.current_event.path)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
