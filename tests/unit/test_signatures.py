from __future__ import annotations

import hashlib

import pytest
from twilio.request_validator import RequestValidator

from callerid.domain.errors import InvalidSignature, NotFound
from callerid.twilio.signatures import FormParams, WebhookSignatures, public_url

# Twilio's documented example (https://www.twilio.com/docs/usage/security#validating-requests)
DOC_TOKEN = "12345"
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
ACCOUNT = "AC" + "1" * 32


class Directory:
    """Accounts with one token each, never rotated."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens

    def signing_tokens(self, account_sid: str) -> tuple[str, ...]:
        if account_sid not in self.tokens:
            raise NotFound("unknown")
        return (self.tokens[account_sid],)

    def reread(self, account_sid: str) -> bool:
        return False


def form(params):
    return FormParams({k: [v] for k, v in params.items()})


def test_twilios_documented_example_verifies():
    signatures = WebhookSignatures(Directory({ACCOUNT: DOC_TOKEN}))
    assert (
        signatures.verify_form(
            DOC_URL,
            form({**DOC_PARAMS, "AccountSid": ACCOUNT}),
            RequestValidator(DOC_TOKEN).compute_signature(DOC_URL, {**DOC_PARAMS, "AccountSid": ACCOUNT}),
        )
        == ACCOUNT
    )
    assert RequestValidator(DOC_TOKEN).validate(DOC_URL, form(DOC_PARAMS), DOC_SIGNATURE)


def test_the_documented_signature_fails_with_any_change():
    validator = RequestValidator(DOC_TOKEN)
    assert not validator.validate(DOC_URL, form({**DOC_PARAMS, "Digits": "1235"}), DOC_SIGNATURE)
    assert not validator.validate(DOC_URL.replace("foo=1", "foo=2"), form(DOC_PARAMS), DOC_SIGNATURE)
    assert not RequestValidator("54321").validate(DOC_URL, form(DOC_PARAMS), DOC_SIGNATURE)


def signed(token, url, params):
    return RequestValidator(token).compute_signature(url, params)


def test_forged_or_missing_signatures_are_refused():
    signatures = WebhookSignatures(Directory({ACCOUNT: "secret"}))
    params = {"AccountSid": ACCOUNT, "CallSid": "CA1"}
    url = "https://api.example.com/Prod/webhooks/twilio/call-status"
    with pytest.raises(InvalidSignature):
        signatures.verify_form(url, form(params), signed("other-token", url, params))
    with pytest.raises(InvalidSignature):
        signatures.verify_form(url, form(params), None)
    with pytest.raises(InvalidSignature):
        signatures.verify_form(url.replace("api.", "evil."), form(params), signed("secret", url, params))


def test_an_unknown_account_is_refused_even_if_correctly_signed():
    signatures = WebhookSignatures(Directory({}))
    params = {"AccountSid": ACCOUNT, "CallSid": "CA1"}
    with pytest.raises(InvalidSignature):
        signatures.verify_form("https://x/y", form(params), signed("secret", "https://x/y", params))


def test_repeated_form_fields_are_all_signed():
    signatures = WebhookSignatures(Directory({ACCOUNT: "secret"}))
    params = FormParams({"AccountSid": [ACCOUNT], "Digits": ["1", "2"]})
    good = RequestValidator("secret").compute_signature("https://x/y", params)
    assert signatures.verify_form("https://x/y", params, good) == ACCOUNT


def test_json_bodies_are_checked_with_body_sha256():
    signatures = WebhookSignatures(Directory({ACCOUNT: "secret"}))
    body = '{"CallSid":"CA1"}'
    url = f"https://x/hook?bodySHA256={hashlib.sha256(body.encode()).hexdigest()}"
    signature = RequestValidator("secret").compute_signature(url, {})
    signatures.verify_json(url, body, signature, ACCOUNT)
    with pytest.raises(InvalidSignature):
        signatures.verify_json(url, body.replace("CA1", "CA2"), signature, ACCOUNT)


def test_public_url_uses_the_configured_base_and_keeps_the_query():
    assert (
        public_url("https://cid.example.com/", "/webhooks/twilio/call-status", None)
        == "https://cid.example.com/webhooks/twilio/call-status"
    )
    assert public_url("https://h/Prod", "/p", {"a": ["1", "2"]}) == "https://h/Prod/p?a=1&a=2"
