"""The local API: each HTTP request becomes the API Gateway (REST, proxy) event that the deployed function
receives, and the very ``lambda_handler`` Lambda calls answers it. Routes come from ``template.yaml``."""

from __future__ import annotations

import argparse
import base64
import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.routing import BaseConverter
from werkzeug.serving import WSGIRequestHandler, make_server

from local.functions import FunctionPool
from local.template import Route, routes

STAGE = "local"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def to_event(route: Route, path_params: dict[str, str]) -> dict[str, Any]:
    body = request.get_data(as_text=True)
    multi_query = {k: request.args.getlist(k) for k in request.args}
    headers = dict(request.headers.items())
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": {k: request.headers.getlist(k) for k in headers},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": request.method,
            "path": f"/{STAGE}{request.path}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "apiId": "local",
            "accountId": "000000000000",
            "domainName": request.host,
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1", "userAgent": request.user_agent.string},
        },
        "body": body or None,
        "isBase64Encoded": False,
    }


def to_response(result: dict[str, Any]) -> Response:
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    response = Response(body, status=int(result.get("statusCode", 200)))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = value
    for name, values in (result.get("multiValueHeaders") or {}).items():
        response.headers.remove(name)
        for value in values:
            response.headers.add(name, value)
    return response


class AnyPath(BaseConverter):
    """Any path, control characters included (Flask's ``path`` converter stops at a newline, API Gateway does not)."""

    regex = r"[\s\S]*"
    part_isolating = False


def create_app() -> Flask:
    app = Flask("caller-id-dev-server")
    app.url_map.converters["anypath"] = AnyPath
    table = routes()
    pools = {r.function: FunctionPool(r.function, r.code_uri, timeout_seconds=r.timeout_seconds) for r in table}

    @app.route("/", defaults={"path": ""}, methods=METHODS)
    @app.route("/<anypath:path>", methods=METHODS)
    def dispatch(path: str) -> Response:
        for route in table:
            match = route.pattern.match(request.path)
            if match and route.method in (request.method, "ANY"):
                return to_response(pools[route.function].invoke(to_event(route, match.groupdict())))
        # API Gateway's own answer for what no route takes (the template maps it to this envelope).
        body = '{"error": {"code": "not_found", "message": "No such route."}}'
        return Response(body, status=404, content_type="application/json")

    return app


QUERY = re.compile(r"\?[^\s'\"]*")


def printable(text: str) -> str:
    """Control characters escaped, so a request cannot write terminal escapes into the log."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


class AccessLog(WSGIRequestHandler):
    """Access log lines with the method, the path and the status only. A query string may carry a Flex token
    (``?Token=…``, the Flex plugins' convention), so neither it nor a malformed request's raw line is printed."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(getattr(self, "path", "") or "").path or "(unreadable request line)"
        self.log("info", '"%s %s" %s', printable(getattr(self, "command", None) or "-"), printable(path), code)

    def log_error(self, format: str, *args: Any) -> None:
        self.log("error", "%s", printable(QUERY.sub("", format % args)))


def main() -> None:
    parser = argparse.ArgumentParser(description="Local API Gateway → Lambda handler bridge")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args()
    make_server(args.host, args.port, create_app(), threaded=True, request_handler=AccessLog).serve_forever()


if __name__ == "__main__":
    main()
