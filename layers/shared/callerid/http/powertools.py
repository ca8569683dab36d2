"""Powertools' event handler as the handlers declare their routes with it, without its packages' ``__init__``.

The event handler's ``__init__`` imports every resolver Powertools has (AppSync's, with ``asyncio``; Bedrock's; VPC
Lattice's; the local HTTP one), and its event data classes' ``__init__`` every event source's class: at every cold
start about a fifth of an ``import boto3`` for resolvers and events no function here uses. Both are put in
``sys.modules`` unexecuted (``callerid.lean_packages``). ``callerid.http`` imports this module before any of its
modules imports Powertools' event handler; the handlers take its names from here, so that their first import of
it comes after.
"""

from __future__ import annotations

from callerid.lean_packages import lean_package

PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")

for _package in PACKAGES:
    lean_package(_package)

from aws_lambda_powertools.event_handler import Depends, Response, content_types  # noqa: E402
from aws_lambda_powertools.event_handler.exceptions import NotFoundError  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.params import Body, Form, Header, Path, Query  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse  # noqa: E402

__all__ = [
    "PACKAGES",
    "Body",
    "Depends",
    "Form",
    "Header",
    "NotFoundError",
    "OpenAPIResponse",
    "Path",
    "Query",
    "Response",
    "content_types",
    "lean_package",
]
