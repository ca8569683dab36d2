from __future__ import annotations

import io
import json

from callerid.http.logging import make_logger, redact

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJBQzEifQ.c2lnbmF0dXJl"


def test_secrets_never_reach_the_log_output():
    stream = io.StringIO()
    logger = make_logger("test")
    logger.addHandler  # noqa: B018 - the Powertools logger is configured on creation
    logger.registered_handler.setStream(stream)
    event = {
        "headers": {
            "Authorization": f"Bearer {TOKEN}",
            "X-Twilio-Signature": "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
            "Accept": "*/*",
        },
        "body": f"Token={TOKEN}&IncludeOutgoing=true",
        "auth_token": "f00dbabe",
    }
    logger.info("incoming", extra={"event": event, "note": f"basic QUMxOnNlY3JldA== and {TOKEN}"})
    output = stream.getvalue()
    for secret in (TOKEN, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "f00dbabe", "QUMxOnNlY3JldA=="):
        assert secret not in output
    record = json.loads(output)
    assert record["event"]["headers"]["Accept"] == "*/*"
    assert record["event"]["body"] == "Token=***&IncludeOutgoing=true"


def test_redact_walks_nested_values():
    assert redact({"a": [{"token": "x"}, "Bearer abc"]}) == {"a": [{"token": "***"}, "Bearer ***"]}


def test_each_functions_logger_keeps_its_own_keys(monkeypatch):
    """The dev server runs every function in one process, all with one service name: one function's request
    keys must not end up on another function's log lines."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "caller-id")
    first, second = make_logger("lambda_list_numbers_0"), make_logger("lambda_call_status_1")
    streams = {}
    for name, logger in (("first", first), ("second", second)):
        streams[name] = io.StringIO()
        logger.registered_handler.setStream(streams[name])
    first.append_keys(function_name="ListNumbersFunction")
    second.append_keys(function_name="CallStatusFunction")
    first.info("one")
    second.info("two")
    assert json.loads(streams["first"].getvalue())["function_name"] == "ListNumbersFunction"
    second_line = json.loads(streams["second"].getvalue())
    assert second_line["function_name"] == "CallStatusFunction" and second_line["service"] == "caller-id"


def test_flex_jwe_tokens_and_json_token_fields_are_redacted():
    jwe = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXYxMjM0NTY3ODkw.Y2lwaGVydGV4dA.dGFnMTIzNA"
    for text in (f"token {jwe} seen", '{"Token":"opaque-flex-token","to":"+1"}', '{"auth_token": "f00dbabe"}'):
        redacted = redact(text)
        assert jwe not in redacted and "opaque-flex-token" not in redacted and "f00dbabe" not in redacted
    assert redact('{"to": "+14155552671"}') == '{"to": "+14155552671"}'
