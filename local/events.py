"""Write ``events/<function>/<event>.json``: one API Gateway (REST proxy) event per route of ``template.yaml``,
for ``sam local invoke <Function> -e events/…`` and for the tests that call ``lambda_handler`` directly
(``make events``). Tokens and signatures are placeholders: replace them with a real Flex token / signature."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from local.template import ROOT, load_template

EVENTS = ROOT / "events"
TOKEN = "<flex-token>"
ACCOUNT = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
WORKER = "WKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
NUMBER = "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
PHONE = "+17255550199"

BODIES: dict[str, tuple[str, str | None]] = {
    "PutOwn": ("application/json", json.dumps({"callerId": "+12125550100", "localPresence": False})),
    "PutWorker": ("application/json", json.dumps({"callerId": "+12125550100", "localPresence": True})),
    "StartOutboundCall": ("application/json", json.dumps({"to": "+14155552671"})),
    "TransferCallerId": (
        "application/json",
        json.dumps({"type": "cold", "displayedNumber": "transferee_number", "callerNumber": "+14155552671"}),
    ),
    "RegisterByot": (
        "application/json",
        json.dumps({"phoneNumber": PHONE, "provider": "Acme Telecom", "connection": "sip:trunk.example.com"}),
    ),
    "ProvisionNumber": ("application/json", json.dumps({"areaCode": "512"})),
    "ImportNumber": ("application/json", json.dumps({"sid": NUMBER})),
    "SetNumberTrust": ("application/json", json.dumps({"productSids": []})),
    "RenameCallerId": ("application/json", json.dumps({"friendlyName": "Front desk"})),
    "StartVerification": ("application/json", json.dumps({"phoneNumber": PHONE, "friendlyName": "Desk line"})),
    "ConfigureNumber": ("application/json", json.dumps({"label": "Front desk", "allowedOutboundCountries": ["US"]})),
    "ListNumbersCompat": ("application/x-www-form-urlencoded", urlencode({"Token": TOKEN, "IncludeOutgoing": "true"})),
    "VerificationStatus": (
        "application/x-www-form-urlencoded",
        urlencode(
            {
                "AccountSid": ACCOUNT,
                "CallSid": "CA" + "0" * 32,
                "VerificationStatus": "success",
                "OutgoingCallerIdSid": "PN" + "0" * 32,
                "To": "+15035550100",
                "Called": "+15035550100",
            }
        ),
    ),
    "InboundVoice": (
        "application/x-www-form-urlencoded",
        urlencode(
            {
                "AccountSid": ACCOUNT,
                "CallSid": "CA" + "2" * 32,
                "To": "+12065550100",
                "From": "+14155552671",
                "Direction": "inbound",
                "CallStatus": "ringing",
            }
        ),
    ),
    "CallStatus": (
        "application/x-www-form-urlencoded",
        urlencode(
            {
                "AccountSid": ACCOUNT,
                "CallSid": "CA" + "1" * 32,
                "CallStatus": "completed",
                "From": "+12125550100",
                "To": "+14155552671",
                "Direction": "outbound-api",
                "Timestamp": "Wed, 25 Nov 2026 10:00:00 GMT",
                "CallDuration": "42",
            }
        ),
    ),
    "TaskRouterEvents": (
        "application/x-www-form-urlencoded",
        urlencode(
            {
                "Sid": "EA" + "3" * 32,
                "EventType": "task.wrapup",
                "AccountSid": ACCOUNT,
                "WorkspaceSid": "WS" + "0" * 32,
                "ResourceType": "Task",
                "ResourceSid": "WT" + "3" * 32,
                "Timestamp": "1795600000",
                "TimestampMs": "1795600000000",
                "TaskSid": "WT" + "3" * 32,
                "TaskAge": "95",
                "TaskAttributes": json.dumps({"direction": "outbound", "from": "+12125550100", "to": "+14155552671"}),
                "WorkerSid": WORKER,
                "WorkerAttributes": json.dumps({"contact_uri": "client:alice", "team_name": "sales"}),
            }
        ),
    ),
    "EventStreams": (
        "application/json",
        json.dumps(
            [
                {
                    "specversion": "1.0",
                    "type": "com.twilio.voice.insights.call-summary.complete",
                    "source": "/v1/Voice/CA" + "4" * 32 + "/Summary",
                    "id": "EZ" + "4" * 32,
                    "datacontenttype": "application/json",
                    "time": "2026-11-25T10:01:00.000Z",
                    "data": {
                        "call_sid": "CA" + "4" * 32,
                        "account_sid": ACCOUNT,
                        "call_type": "carrier",
                        "call_state": "fail",
                        "connect_duration": 0,
                        "duration": 4,
                        "from": {"caller": "+12125550100", "connection": "pstn"},
                        "to": {"callee": "+14155552671", "connection": "pstn"},
                        "properties": {"last_sip_response_num": 608, "direction": "outbound_api"},
                    },
                }
            ]
        ),
    ),
}
QUERIES: dict[str, dict[str, str]] = {
    "EventStreams": {"bodySHA256": "<hex sha-256 of the body>"},
    "NumberHealth": {"days": "30"},
    "NumberCalls": {"page": "1", "perPage": "50"},
    "ListNumbers": {"perPage": "50", "includeOutgoingOnly": "true"},
    "AvailableNumbers": {"country": "US", "type": "local", "areaCode": "415", "limit": "5"},
    "TwilioNumbers": {"page": "1", "perPage": "50"},
}
CONSOLE_FILE = "js/app.js"  # a file of the console (clients/console/), answered without a token
WEBHOOKS = {"VerificationStatus", "CallStatus", "InboundVoice", "TaskRouterEvents", "EventStreams"}
PATH_EXAMPLES = {
    "workerSid": WORKER,
    "sid": NUMBER,
    "phoneNumber": PHONE,
    "proxy": "v1/no-such-route",
    "asset": "swagger-ui.css",
}


def event(name: str, method: str, path: str) -> dict[str, Any]:
    if method == "ANY":
        # What API Gateway hands an ANY route: the request's own method, here one the path has no route for.
        method = "PATCH"
    content_type, body = BODIES.get(name, (None, None))
    headers = {"Accept": "application/json", "Origin": "https://flex.twilio.com"}
    if name in WEBHOOKS:
        headers = {"X-Twilio-Signature": "<signature>", "User-Agent": "TwilioProxy/1.1"}
    elif name != "ListNumbersCompat" and method != "OPTIONS" and not path.startswith("/console"):
        headers["Authorization"] = f"Bearer {TOKEN}"
    if content_type:
        headers["Content-Type"] = content_type
    params = {name: value for name, value in PATH_EXAMPLES.items() if f"{{{name}}}" in path or f"{{{name}+}}" in path}
    if path.startswith("/console/"):
        params["proxy"] = CONSOLE_FILE
    concrete = path
    for name, value in params.items():
        concrete = concrete.replace(f"{{{name}}}", value).replace(f"{{{name}+}}", value)
    query = QUERIES.get(name)
    return {
        "resource": path,
        "path": concrete,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/Prod{concrete}",
            "stage": "Prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "apiId": "1234567890",
            "accountId": "123456789012",
            "domainName": "1234567890.execute-api.us-east-1.amazonaws.com",
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": 1795600000000,
            "identity": {"sourceIp": "203.0.113.10", "userAgent": headers.get("User-Agent", "Flex")},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def all_events() -> dict[str, dict[str, Any]]:
    """``<function dir>/<EventName>.json`` → event, for every Api event in the template."""
    found = {}
    for resource in load_template()["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        folder = resource["Properties"]["CodeUri"].rstrip("/").rsplit("/", 1)[-1]
        for name, spec in resource["Properties"].get("Events", {}).items():
            if spec["Type"] == "Api":
                props = spec["Properties"]
                found[f"{folder}/{name}.json"] = event(name, props["Method"].upper(), props["Path"])
    return found


def main() -> None:
    for relative, body in all_events().items():
        target = EVENTS / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(body, indent=2) + "\n")
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
