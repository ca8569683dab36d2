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
