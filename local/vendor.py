"""Vendor the npm packages the project ships or tests with (``make vendor``; needs npm, not needed by ``sam build``):
Swagger UI (``swagger-ui-dist``) into the api_docs function, so ``GET /docs`` loads nothing from anywhere but this
API, and axe-core into the browser tests, which inject it into the admin console to check its accessibility."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from local.template import ROOT


@dataclass(frozen=True)
class Vendored:
    package: str
    target: Path
    files: tuple[str, ...]


PACKAGES = (
    Vendored(
        "swagger-ui-dist@5.35.0",
        ROOT / "functions" / "api_docs" / "swagger-ui",
        ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"),
    ),
    Vendored("axe-core@4.14.1", ROOT / "tests" / "browser" / "vendor" / "axe-core", ("axe.min.js", "LICENSE")),
)


def vendor(entry: Vendored) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["npm", "pack", entry.package, "--silent"], cwd=scratch, check=True, capture_output=True)
        (archive,) = Path(scratch).glob("*.tgz")
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        entry.target.mkdir(parents=True, exist_ok=True)
        for name in entry.files:
            shutil.copyfile(Path(scratch) / "package" / name, entry.target / name)
    (entry.target / "VERSION").write_text(entry.package + "\n")
    print(f"vendored {entry.package} into {entry.target.relative_to(ROOT)}")


def main() -> None:
    for entry in PACKAGES:
        vendor(entry)


if __name__ == "__main__":
    main()
