"""Swagger UI for the API's OpenAPI document at ``/docs``, from files vendored with the function (``make vendor``):
the page loads nothing from anywhere but this API."""

from __future__ import annotations

from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from callerid.domain.errors import NotFound

# Relative URLs: they resolve under the stage prefix in API Gateway (/Prod/docs → /Prod/openapi.json) and
# without one locally.
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Caller-ID backend for Twilio Flex: API</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true});
  </script>
</body>
</html>
"""
ASSETS = {"swagger-ui.css": "text/css; charset=utf-8", "swagger-ui-bundle.js": "text/javascript; charset=utf-8"}


class SwaggerUi:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def page(self) -> Response[str]:
        return Response(status_code=200, content_type="text/html; charset=utf-8", body=PAGE)

    def asset(self, name: str) -> Response[str]:
        """One of the vendored files (nothing else is served from the folder)."""
        if name not in ASSETS:
            raise NotFound("No such file.")
        body = (self.folder / name).read_text(encoding="utf-8")
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(status_code=200, content_type=ASSETS[name], body=body, headers=headers)
