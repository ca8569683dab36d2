"""The API document's tags, and each operation's tag, summary and description (``local/openapi.py`` applies them
when it writes ``openapi.json``; ``/docs`` shows them). One table, so a route's words live beside its neighbours'
and a handler stays route → model → one service call. A new route adds its line here (a unit test checks that
every operation of the document has one)."""

from __future__ import annotations

CALLS = "calls"
NUMBERS = "numbers"
CALLER_IDS = "caller IDs"
PEOPLE = "people"
WEBHOOKS = "webhooks"
CONSOLE = "console"

TAGS: list[dict[str, str]] = [
    {"name": CALLS, "description": "The call path: the From number of an outbound call, its lock, transfers."},
    {"name": NUMBERS, "description": "The workspace's numbers: listing, buying, importing, configuring, health."},
    {"name": CALLER_IDS, "description": "Verified caller IDs (Twilio OutgoingCallerIds) and workers' selections."},
    {"name": PEOPLE, "description": "Workers and queues by name, who a token is, and the audit log."},
    {"name": WEBHOOKS, "description": "What Twilio calls: signed with the account's auth token."},
    {"name": CONSOLE, "description": "The admin console's support: this document and the health check."},
]

# (method, path) → (tag, summary, description)
OPERATIONS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("post", "/common/flex/phone-numbers/list-phone-numbers"): (
        NUMBERS,
        "List numbers (Flex project template)",
        "The Flex project template's list-phone-numbers route: the numbers this worker may dial from, in the "
        "template's shape, for plugins written against it.",
    ),
    ("get", "/health"): (CONSOLE, "Health check", "Answers 200 while the function runs; reads nothing."),
    ("get", "/v1/audit"): (
        PEOPLE,
        "Read the audit log",
        "Every change a person made through the API, newest first: number writes, primary, releases, lock "
        "releases by supervisors, other workers' selections. `target=` takes a SID or an E.164 number, `actor=` a "
        "worker SID. An entry is written in the same transaction as its change; a refused request leaves none.",
    ),
    ("get", "/v1/caller-ids"): (
        CALLER_IDS,
        "List verified caller IDs",
        "The account's Twilio OutgoingCallerIds; `phoneNumber` and `friendlyName` filter by exact match; paged.",
    ),
    ("post", "/v1/caller-ids/verifications"): (
        CALLER_IDS,
        "Start verifying a caller ID",
        "Starts a Twilio ValidationRequest whose status callback is this deployment's verification webhook; "
        "answers the 6-digit code the person must enter when Twilio calls.",
    ),
    ("get", "/v1/caller-ids/verifications/{phoneNumber}"): (
        CALLER_IDS,
        "A verification's status",
        "pending, success (with the new OutgoingCallerId's SID) or failed.",
    ),
    ("get", "/v1/caller-ids/{sid}"): (CALLER_IDS, "Fetch a verified caller ID", "One OutgoingCallerId of the account."),
    ("delete", "/v1/caller-ids/{sid}"): (
        CALLER_IDS,
        "Delete a verified caller ID",
        "Deletes it at Twilio and stops offering it to workers (204).",
    ),
    ("patch", "/v1/caller-ids/{sid}"): (CALLER_IDS, "Rename a verified caller ID", "Sets `friendlyName` (1-64)."),
    ("get", "/v1/me"): (
        PEOPLE,
        "Who am I",
        "Who the token is (identity, worker, roles) and the Twilio account's friendly name, which the console's "
        "header shows. Any role.",
    ),
    ("post", "/v1/outbound-calls"): (
        CALLS,
        "Choose the From number of an outbound call",
        "Chooses the caller ID for the worker's call (explicit, local presence, selection, assignment, primary, "
        "any) and locks it for the call; `reason` names the step that chose it.",
    ),
    ("delete", "/v1/outbound-calls/lock"): (
        CALLS,
        "Release the caller's own lock",
        "Frees the number the worker's call held, conditional on the lease, so a stale release frees nothing.",
    ),
    ("get", "/v1/phone-numbers"): (
        NUMBERS,
        "List numbers",
        "The workspace's numbers (and what ancestors share), filtered and paged, refreshed from Twilio at most "
        "every NUMBER_CACHE_TTL_SECONDS.",
    ),
    ("post", "/v1/phone-numbers"): (
        NUMBERS,
        "Register a BYOT number",
        "Registers a number of another carrier (bring your own telephony), dialable at once.",
    ),
    ("get", "/v1/phone-numbers/available"): (
        NUMBERS,
        "Search numbers for sale",
        "Twilio's available numbers by country, type, area code and pattern.",
    ),
    ("post", "/v1/phone-numbers/import"): (
        NUMBERS,
        "Import an owned number",
        "Takes a number the Twilio account already owns, points its webhooks here and says what they replaced.",
    ),
    ("post", "/v1/phone-numbers/provision"): (
        NUMBERS,
        "Buy a number",
        "Buys a number (exactly one, or any in an area code) with this deployment's webhooks; dialable at once.",
    ),
    ("get", "/v1/phone-numbers/twilio"): (
        NUMBERS,
        "The account's numbers at Twilio",
        "The Twilio account's IncomingPhoneNumbers, each saying whether it is imported here.",
    ),
    ("get", "/v1/phone-numbers/{sid}"): (NUMBERS, "Fetch a number", "The number's configuration and current lock."),
    ("delete", "/v1/phone-numbers/{sid}"): (
        NUMBERS,
        "Release a number",
        "Releases a Twilio number at Twilio (or unregisters a BYOT one); refused while it is on a call.",
    ),
    ("patch", "/v1/phone-numbers/{sid}"): (
        NUMBERS,
        "Configure a number",
        "Label, status, inbound agent, allowed countries, sharing and outbound assignment; concurrent changes of "
        "different fields both survive. Audited.",
    ),
    ("get", "/v1/phone-numbers/{sid}/health"): (
        NUMBERS,
        "A number's health",
        "Attempts, answered, answer rate (all time and recent), carrier blocks and short calls, calls today and "
        "the reputation state with its guard; `?days=N` (1-90) adds the daily counts.",
    ),
    ("get", "/v1/phone-numbers/{sid}/calls"): (
        NUMBERS,
        "A number's recent calls",
        "The outbound calls this backend chose the number for, newest first, each with its agent, why the number "
        "was chosen and how the call ended (once an outcome has arrived from any source). Paged.",
    ),
    ("delete", "/v1/phone-numbers/{sid}/lock"): (
        NUMBERS,
        "Free a number's lock",
        "A supervisor frees a stuck lock (an agent's browser closed mid-call): 204, or 404 when there is none or "
        "the number is not the workspace's. Audited.",
    ),
    ("put", "/v1/phone-numbers/{sid}/primary"): (
        NUMBERS,
        "Make a number the primary",
        "The workspace's primary number, the From of last resort. Audited.",
    ),
    ("post", "/v1/phone-numbers/{sid}/sync"): (
        NUMBERS,
        "Re-read a number from Twilio",
        "Reads the number at Twilio again, keeping what this backend owns.",
    ),
    ("put", "/v1/phone-numbers/{sid}/trust"): (
        NUMBERS,
        "Set a number's Trust Hub products",
        "Makes the number's Trust Hub products exactly those named (assignments added and removed at Twilio); a "
        "product Twilio refuses gives 422 `twilio_refused` and changes nothing. Audited.",
    ),
    ("get", "/v1/task-queues"): (
        PEOPLE,
        "List task queues",
        "The workspace's TaskRouter queues by name (for assignments), kept at most NUMBER_CACHE_TTL_SECONDS.",
    ),
    ("post", "/v1/transfers/caller-id"): (
        CALLS,
        "Caller ID of a transfer",
        "The number a cold, warm or conference transfer shows.",
    ),
    ("get", "/v1/workers"): (
        PEOPLE,
        "List workers",
        "The workspace's TaskRouter workers by name, with team and availability; `search` matches name, SID or "
        "team; kept at most NUMBER_CACHE_TTL_SECONDS.",
    ),
    ("get", "/v1/workers/me/caller-id"): (CALLER_IDS, "My caller-ID selection", "The caller's saved selection."),
    ("put", "/v1/workers/me/caller-id"): (
        CALLER_IDS,
        "Choose my caller ID",
        "Saves the caller's selection and local-presence preference, mirrored into TaskRouter.",
    ),
    ("get", "/v1/workers/{workerSid}/caller-id"): (
        CALLER_IDS,
        "A worker's caller-ID selection",
        "Another worker's saved selection (supervisor).",
    ),
    ("put", "/v1/workers/{workerSid}/caller-id"): (
        CALLER_IDS,
        "Choose a worker's caller ID",
        "Saves another worker's selection (supervisor), mirrored into TaskRouter.",
    ),
    ("post", "/webhooks/twilio/event-streams"): (
        WEBHOOKS,
        "Event Streams deliveries",
        "Voice Insights call summaries from an Event Streams webhook sink (a JSON array of CloudEvents, signed "
        "with bodySHA256): each outbound call's outcome and SIP code, counted once per call whatever the source.",
    ),
    ("post", "/webhooks/twilio/call-status"): (
        WEBHOOKS,
        "Call status callback",
        "Twilio's call status: a call's end frees its lock and counts its outcome.",
    ),
    ("post", "/webhooks/twilio/taskrouter-events"): (
        WEBHOOKS,
        "TaskRouter events",
        "The Flex workspace's Event Callback URL: task ends free locks; worker attribute changes keep teams.",
    ),
    ("post", "/webhooks/twilio/verification-status"): (
        WEBHOOKS,
        "Verification status callback",
        "Twilio's ValidationRequest result: success records the new verified caller ID.",
    ),
    ("post", "/webhooks/twilio/voice"): (
        WEBHOOKS,
        "Inbound voice",
        "TwiML for an inbound call to a number: its inbound agent, its allowed countries, or the Flex workflow.",
    ),
}


WK = "WK0123456789abcdef0123456789abcdef"
PN = "PN0123456789abcdef0123456789abcdef"
NUMBER: dict[str, object] = {
    "sid": PN,
    "phoneNumber": "+14155550100",
    "friendlyName": "(415) 555-0100",
    "label": "Sales West",
    "source": "twilio",
    "status": "active",
    "isPrimary": True,
    "capabilities": {"voice": True, "sms": True},
    "country": "US",
    "locality": "San Francisco",
    "inboundAgent": WK,
    "allowedInboundCountries": [],
    "allowedOutboundCountries": ["US", "CA"],
    "outboundShareable": False,
    "outboundAssignment": {"queueSid": "WQ0123456789abcdef0123456789abcdef"},
    "ownerWorkspace": "AC0123456789abcdef0123456789abcdef",
    "shared": False,
    "lockedBy": WK,
    "lockedUntil": "2026-12-06T05:35:00Z",
    "createdAt": "2026-11-02T09:00:00Z",
    "trust": [
        {"productSid": "BU0123456789abcdef0123456789abcdef", "kind": "voice_integrity", "status": "twilio-approved"}
    ],
}
# (method, path) → an example request body, and an example of the 2xx answer's body.
EXAMPLES: dict[tuple[str, str], tuple[dict[str, object] | None, dict[str, object] | None]] = {
    ("post", "/v1/outbound-calls"): (
        {"to": "+14155552671", "queueSid": "WQ0123456789abcdef0123456789abcdef"},
        {
            "from": "+14155550100",
            "reason": "local_presence_area_code",
            "lock": {"phoneNumber": "+14155550100", "workerSid": WK, "expiresAt": "2026-12-06T05:35:00Z"},
            "guard": None,
        },
    ),
    ("patch", "/v1/phone-numbers/{sid}"): (
        {
            "label": "Sales West",
            "inboundAgent": WK,
            "allowedOutboundCountries": ["US", "CA"],
            "outboundAssignment": {"team": "sales"},
        },
        None,
    ),
    ("put", "/v1/workers/me/caller-id"): ({"callerId": "+14155550100", "localPresence": True}, None),
    ("put", "/v1/workers/{workerSid}/caller-id"): ({"callerId": "+14155550100", "localPresence": False}, None),
    ("post", "/v1/caller-ids/verifications"): ({"phoneNumber": "+14155550123", "friendlyName": "Front desk"}, None),
    ("post", "/v1/phone-numbers/provision"): ({"areaCode": "415"}, NUMBER),
    ("get", "/v1/phone-numbers"): (None, {"phoneNumbers": [NUMBER], "meta": {"page": 1, "perPage": 50, "total": 1}}),
    ("get", "/v1/phone-numbers/{sid}"): (None, NUMBER),
    ("post", "/v1/phone-numbers"): (
        {"phoneNumber": "+13125550100", "provider": "Acme Telecom", "connection": "sip:trunk.acme.example"},
        None,
    ),
    ("post", "/v1/phone-numbers/import"): ({"sid": PN}, None),
    ("put", "/v1/phone-numbers/{sid}/trust"): ({"productSids": ["BU0123456789abcdef0123456789abcdef"]}, NUMBER),
    ("get", "/v1/phone-numbers/{sid}/health"): (
        None,
        {
            "attempts": 120,
            "answered": 54,
            "answerRate": 0.45,
            "phoneNumber": "+14155550100",
            "recent": {"attempts": 50, "answered": 21, "answerRate": 0.42},
            "callsToday": 14,
            "lastUsedAt": "2026-12-06T05:30:00Z",
            "state": "ok",
            "coolingUntil": None,
        },
    ),
    ("patch", "/v1/caller-ids/{sid}"): ({"friendlyName": "Front desk"}, None),
    ("post", "/v1/transfers/caller-id"): (
        {"type": "cold", "displayedNumber": "transferee_number", "callerNumber": "+14155552671"},
        {"callerId": "+14155552671"},
    ),
}


def describe(document: dict[str, object]) -> None:
    """Give the document its tags and each known operation its tag, summary and description."""
    document["tags"] = TAGS
    paths = document.get("paths")
    assert isinstance(paths, dict)
    for path, operations in paths.items():
        for method, operation in operations.items():
            known = OPERATIONS.get((method, path))
            if known is not None:
                tag, summary, description = known
                operation["tags"] = [tag]
                operation["summary"] = summary
                operation["description"] = description
            request, answer = EXAMPLES.get((method, path), (None, None))
            if request is not None:
                operation["requestBody"]["content"]["application/json"]["example"] = request
            if answer is not None:
                ok = next(code for code in operation["responses"] if code.startswith("2"))
                operation["responses"][ok]["content"]["application/json"]["example"] = answer
