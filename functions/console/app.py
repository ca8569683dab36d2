"""The admin console (``clients/console/``) at ``/console/``: its page for every screen, its files, 404 for the
rest. The console is a client of this API like any other; this function only hands out its files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from callerid import runtime
from callerid.http.console import ConsoleFiles, origin_of
from callerid.http.logging import make_logger
from callerid.http.powertools import Response
from callerid.http.resolver import make_resolver

# `sam build` copies clients/console/ next to this file (functions/console/Makefile); the local stack runs this
# file where it is in the repository, beside the one copy of the files.
HERE = Path(__file__).parent
FOLDER = next(f for f in (HERE / "console", HERE.parents[1] / "clients" / "console") if f.is_dir())

settings = runtime.settings()
logger = make_logger(__name__)
app = make_resolver(settings, logger)
files = ConsoleFiles(
    FOLDER,
    api_origins=[o for o in [origin_of(settings.public_base_url)] if o],
    frame_origins=settings.allowed_origins,
)


# /console and /console/ alike (API Gateway, like Powertools, routes both here). No redirect to the slashed URL:
# the page's <base href> reaches the console's root from either, and no answer can loop.
@app.get("/console", include_in_schema=False)
def console_page() -> Response[str]:
    return files.page(at_root=app.current_event.path.endswith("/"))


# API Gateway's /console/{proxy+}: the path below /console/, whatever base path a custom domain adds before it.
@app.get("/console/.+", include_in_schema=False)
def console_file() -> Response[str]:
    return files.answer(app.current_event.path_parameters["proxy"], app.current_event.headers)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
