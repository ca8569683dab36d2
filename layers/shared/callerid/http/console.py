"""The admin console's files (``clients/console/``: HTML, CSS and ES modules, no build step) as API Gateway
answers: ``/console/`` and every client-side route below it answer the page, a file answers itself, anything
else is 404. Each answer carries a Content-Security-Policy that lets the page load and call only this API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response

from callerid.domain.errors import NotFound

# Text only: API Gateway (REST) would pass a binary body on as base64 unless the API lists binary media types.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
PAGE = "index.html"
# The page's <base href>: the server writes how far up the console's root is, so the relative URLs of its scripts
# and of the API resolve under any stage prefix or custom-domain base path (/Prod/console/numbers/PN… → ../).
BASE_MARKER = '<base href="./">'
# The page is small and must follow a deployment at once; files are revalidated cheaply with their ETag.
PAGE_CACHE = "no-cache"
FILE_CACHE = "public, max-age=300, must-revalidate"


@dataclass(frozen=True)
class ConsoleFile:
    body: str
    content_type: str
    etag: str


def content_security_policy(api_origins: Iterable[str], frame_origins: Iterable[str]) -> str:
    """Scripts, styles and images from this origin only (no inline script or style, no eval), calls to this API,
    no plugins, forms or base URLs elsewhere; framed only by this origin and the Flex origins CORS allows."""
    connect = " ".join(["'self'", *dict.fromkeys(api_origins)])
    frames = " ".join(["'self'", *dict.fromkeys(frame_origins)])
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {connect}; "
        f"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {frames}"
    )


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class ConsoleFiles:
    """The files of one folder, read once per container (the folder is part of the deployed function)."""

    def __init__(self, folder: Path, *, api_origins: Iterable[str] = (), frame_origins: Iterable[str] = ()) -> None:
        self.files: dict[str, ConsoleFile] = {}
        for path in sorted(folder.rglob("*")):
            content_type = CONTENT_TYPES.get(path.suffix)
            if path.is_file() and content_type is not None:
                body = path.read_text(encoding="utf-8")
                etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
                self.files[path.relative_to(folder).as_posix()] = ConsoleFile(body, content_type, etag)
        if PAGE not in self.files or BASE_MARKER not in self.files[PAGE].body:
            raise ValueError(f"{folder / PAGE} is missing or has no {BASE_MARKER}")
        self.headers = {
            "Content-Security-Policy": content_security_policy(api_origins, frame_origins),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }

    def answer(self, path: str, request_headers: Mapping[str, str]) -> Response[str]:
        """``path`` is what follows ``/console/``. A name with a file extension is a file (404 unless it is one
        of the folder's); any other path is a screen of the console, answered with the page."""
        last = path.rsplit("/", 1)[-1]
        if "." not in last:
            return self._page("../" * path.count("/") or "./")
        found = self.files.get(path)
        if found is None:
            raise NotFound("No such file in the console.")
        if found.etag in _etags(request_headers):
            return Response(status_code=304, content_type=None, body="", headers={"ETag": found.etag, **self.headers})
        headers = {"Cache-Control": FILE_CACHE, "ETag": found.etag, **self.headers}
        return Response(status_code=200, content_type=found.content_type, body=found.body, headers=headers)

    def page(self, *, at_root: bool) -> Response[str]:
        """The page at ``/console/`` (``at_root``) or at ``/console``, whose relative URLs need ``console/``."""
        return self._page("./" if at_root else "console/")

    def _page(self, base: str) -> Response[str]:
        page = self.files[PAGE]
        body = page.body.replace(BASE_MARKER, f'<base href="{base}">', 1)
        headers = {"Cache-Control": PAGE_CACHE, **self.headers}
        return Response(status_code=200, content_type=page.content_type, body=body, headers=headers)


def _etags(headers: Mapping[str, str]) -> set[str]:
    value = next((v for k, v in headers.items() if k.lower() == "if-none-match"), "")
    return {tag.strip().removeprefix("W/") for tag in value.split(",") if tag.strip()}
