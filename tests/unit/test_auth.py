"""Which token and account a request presents (``http.auth``): nothing is read from inside the token."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from callerid.http.auth import Credentials, credentials_of

CHILD = "AC" + "2" * 32
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


def test_the_bearer_header_and_the_account_header():
    headers = {"Authorization": "Bearer opaque", "X-Twilio-Account-Sid": CHILD}
    assert credentials_of(headers, None) == Credentials("opaque", CHILD)


def test_a_bearer_token_without_a_named_account():
    assert credentials_of({"authorization": "bearer opaque"}, '{"to": "+1"}') == Credentials("opaque", None)


def test_a_flex_style_form_body_names_token_and_account():
    body = urlencode({"Token": "opaque", "AccountSid": CHILD, "IncludeOutgoing": "true"})
    assert credentials_of(FORM, body) == Credentials("opaque", CHILD)


def test_a_flex_style_json_body_names_token_and_account():
    body = json.dumps({"Token": "opaque", "AccountSid": CHILD, "to": "+14155552671"})
    assert credentials_of(JSON, body) == Credentials("opaque", CHILD)


def test_the_header_account_wins_over_the_body():
    body = json.dumps({"Token": "opaque", "AccountSid": "AC" + "3" * 32})
    assert credentials_of({**JSON, "X-Twilio-Account-Sid": CHILD}, body) == Credentials("opaque", CHILD)


def test_odd_bodies_present_nothing():
    for body in ("[1, 2]", '"text"', "{not json", "[" * 5000, json.dumps({"Token": 5, "AccountSid": ["x"]})):
        assert credentials_of(JSON, body) == Credentials(None, None)
