"""A REST or IAM call answered 401 with a cached auth token that was rotated away re-reads the account's token
and asks once more (one place: the transport); the gateway's client then carries the fresh token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from twilio.http.response import Response

from callerid.config import AuthTokens, Settings
from callerid.twilio.accounts import AccountDirectory
from callerid.twilio.gateway import TwilioGateway
from callerid.twilio.tokens import FlexTokenValidator
from callerid.twilio.transport import RetryingTwilioHttpClient

ROOT = "AC" + "1" * 32
CHILD = "AC" + "2" * 32
OLD, NEW = "old-child-token", "new-child-token"


class Twilio(RetryingTwilioHttpClient):
    """Twilio behind the real transport: the child's token is ``child_token`` (rotation changes it); any request
    sent with another child token is 401; account reads answer the current token."""

    def __init__(self) -> None:
        super().__init__(attempts=1)
        self.child_token = OLD
        self.sent: list[tuple[str, str]] = []

    def _send_once(self, method: str, url: str, params: Any, data: Any, headers: Any, auth: Any, *_: Any) -> Response:
        self.sent.append((url.rsplit("/", 1)[-1], auth[1]))
        if auth[0] == ROOT:
            body = {"sid": CHILD, "auth_token": self.child_token, "owner_account_sid": ROOT}
            return Response(200, json.dumps(body), {})
        if auth[1] != self.child_token:
            return Response(401, json.dumps({"code": 20003, "message": "Authenticate", "status": 401}), {})
        if url.endswith("validate"):
            return Response(200, json.dumps({"valid": True, "identity": "carol", "roles": ["agent"]}), {})
        return Response(200, json.dumps({"sid": "PN" + "0" * 32, "phone_number": "+13105550100"}), {})


@pytest.fixture
def twilio() -> Twilio:
    return Twilio()


def wired(twilio: Twilio, **kwargs: Any) -> AccountDirectory:
    directory = AccountDirectory(
        Settings(twilio_account_sid=ROOT), twilio, root_tokens=lambda force: AuthTokens("root-token"), **kwargs
    )
    twilio.fresher_token = directory.fresher_token
    return directory


def test_a_rest_call_after_a_promotion_rereads_the_token_and_succeeds_once_retried(twilio):
    directory = wired(twilio)
    gateway = TwilioGateway(Settings(twilio_account_sid=ROOT), directory, twilio)
    gateway.incoming_number(CHILD, "PN" + "0" * 32)  # the client caches the child's token
    twilio.child_token = NEW  # the subaccount's secondary token is promoted at Twilio
    twilio.sent.clear()

    assert gateway.incoming_number(CHILD, "PN" + "0" * 32).phone_number == "+13105550100"
    # 401 with the old token, one account read, the same request again with the new token
    assert [token for _, token in twilio.sent] == [OLD, "root-token", NEW]
    twilio.sent.clear()
    gateway.incoming_number(CHILD, "PN" + "0" * 32)
    assert [token for _, token in twilio.sent] == [NEW]  # the next call carries the fresh token from the start


def test_flex_token_validation_after_a_promotion_is_retried_with_the_reread_token(twilio):
    directory = wired(twilio)
    validator = FlexTokenValidator(directory, twilio)
    validator.validate("flex-token-1", CHILD)
    twilio.child_token = NEW
    twilio.sent.clear()

    caller = validator.validate("flex-token-2", CHILD)
    assert caller.identity == "carol" and caller.account_sid == CHILD
    assert [token for _, token in twilio.sent] == [OLD, "root-token", NEW]


def test_a_401_the_reread_cannot_mend_is_answered_as_it_is_and_rereads_are_bounded(twilio):
    directory = wired(twilio)
    validator = FlexTokenValidator(directory, twilio)
    validator.validate("flex-token-1", CHILD)
    twilio.child_token = NEW
    directory.reread(CHILD)  # read just now (a signature miss): the next 401 may not read again
    twilio.child_token = "newer-still"
    twilio.sent.clear()

    with pytest.raises(Exception, match="not valid"):
        validator.validate("flex-token-2", CHILD)
    assert [token for _, token in twilio.sent] == [NEW]  # no account read, no second attempt
