"""The emulator's in-memory world: accounts, numbers, verified caller IDs and the verification calls that create
them, TaskRouter workers and Flex tokens, the calls Flex places (Api 2010 Calls), Event Streams sinks and
subscriptions with what was delivered to them, and Trust Hub trust products with the phone numbers assigned to them."""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from typing import Any


def sid(prefix: str, seed: str | None = None) -> str:
    """A Twilio-shaped SID: stable for a seed (demo data), random otherwise."""
    digest = hashlib.sha256(seed.encode()).hexdigest() if seed else secrets.token_hex(16)
    return prefix + digest[:32]


@lru_cache(maxsize=4096)
def rfc2822(moment: float) -> str:
    return format_datetime(datetime.fromtimestamp(moment, UTC)).replace("-0000", "+0000")


def iso8601(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Account:
    """An account and its credentials: the primary auth token (which signs every callback) and, while one exists,
    a secondary auth token, which authenticates REST requests as the primary does until it is promoted."""

    sid: str
    auth_token: str
    friendly_name: str
    owner_account_sid: str
    created: float = field(default_factory=time.time)
    secondary_auth_token: str | None = None

    def authenticates(self, token: str | None) -> bool:
        return token is not None and token in (self.auth_token, self.secondary_auth_token)


@dataclass
class Number:
    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    voice: bool = True
    sms: bool = True
    voice_url: str | None = None
    voice_method: str = "POST"
    voice_fallback_url: str | None = None
    voice_fallback_method: str = "POST"
    status_callback: str = ""
    status_callback_method: str = "POST"
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)


def by_sid(number: Number) -> str:
    return number.sid


@dataclass
class CallerId:
    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)


@dataclass
class VerificationCall:
    """The call a ValidationRequest places to ``phone_number``: it rings ``call_delay`` seconds after the request,
    and whoever answers enters digits once (``claimed``); the right ``validation_code`` verifies the number."""

    call_sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    validation_code: str
    status_callback: str | None = None
    status_callback_method: str = "POST"
    call_delay: int = 0
    extension: str | None = None
    requested: float = field(default_factory=time.monotonic)
    claimed: bool = False
    status: str = "pending"
    outgoing_caller_id_sid: str | None = None
    callback_status: int | None = None

    @property
    def rings_at(self) -> float:
        """When the call rings (``time.monotonic``): digits are entered no earlier."""
        return self.requested + self.call_delay


@dataclass
class Worker:
    sid: str
    account_sid: str
    workspace_sid: str
    friendly_name: str
    attributes: str = "{}"
    version: int = 1
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


@dataclass
class Workspace:
    sid: str
    account_sid: str
    friendly_name: str
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    # Where TaskRouter posts the workspace's events, and which (comma-separated event types; every one when unset).
    event_callback_url: str | None = None
    events_filter: str | None = None
    multi_task_enabled: bool = True
    prioritize_queue_order: str = "FIFO"

    def wants(self, event_type: str) -> bool:
        if not self.event_callback_url:
            return False
        wanted = {e.strip() for e in (self.events_filter or "").split(",") if e.strip()}
        return not wanted or event_type in wanted


@dataclass
class Task:
    """An outbound call's TaskRouter task, reserved for (and accepted by) one worker."""

    sid: str
    account_sid: str
    workspace_sid: str
    worker_sid: str
    attributes: str
    reservation_sid: str
    created: float = field(default_factory=time.time)
    assignment_status: str = "assigned"
    ended: str | None = None
    # The customer leg Flex dialled for the task (``conference.participants.customer`` in its attributes).
    call_sid: str | None = None


@dataclass
class Call:
    """A call leg as Api 2010's Calls resource shows it. ``sip_code`` is the final SIP response, which Twilio keeps
    for Voice Insights (``last_sip_response_num``), not on the Calls resource."""

    sid: str
    account_sid: str
    from_number: str
    to: str
    direction: str
    start_time: float
    status: str = "in-progress"
    end_time: float | None = None
    duration: int | None = None
    sip_code: int | None = None
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    @property
    def ended(self) -> bool:
        return self.end_time is not None


@dataclass
class Sink:
    """An Event Streams sink; ``configuration`` is the decoded ``SinkConfiguration`` (for a webhook:
    ``destination``, ``method``, ``batch_events``)."""

    sid: str
    account_sid: str
    description: str
    sink_type: str
    configuration: dict[str, Any]
    status: str
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)


@dataclass
class Subscription:
    """An Event Streams subscription: which event types (with their schema version) go to one sink."""

    sid: str
    account_sid: str
    description: str
    sink_sid: str
    types: dict[str, int]
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)


@dataclass(frozen=True)
class StreamDelivery:
    """One Event Streams webhook request the emulator made, and the HTTP status it got (None: no answer)."""

    sink_sid: str
    event_type: str
    call_sid: str
    status: int | None


@dataclass
class TrustProduct:
    """A Trust Hub trust product (a ``BU`` bundle) of one account; its policy says what kind it is."""

    sid: str
    account_sid: str
    policy_sid: str
    friendly_name: str
    email: str
    status: str = "draft"
    status_callback: str | None = None
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)


@dataclass
class EndpointAssignment:
    """A phone number (``PN``) assigned to a trust product: a ChannelEndpointAssignment (``RA``)."""

    sid: str
    account_sid: str
    trust_product_sid: str
    channel_endpoint_type: str
    channel_endpoint_sid: str
    created: float = field(default_factory=time.time)


@dataclass
class Fault:
    """Twilio misbehaving on purpose: requests whose path matches ``path`` (a regex) wait ``delay_seconds`` (a
    hung Twilio), then are answered ``status`` when one is set (an outage), else normally."""

    path: str
    delay_seconds: float = 0.0
    status: int | None = None


@dataclass
class FlexToken:
    token: str
    account_sid: str
    identity: str
    roles: list[str]
    worker_sid: str | None
    expires: float


class World:
    """All emulated Twilio state, behind one lock (the emulator serves requests on threads)."""

    def __init__(self, verification_answer_seconds: float = 30.0) -> None:
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.numbers: dict[str, Number] = {}
        # Indexes of ``numbers``: who owns a phone number, and each account's numbers by SID (list pages slice it).
        self.owners: dict[str, Number] = {}
        self.numbers_by_sid: dict[str, list[Number]] = {}
        self.caller_ids: dict[str, CallerId] = {}
        self.verification_calls: dict[str, VerificationCall] = {}
        # A verification call nobody plays digits on is answered with the right code this long after it rings.
        self.verification_answer_seconds = verification_answer_seconds
        # Wakes the calls waiting to answer themselves: a call was claimed, or the answer delay changed.
        self.switchboard = threading.Condition(self.lock)
        self.workspaces: dict[str, Workspace] = {}
        self.workers: dict[str, Worker] = {}
        self.tasks: dict[str, Task] = {}
        self.calls: dict[str, Call] = {}
        self.sinks: dict[str, Sink] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.stream_deliveries: list[StreamDelivery] = []
        self.trust_products: dict[str, TrustProduct] = {}
        self.endpoint_assignments: dict[str, EndpointAssignment] = {}
        self.tokens: dict[str, FlexToken] = {}
        self.requests: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        # Set when the faults are cleared, so requests still hanging on a delay return at once.
        self.faults_cleared = threading.Event()

    def add_account(
        self,
        friendly_name: str,
        parent_sid: str | None = None,
        *,
        seed: str | None = None,
        auth_token: str | None = None,
    ) -> Account:
        with self.lock:
            account_sid = sid("AC", seed)
            account = Account(
                sid=account_sid,
                auth_token=auth_token
                or (hashlib.sha256(f"token:{seed}".encode()).hexdigest()[:32] if seed else secrets.token_hex(16)),
                friendly_name=friendly_name,
                owner_account_sid=parent_sid or account_sid,
            )
            self.accounts[account.sid] = account
            workspace = Workspace(sid("WS", f"{seed}:ws" if seed else None), account.sid, "Flex Task Assignment")
            self.workspaces[workspace.sid] = workspace
            return account

    def workspace_of(self, account_sid: str) -> Workspace:
        return next(w for w in self.workspaces.values() if w.account_sid == account_sid)

    def add_number(
        self,
        account_sid: str,
        phone_number: str,
        friendly_name: str | None = None,
        *,
        voice: bool = True,
        sms: bool = True,
    ) -> Number:
        """The account's number (again, when it owns it already); a number has one owner."""
        with self.lock:
            owned = self.owners.get(phone_number)
            if owned is not None:
                if owned.account_sid != account_sid:
                    raise ValueError(f"{phone_number} belongs to {owned.account_sid}")
                return owned
            number = self._number(account_sid, phone_number, friendly_name or phone_number, voice, sms, time.time())
            bisect.insort(self.numbers_by_sid.setdefault(account_sid, []), number, key=by_sid)
            return number

    def add_numbers(self, account_sid: str, numbers: Iterable[tuple[str, str]]) -> int:
        """Many new numbers (phone number, friendly name) for the account at once: the caller has checked that
        nobody owns them."""
        with self.lock:
            now = time.time()
            ordered = self.numbers_by_sid.setdefault(account_sid, [])
            before = len(ordered)
            ordered.extend(self._number(account_sid, phone, friendly, True, True, now) for phone, friendly in numbers)
            ordered.sort(key=by_sid)
            return len(ordered) - before

    def _number(
        self, account_sid: str, phone_number: str, friendly_name: str, voice: bool, sms: bool, now: float
    ) -> Number:
        seed = f"{account_sid}:{phone_number}"
        number = Number(sid("PN", seed), account_sid, phone_number, friendly_name, voice, sms, created=now, updated=now)
        self.numbers[number.sid] = number
        self.owners[phone_number] = number
        return number

    def release_number(self, number: Number) -> None:
        """The number goes back to Twilio's stock, and leaves the trust products it was assigned to."""
        with self.lock:
            for assignment in [a for a in self.endpoint_assignments.values() if a.channel_endpoint_sid == number.sid]:
                del self.endpoint_assignments[assignment.sid]
            del self.numbers[number.sid]
            del self.owners[number.phone_number]
            ordered = self.numbers_by_sid[number.account_sid]
            del ordered[bisect.bisect_left(ordered, number.sid, key=by_sid)]

    def numbers_of(self, account_sid: str) -> list[Number]:
        """The account's numbers by SID, without sorting them."""
        with self.lock:
            return list(self.numbers_by_sid.get(account_sid, ()))

    def add_caller_id(self, account_sid: str, phone_number: str, friendly_name: str | None = None) -> CallerId:
        with self.lock:
            existing = self.caller_id_of(account_sid, phone_number)
            if existing:
                return existing
            caller_id = CallerId(
                sid("PN", f"{account_sid}:cid:{phone_number}"), account_sid, phone_number, friendly_name or phone_number
            )
            self.caller_ids[caller_id.sid] = caller_id
            return caller_id

    def caller_ids_of(self, account_sid: str) -> list[CallerId]:
        with self.lock:
            return sorted((c for c in self.caller_ids.values() if c.account_sid == account_sid), key=lambda c: c.sid)

    def caller_id_of(self, account_sid: str, phone_number: str) -> CallerId | None:
        """The account's verified caller ID for the phone number, if it has one."""
        with self.lock:
            mine = (c for c in self.caller_ids.values() if c.account_sid == account_sid)
            return next((c for c in mine if c.phone_number == phone_number), None)

    def add_verification_call(self, call: VerificationCall) -> None:
        with self.lock:
            self.verification_calls[call.call_sid] = call

    def claim_verification_call(self, call_sid: str) -> VerificationCall | None:
        """The pending call, now taken by whoever plays its digits; None when there is no such call or it was
        taken already (a call is answered once)."""
        with self.switchboard:
            call = self.verification_calls.get(call_sid)
            if call is None or call.claimed:
                return None
            call.claimed = True
            self.switchboard.notify_all()
            return call

    def claim_when_unanswered(self, call: VerificationCall) -> bool:
        """Wait until ``verification_answer_seconds`` after the call rings; True, with the call taken, when nobody
        played its digits by then."""
        with self.switchboard:
            while not call.claimed:
                remaining = call.rings_at + self.verification_answer_seconds - time.monotonic()
                if remaining <= 0:
                    call.claimed = True
                    return True
                self.switchboard.wait(remaining)
            return False

    def settle_verification_call(self, call: VerificationCall, digits: str) -> None:
        """The digits entered on the call: the right code creates the OutgoingCallerId, any other fails."""
        with self.lock:
            if digits == call.validation_code:
                caller_id = self.add_caller_id(call.account_sid, call.phone_number, call.friendly_name)
                call.status, call.outgoing_caller_id_sid = "success", caller_id.sid
            else:
                call.status = "failed"

    def set_verification_answer_seconds(self, seconds: float) -> None:
        with self.switchboard:
            self.verification_answer_seconds = seconds
            self.switchboard.notify_all()

    def rotate_auth_token(self, account: Account, new_token: str | None = None) -> str:
        """Promote the secondary auth token to primary (creating it first, as ``new_token`` or a random one, when the
        account has none), as Twilio's ``AuthTokens/Promote`` does: the previous primary token stops working at once.
        Answers the previous primary token."""
        with self.lock:
            previous = account.auth_token
            account.auth_token = new_token or account.secondary_auth_token or secrets.token_hex(16)
            account.secondary_auth_token = None
            return previous

    def worker_for(self, account_sid: str, identity: str) -> Worker:
        with self.lock:
            workspace = self.workspace_of(account_sid)
            for worker in self.workers.values():
                if worker.workspace_sid == workspace.sid and worker.friendly_name == identity:
                    return worker
            worker = Worker(
                sid("WK", f"{workspace.sid}:{identity}"),
                account_sid,
                workspace.sid,
                identity,
                json.dumps({"contact_uri": f"client:{identity}", "full_name": identity}),
            )
            self.workers[worker.sid] = worker
            return worker

    def mint_token(
        self, account_sid: str, identity: str, roles: list[str], worker_sid: str | None, ttl: float
    ) -> FlexToken:
        """An opaque token (real Flex user tokens are JWE: nothing can read them but Twilio); only this emulator
        can validate it, by remembering it."""
        with self.lock:
            token = "flex-" + base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")
            record = FlexToken(token, account_sid, identity, roles, worker_sid, time.time() + ttl)
            self.tokens[token] = record
            return record
