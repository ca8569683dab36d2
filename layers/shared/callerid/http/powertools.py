"""Powertools' event handler as the handlers declare their routes with it, without its packages' ``__init__``.

The event handler's ``__init__`` imports every resolver Powertools has (AppSync's, with ``asyncio``; Bedrock's; VPC
Lattice's; the local HTTP one), and its event data classes' ``__init__`` every event source's class: at every cold
start about a fifth of an ``import boto3`` for resolvers and events no function here uses. Both are put in
``sys.modules`` unexecuted (``callerid.lean_packages``) by ``callerid.http``'s ``__init__``, before any of its
modules imports them; the handlers take the event handler's names from here, so that their first import of it
comes after.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Body, Form, Header, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

# A number's SID in a route's path: a Twilio number's (PN...), a BYOT number's or a verified caller ID's.
NumberSid = Annotated[str, Path(alias="sid", min_length=34, max_length=34, pattern=r"^[A-Z]{2}[0-9a-fA-F]{32}$")]

__all__ = [
    "Body",
    "Depends",
    "Form",
    "Header",
    "NotFoundError",
    "NumberSid",
    "OpenAPIResponse",
    "Path",
    "Query",
    "Response",
    "content_types",
]
