"""What ``callerid-admin`` changes at Twilio to connect a deployment and to take it away again, over the official
client: the TaskRouter workspace's ``EventCallbackUrl`` and ``EventsFilter`` (UpdateWorkspace; an empty URL clears
it), Event Streams webhook sinks and their subscriptions (Events v1 ``/v1/Sinks``, ``/v1/Subscriptions``), and a
number's voice URL and status callback (UpdateIncomingPhoneNumber; an empty value clears it)."""

from __future__ import annotations

from dataclasses import dataclass

from callerid.twilio.gateway import PAGE_SIZE, TwilioGateway, owned_number, translated_errors
from callerid.twilio.records import OwnedNumber


@dataclass(frozen=True, slots=True)
class EventCallback:
    url: str | None
    events_filter: tuple[str, ...]  # empty: every event type


@dataclass(frozen=True, slots=True)
class Sink:
    sid: str
    description: str
    destination: str | None


@dataclass(frozen=True, slots=True)
class Subscription:
    sid: str
    sink_sid: str
    description: str


def split_filter(text: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


class DeploymentGateway:
    def __init__(self, gateway: TwilioGateway) -> None:
        self.gateway = gateway

    def event_callback(self, account_sid: str) -> EventCallback:
        workspace = self.gateway.workspace_sid(account_sid)
        with translated_errors("the TaskRouter workspace"):
            found = self.gateway.client(account_sid).taskrouter.v1.workspaces(workspace).fetch()
        return EventCallback(found.event_callback_url or None, split_filter(found.events_filter))

    def set_event_callback(self, account_sid: str, url: str, events_filter: tuple[str, ...]) -> None:
        """Set (``url`` empty: clear) the workspace's callback and its filter (empty: every event type)."""
        workspace = self.gateway.workspace_sid(account_sid)
        with translated_errors("the TaskRouter workspace"):
            self.gateway.client(account_sid).taskrouter.v1.workspaces(workspace).update(
                event_callback_url=url, events_filter=",".join(events_filter)
            )

    def sinks(self, account_sid: str) -> list[Sink]:
        with translated_errors("the Event Streams sinks"):
            found = self.gateway.client(account_sid).events.v1.sinks.list(page_size=PAGE_SIZE)
        return [
            Sink(s.sid or "", s.description or "", (s.sink_configuration or {}).get("destination"))
            for s in found
            if s.sink_type == "webhook"
        ]

    def create_sink(self, account_sid: str, description: str, destination: str) -> str:
        configuration = {"destination": destination, "method": "POST", "batch_events": False}
        with translated_errors("the Event Streams sink"):
            sink = self.gateway.client(account_sid).events.v1.sinks.create(
                description=description, sink_configuration=configuration, sink_type="webhook"
            )
        return sink.sid or ""

    def delete_sink(self, account_sid: str, sid: str) -> None:
        with translated_errors("the Event Streams sink"):
            self.gateway.client(account_sid).events.v1.sinks(sid).delete()

    def subscriptions(self, account_sid: str) -> list[Subscription]:
        with translated_errors("the Event Streams subscriptions"):
            found = self.gateway.client(account_sid).events.v1.subscriptions.list(page_size=PAGE_SIZE)
        return [Subscription(s.sid or "", s.sink_sid or "", s.description or "") for s in found]

    def create_subscription(self, account_sid: str, sink_sid: str, description: str, event_type: str) -> str:
        with translated_errors("the Event Streams subscription"):
            subscription = self.gateway.client(account_sid).events.v1.subscriptions.create(
                description=description, sink_sid=sink_sid, types=[{"type": event_type, "schema_version": 1}]
            )
        return subscription.sid or ""

    def delete_subscription(self, account_sid: str, sid: str) -> None:
        with translated_errors("the Event Streams subscription"):
            self.gateway.client(account_sid).events.v1.subscriptions(sid).delete()

    def numbers(self, account_sid: str) -> list[OwnedNumber]:
        """Every IncomingPhoneNumber of the account, with its webhooks."""
        with translated_errors("the account's phone numbers"):
            found = (
                self.gateway.client(account_sid)
                .api.v2010.accounts(account_sid)
                .incoming_phone_numbers.list(page_size=PAGE_SIZE)
            )
        return [owned_number(r) for r in found]

    def set_number_hooks(
        self, account_sid: str, sid: str, *, voice_url: str | None = None, status_callback: str | None = None
    ) -> None:
        """Change the number's voice URL and/or status callback (``""`` clears one; ``None`` leaves it)."""
        changes: dict[str, str] = {}
        if voice_url is not None:
            changes["voice_url"] = voice_url
        if status_callback is not None:
            changes["status_callback"] = status_callback
            if status_callback:
                changes["status_callback_method"] = "POST"
        if not changes:
            return
        with translated_errors("the phone number"):
            self.gateway.client(account_sid).api.v2010.accounts(account_sid).incoming_phone_numbers(sid).update(
                **changes
            )
