"""Vendor Swagger UI (npm package ``swagger-ui-dist``) into the api_docs function, so ``GET /docs`` loads nothing
from anywhere but this API (``make vendor``; needs npm, not needed by ``sam build``)."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from local.template import ROOT

PACKAGE = "swagger-ui-dist@5.35.0"
TARGET = ROOT / "functions" / "api_docs" / "swagger-ui"
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=scratch, check=True, capture_output=True)
        (archive,) = Path(scratch).glob("*.tgz")
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        TARGET.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(Path(scratch) / "package" / name, TARGET / name)
    (TARGET / "VERSION").write_text(PACKAGE + "\n")
    print(f"vendored {PACKAGE} into {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
