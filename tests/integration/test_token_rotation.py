"""Rotating the auth token mid-stream, through HTTP, on a stack of its own (the shared one keeps its tokens).

The root account's token is an SSM SecureString on the stack's moto server, read by the dev server's functions
as in AWS. The rotation is the operator's, in the documented order: a secondary token at Twilio, the secret
updated to it (``put-parameter --overwrite``), then the promotion at Twilio. TaskRouter events posted by the
emulator before and after the promotion, and signed posts with the old token inside the grace, are all accepted;
a forged signature is 403 throughout, and the old token is refused once the grace has passed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from local.stack import Stack, put_auth_token
from tests.conftest import LocalStack
from tests.integration.test_taskrouter_events import PATH, end, event_params, outbound_task

GRACE_SECONDS = 10  # long enough for the steps inside the window on a busy machine; the test waits it out once


@pytest.fixture(scope="module")
def rotating_stack() -> Iterator[LocalStack]:
    stack = Stack.throwaway(f"caller-id-rotation-{uuid.uuid4().hex[:6]}")
    stack.extra_env = {"AUTH_TOKEN_GRACE_SECONDS": str(GRACE_SECONDS)}
    facts = stack.start()
    try:
        yield LocalStack(stack, facts)
    finally:
        stack.stop()


def control(stack: LocalStack, account_sid: str, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = requests.post(f"{stack.emulator}/_emulator/accounts/{account_sid}/{action}", json=body or {}, timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def signed_event(stack: LocalStack, agent: Any, token: str) -> int:
    """A TaskRouter event nothing acts on, signed with ``token`` (as ``local.webhook`` signs): its status."""
    params = {**event_params(stack, agent, "+12125550100", event_type="task-queue.entered"), "TaskAge": "?"}
    return stack.webhook(PATH, params, token=token).status_code


def wait_until_refused(stack: LocalStack, agent: Any, token: str, seconds: float = 60.0) -> None:
    """Post with ``token`` until the API refuses it (the grace has passed); a bound, not a timing assertion."""
    deadline = time.monotonic() + seconds
    while signed_event(stack, agent, token) != 403:
        assert time.monotonic() < deadline, "the previous token was still accepted long after its grace"
        time.sleep(0.5)


def test_a_rotation_mid_stream_drops_no_signed_callback_and_the_old_token_expires_after_the_grace(rotating_stack):
    stack = rotating_stack
    root, child = stack.parent["sid"], stack.child["sid"]
    old_root, old_child = stack.parent["authToken"], stack.child["authToken"]
    alice, carol = stack.agent(), stack.agent(account_sid=child)

    # Given calls in flight whose TaskRouter events the emulator signs with the tokens of today
    first = outbound_task(stack, alice, "+12125550100")
    childs = outbound_task(stack, carol, "+13105550100")

    # When the operator creates a secondary token and stores it in the secret (Twilio still signs with the old)
    secondary = control(stack, root, "secondary-auth-token")["secondaryAuthToken"]
    put_auth_token(stack.dynamodb, secondary)
    second = outbound_task(stack, alice, "+12125550101")  # signed with the old primary: 204 inside

    # and promotes it at Twilio (the subaccount's token is promoted too): callbacks are signed with the new ones
    promoted = control(stack, root, "rotate-auth-token")
    assert promoted == {"accountSid": root, "authToken": secondary, "previousAuthToken": old_root}
    new_child = control(stack, child, "rotate-auth-token")["authToken"]

    # Then what the emulator posts now, signed with the new tokens, is accepted at once (no 5-minute cache)
    assert end(stack, first)["status"] == 204
    assert end(stack, second)["status"] == 204
    assert end(stack, childs, "completed")["status"] == 204
    # and callbacks signed with the old tokens (in flight, or retried) are accepted inside the grace
    assert signed_event(stack, alice, old_root) == 204
    assert signed_event(stack, carol, old_child) == 204
    assert signed_event(stack, alice, secondary) == 204
    assert signed_event(stack, carol, new_child) == 204
    # while a signature made with neither is refused
    assert signed_event(stack, alice, "f" * 32) == 403
    assert signed_event(stack, carol, "f" * 32) == 403

    # After the grace the old tokens are refused, the new ones still accepted, forged ones still refused
    wait_until_refused(stack, alice, old_root)
    wait_until_refused(stack, carol, old_child)
    assert signed_event(stack, alice, secondary) == 204
    assert signed_event(stack, carol, new_child) == 204
    assert signed_event(stack, alice, "f" * 32) == 403
    third = outbound_task(stack, alice, "+12125550102")
    assert end(stack, third)["status"] == 204
