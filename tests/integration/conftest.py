from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LocalStack


@pytest.fixture
def stack(local_stack: LocalStack) -> Iterator[LocalStack]:
    """The shared stack, with every caller-ID lock removed after each test."""
    yield local_stack
    local_stack.release_locks()
